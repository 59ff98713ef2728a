import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { RulesDecider, type Actuator } from '../../actors/index.ts';
import type { Outcome } from '../../machines/index.ts';
import { createRuntime, defineAgent, type MandateRuntime } from '../../runtime/index.ts';
import { openStore } from '../../runtime/persistence/index.ts';
import { SETTLED_BY } from '../../runtime/phases/proposePhase.ts';
import { agentOf } from '../support/agentOf.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

const alice = { kind: 'human' as const, id: 'alice' };
let db: TestDatabase;
let dataDir: string;
beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), 'mandate-reask-'));
});
afterAll(async () => {
  await db?.[Symbol.asyncDispose]();
  await rm(dataDir, { recursive: true, force: true });
});

/** Every payment the bank was asked to make, across both processes. */
const sent: string[] = [];
const bank: Actuator = {
  name: 'test.bank',
  effect: 'external',
  async execute(action, ctx): Promise<Outcome> {
    sent.push(ctx.idempotencyKey);
    return { status: 'succeeded', receipt: { reference: `BANK-${sent.length}`, invoice: action.params.invoice } };
  },
};

/** One process: a live runtime on the shared database, with the payables agent that pays INV-7 (over the approval threshold). */
async function boot(): Promise<MandateRuntime> {
  const store = await openStore({
    databaseUrl: db.url,
    dataDir,
    secretKey: Buffer.alloc(32, 3).toString('base64'),
    env: {},
  });
  const runtime = await createRuntime({
    clock: new SimulatedClock(),
    mode: 'live',
    store,
    governance: {
      approvalTimeout: 60_000,
      groupBudgets: {},
      rules: [
        {
          name: 'big',
          priority: 1,
          conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: 10_000 }] },
          effect: 'require-approval',
          reason: 'over 10k needs a human',
        },
      ],
    },
  });
  await runtime.start();
  await runtime.spawn(
    defineAgent({
      id: 'payables',
      capabilities: ['payments.send'],
      group: 'payables',
      permissions: [{ capability: 'payments.send', accounts: ['ops'] }],
      limits: { perTransaction: { USDC: '50000' }, daily: { USDC: '100000' } },
      // The agent's own view of what is paid lives in memory: after a restart INV-7 looks due again.
      perceive: () => ({ due: true, amount: '15000.00', invoice: 'INV-7' }),
      decide: RulesDecider.fromObject({
        rules: [
          {
            name: 'pay-invoice',
            conditions: { all: [{ fact: 'due', operator: 'equal', value: true }] },
            event: {
              type: 'payment.send',
              capability: 'payments.send',
              account: 'ops',
              amount: { value: '$fact:amount', asset: 'USDC' },
              counterparty: 'cp-1',
              params: { invoice: '$fact:invoice', idempotencyKey: '$fact:invoice' },
              rationale: 'invoice due',
            },
          },
        ],
      }),
      act: bank,
    }),
  );
  return runtime;
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 5) {
    if (waited > 5_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('issue 14 #1 - after a restart the payables agent asks again to approve an invoice already paid', () => {
  it('approvals - a settled idempotency key is not put to a human again after a restart, and is not paid again', async () => {
    const first = await boot();
    await first.trigger('payables', alice);
    await until(() => first.listApprovals('pending').length === 1, 'the first approval');
    await first.approve(first.listApprovals('pending')[0]!.id, alice, 'checked INV-7');
    await until(() => sent.length === 1 && agentOf(first, 'payables').state === 'idle', 'the payment');
    await first.shutdown();

    const second = await boot();
    try {
      await second.trigger('payables', alice);
      // Today's bug: the agent waits for a second approval of INV-7.
      await until(
        () => agentOf(second, 'payables').state === 'idle' || second.listApprovals('pending').length > 0,
        'the cycle after the restart',
      );
      expect(second.listApprovals('pending')).toEqual([]);
      const ctx = agentOf(second, 'payables').context;
      expect(ctx.verdict).toMatchObject({ status: 'approved', by: SETTLED_BY });
      expect(ctx.verdict?.reason).toMatch(/"payables:INV-7" already succeeded .*reference BANK-1/);
      // The recorded outcome, with the first payment's receipt; the bank was asked once in all.
      expect(ctx.outcome).toMatchObject({ status: 'succeeded', receipt: { reference: 'BANK-1' } });
      expect(sent).toEqual(['payables:INV-7']);
    } finally {
      await second.shutdown();
    }
  });
});
