import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRailTestDatabase, type RailTestDatabase } from '../../test/support/evmDatabase.ts';
import { createRuntime, defineAgent } from '../../runtime/index.ts';
import { RulesDecider } from '../deciders/RulesDecider.ts';
import { createPaymentExecutor } from '../rails/createPaymentExecutor.ts';
import { OpenBankingRail } from '../rails/OpenBankingRail.ts';
import { SandboxBank } from '../rails/SandboxBank.ts';
import { createPaymentActuator } from './createPaymentActuator.ts';
import { spawnHost } from '../../test/support/agentOf.ts';

let db: RailTestDatabase;
beforeAll(async () => {
  db = await createRailTestDatabase('mandate_actuator');
});
afterAll(async () => {
  await db?.close();
});

const DEBTOR = 'DE89370400440532013000';
const CREDITOR = 'FR1420041010050500013M02606';
const rules = RulesDecider.fromObject({
  rules: [
    {
      name: 'pay-supplier',
      conditions: { all: [{ fact: 'due', operator: 'equal', value: true }] },
      event: {
        type: 'payment.send',
        capability: 'payments.send',
        account: 'ops-eur',
        amount: { value: '$fact:amount', asset: 'EUR' },
        counterparty: 'cp-acme',
        params: { reference: 'INV-77' },
      },
    },
  ],
});

/** Waits (real I/O: PostgreSQL) until the agent's cycle is back to idle. */
async function cycleDone(host: { state: string; cycles: number }): Promise<void> {
  const end = Date.now() + 15_000;
  while (!(host.cycles > 0 && host.state === 'idle')) {
    if (Date.now() > end) throw new Error(`the cycle did not finish; agent is ${host.state}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('payment actuator', () => {
  it('payment actuator - a live agent pays through the fiat rail once; the sandbox bank sees one initiation', async () => {
    const bank = new SandboxBank({
      balances: { [DEBTOR]: '5000.00' },
      settlementLagMs: 3_600_000,
      now: () => new Date(),
    });
    const killSwitch = { isEngaged: () => false };
    const rail = new OpenBankingRail({ sql: db.sql, api: bank, debtorIban: DEBTOR, killSwitch, agentId: 'payables' });
    const actuator = createPaymentActuator({
      executor: createPaymentExecutor({ fiat: rail }),
      payee: async (cp) =>
        cp === 'cp-acme'
          ? { kind: 'fiat', name: 'Acme SARL', iban: CREDITOR }
          : Promise.reject(new Error(`unknown ${cp}`)),
    });
    const runtime = await createRuntime({ mode: 'live' });
    const host = await spawnHost(
      runtime,
      defineAgent({
        id: 'payables',
        capabilities: ['payments.send'],
        permissions: [{ capability: 'payments.send', accounts: ['ops-eur'] }],
        limits: { perTransaction: { EUR: '1000' }, daily: { EUR: '2000' } },
        perceive: () => ({ due: true, amount: '250.00' }),
        decide: rules,
        act: actuator,
      }),
    );
    await runtime.trigger('payables', { kind: 'human', id: 'ops' });
    await cycleDone(host);
    expect(host.context.outcome).toMatchObject({
      status: 'succeeded',
      receipt: { kind: 'fiat', rail: 'sandbox-bank', status: 'submitted' },
    });
    expect(bank.initiations).toBe(1);
    // The same decision executed again (a retry after a crash) reconciles through the rail: no second initiation.
    const again = await actuator.reconcile!(host.context.decision!.action!, {
      agentId: 'payables',
      decisionId: host.context.decision!.id,
      idempotencyKey: host.context.decision!.id,
      mode: 'live',
      now: Date.now(),
    });
    expect(again?.receipt).toMatchObject({
      reference: (host.context.outcome!.receipt as { reference: string }).reference,
    });
    expect(bank.initiations).toBe(1);
    await runtime.shutdown();
  });

  it('payment actuator - dry-run prepares the intent without touching the bank, and never echoes the IBAN', async () => {
    const bank = new SandboxBank({ balances: { [DEBTOR]: '5000.00' }, settlementLagMs: 1, now: () => new Date() });
    const rail = new OpenBankingRail({
      sql: db.sql,
      api: bank,
      debtorIban: DEBTOR,
      killSwitch: { isEngaged: () => false },
      agentId: 'p2',
    });
    const actuator = createPaymentActuator({
      executor: createPaymentExecutor({ fiat: rail }),
      payee: async () => ({ kind: 'fiat', name: 'Acme SARL', iban: CREDITOR }),
    });
    const runtime = await createRuntime();
    const host = await spawnHost(
      runtime,
      defineAgent({
        id: 'p2',
        capabilities: ['payments.send'],
        permissions: [{ capability: 'payments.send', accounts: ['*'] }],
        limits: { perTransaction: { EUR: '1000' }, daily: { EUR: '2000' } },
        perceive: () => ({ due: true, amount: '10.00' }),
        decide: rules,
        act: actuator,
      }),
    );
    await runtime.trigger('p2', { kind: 'human', id: 'ops' });
    await cycleDone(host);
    expect(host.context.outcome?.status).toBe('would-have-sent');
    expect(JSON.stringify(host.context.outcome)).not.toContain(CREDITOR);
    expect(bank.initiations).toBe(0);
    await runtime.shutdown();
  });

  it('payment actuator - actions that are not payments are refused with a code', async () => {
    const actuator = createPaymentActuator({
      executor: createPaymentExecutor({}),
      payee: async () => ({ kind: 'crypto', address: '0x0000000000000000000000000000000000000001' }),
    });
    const ctx = { agentId: 'a', decisionId: 'd', idempotencyKey: 'key-12345', mode: 'live' as const, now: 0 };
    await expect(
      actuator.execute({ type: 'gate.set', capability: 'gates.write', params: {} }, ctx),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_PAYMENT_ACTION' });
    await expect(
      actuator.execute(
        { type: 'payment.send', capability: 'payments.send', amount: { value: '1', asset: 'USDC' }, params: {} },
        ctx,
      ),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_PAYMENT_ACTION' });
    await expect(
      actuator.execute(
        {
          type: 'payment.send',
          capability: 'payments.send',
          counterparty: 'x',
          amount: { value: '1', asset: 'USDC' },
          params: {},
        },
        ctx,
      ),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_RAIL_UNSUPPORTED' });
  });

  it('payment actuator - the placement lease token of the act reaches the crypto rail with the intent', async () => {
    const calls: unknown[] = [];
    const receipt = {
      idempotencyKey: 'key-fenced-1',
      kind: 'crypto',
      rail: 'evm:1',
      reference: '0xabc',
      status: 'confirmed',
      confirmations: 1,
      fees: [],
      attempts: ['0xabc'],
      reorgs: 0,
      createdAt: new Date(0).toISOString(),
      submittedAt: null,
      finalizedAt: null,
      failure: null,
      details: {},
    } as const;
    const actuator = createPaymentActuator({
      executor: createPaymentExecutor({
        crypto: {
          sendCrypto: async (_intent, call) => {
            calls.push(call);
            return receipt;
          },
        },
      }),
      payee: async () => ({ kind: 'crypto', address: '0x0000000000000000000000000000000000000001' }),
    });
    const action = {
      type: 'payment.send',
      capability: 'payments.send',
      counterparty: 'x',
      amount: { value: '1', asset: 'USDC' },
      params: {},
    };
    const ctx = { agentId: 'a', decisionId: 'd', idempotencyKey: 'key-fenced-1', mode: 'live' as const, now: 0 };
    await actuator.execute(action, { ...ctx, fence: 42 });
    await actuator.execute(action, ctx);
    expect(calls).toEqual([{ fence: 42 }, { fence: undefined }]);
  });
});
