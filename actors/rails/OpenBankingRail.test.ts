import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRailTestDatabase, type RailTestDatabase } from '../../test/support/evmDatabase.ts';
import { TestKillSwitch } from '../../test/support/evmFixture.ts';
import { createPaymentExecutor } from './createPaymentExecutor.ts';
import { OpenBankingRail, type OpenBankingRailOptions } from './OpenBankingRail.ts';
import { SandboxBank } from './SandboxBank.ts';

let db: RailTestDatabase;
beforeAll(async () => {
  db = await createRailTestDatabase('mandate_fiat');
});
afterAll(async () => {
  await db?.close();
});

let accounts = 0;
const CREDITOR = 'FR1420041010050500013M02606';
const CLOSED = 'GB29NWBK60161331926819';
let n = 0;
const intent = (overrides: Record<string, unknown> = {}) => ({
  kind: 'fiat',
  idempotencyKey: `fiat-${++n}-${Date.now()}`,
  agentId: 'agent-payroll',
  currency: 'EUR',
  amount: '125.40',
  creditor: { name: 'Acme SARL', iban: CREDITOR },
  ...overrides,
});

/** Each setup gets its own debtor account, hence its own ledger partition. */
function setup(extra: Partial<OpenBankingRailOptions> = {}) {
  let clock = Date.parse('2026-03-02T09:00:00Z');
  const now = () => new Date(clock);
  const DEBTOR = `DE8937040044053201${String(++accounts).padStart(4, '0')}`;
  const bank = new SandboxBank({
    balances: { [DEBTOR]: '1000.00' },
    settlementLagMs: 2 * 3600_000,
    returningIbans: [CLOSED],
    feeMinor: 15n,
    now,
  });
  const rail = new OpenBankingRail({
    sql: db.sql,
    api: bank,
    debtorIban: DEBTOR,
    killSwitch: new TestKillSwitch(),
    agentId: 'agent-payroll',
    recheckAfterMs: 3600_000,
    now,
    ...extra,
  });
  return { bank, rail, now, DEBTOR, advance: (ms: number) => (clock += ms) };
}

describe('OpenBankingRail', () => {
  it('fiat - a payment stays submitted through the settlement lag, then settles', async () => {
    const { bank, rail, advance, DEBTOR } = setup();
    const sent = await rail.sendFiat(intent());
    expect(sent.status).toBe('submitted');
    expect(sent.rail).toBe('sandbox-bank');
    expect(sent.reference).toMatch(/^[0-9a-f-]{36}$/);
    expect(bank.balance(DEBTOR)).toBe(100_000n - 12_540n - 15n);
    advance(3600_000);
    expect(await rail.processDue()).toEqual([]); // re-checked once, still settling (lag is 2 h)
    advance(3600_000);
    const [settled] = await rail.processDue();
    expect(settled?.status).toBe('settled');
    expect(settled?.fees).toEqual([{ asset: 'EUR', amount: '15' }]);
    expect(bank.balance(CREDITOR)).toBe(12_540n);
    expect(rail.nextDueAt()).toBeUndefined();
  });

  it('fiat - same key returns the first result and the bank is called once', async () => {
    const { bank, rail } = setup();
    const i = intent();
    const first = await rail.sendFiat(i);
    const again = await rail.sendFiat(i);
    expect(again.reference).toBe(first.reference);
    expect(bank.initiations).toBe(1);
    await expect(rail.sendFiat({ ...i, amount: '1.00' })).rejects.toMatchObject({
      code: 'MANDATE_ERR_IDEMPOTENCY_CONFLICT',
    });
  });

  it('fiat - a payment to a closed account is returned after settlement; insufficient funds are rejected', async () => {
    const { rail, advance, bank, DEBTOR } = setup();
    await rail.sendFiat(intent({ creditor: { name: 'Gone Ltd', iban: CLOSED } }));
    advance(3 * 3600_000);
    const [returned] = await rail.processDue();
    expect(returned?.status).toBe('returned');
    expect(returned?.failure?.code).toBe('MANDATE_ERR_RAIL_BANK_RETURNED');
    const rejected = await rail.sendFiat(intent({ amount: '5000.00' }));
    expect(rejected.status).toBe('failed');
    expect(rejected.failure?.message).toContain('insufficient funds');
    expect(bank.balance(DEBTOR)).toBe(100_000n - 15n);
  });

  it('fiat - dry-run answers would-have-sent and never calls the bank; the kill switch refuses', async () => {
    const dry = setup({ dryRun: true });
    const receipt = await dry.rail.sendFiat(intent());
    expect(receipt.status).toBe('would-have-sent');
    expect(dry.bank.initiations).toBe(0);
    const killSwitch = new TestKillSwitch();
    killSwitch.engaged = true;
    const killed = setup({ killSwitch });
    const refused = await killed.rail.sendFiat(intent());
    expect(refused.failure?.code).toBe('MANDATE_ERR_WALLET_SIGNING_HALTED');
    expect(killed.bank.initiations).toBe(0);
  });

  it('fiat - recovery after a restart re-initiates with the same end-to-end id and keeps settling', async () => {
    const { bank, advance, now, DEBTOR } = setup();
    // The first process records the intent and its end-to-end id, then dies before the bank answers.
    const dying = new OpenBankingRail({
      sql: db.sql,
      api: {
        name: bank.name,
        initiate: () => Promise.reject(new Error('process killed')),
        status: (id) => bank.status(id),
      },
      debtorIban: DEBTOR,
      killSwitch: new TestKillSwitch(),
      agentId: 'agent-payroll',
      now,
    });
    const i = intent();
    await expect(dying.sendFiat(i)).rejects.toThrow('process killed');
    const recorded = (
      await db.pool.query<{ receipt: { reference: string } }>(
        'SELECT receipt FROM rail_intents WHERE idempotency_key = $1',
        [i.idempotencyKey],
      )
    ).rows[0]!;
    // A new rail instance (same database, same bank) stands for the restarted process.
    const restarted = new OpenBankingRail({
      sql: db.sql,
      api: bank,
      debtorIban: DEBTOR,
      killSwitch: new TestKillSwitch(),
      agentId: 'agent-payroll',
      now,
      recheckAfterMs: 1000,
    });
    const [resumed] = await restarted.recover();
    expect(resumed?.status).toBe('submitted');
    expect(resumed?.reference).toBe(recorded.receipt.reference);
    expect(bank.initiations).toBe(1);
    advance(3 * 3600_000);
    const [settled] = await restarted.processDue();
    expect(settled?.status).toBe('settled');
  });

  it('fiat - the execution interface routes to the configured rail and refuses unconfigured ones', async () => {
    const { rail } = setup();
    const pay = createPaymentExecutor({ fiat: rail });
    expect((await pay.sendFiat(intent())).status).toBe('submitted');
    await expect(pay.sendCrypto({})).rejects.toMatchObject({ code: 'MANDATE_ERR_RAIL_UNSUPPORTED' });
    await expect(pay.swapAssets({})).rejects.toMatchObject({ code: 'MANDATE_ERR_RAIL_UNSUPPORTED' });
  });
});
