/**
 * Fencing in the Solana and Open Banking rails, as `railFencing.test.ts` shows it for the EVM rail: two
 * nodes hold one agent's rail (same wallet or debtor account, one PostgreSQL database migrated by the
 * runtime's store, one chain or bank). Node A runs the agent under lease token 5 until node B takes the
 * lease (token 9, raised through the store as placement does); from then on A records, reserves, signs
 * and sends nothing, B finishes what A left, and every payment is made once.
 */
import { createSolanaRpcFromTransport, generateKeyPairSigner, type RpcTransport } from '@solana/kit';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../kernel/index.ts';
import { SpendingLimits } from '../../actors/limits/SpendingLimits.ts';
import { createRailPool } from '../../actors/rails/createRailPool.ts';
import { OpenBankingRail } from '../../actors/rails/OpenBankingRail.ts';
import type { CreditTransferRequest } from '../../actors/rails/PaymentInitiationApi.ts';
import { pgRailSql, type RailSql } from '../../actors/rails/RailSql.ts';
import { SandboxBank } from '../../actors/rails/SandboxBank.ts';
import type { PostgresStore } from '../../runtime/persistence/index.ts';
import { openTestStore, type TestStore } from '../support/db.ts';
import { TestKillSwitch } from '../support/evmFixture.ts';
import { startSolanaFixture, TEST_CLUSTER, type SolanaFixture } from '../support/solanaFixture.ts';
import { TEST_COUNTERPARTY_KEY } from '../support/counterpartyKey.ts';

let fx: SolanaFixture;
let testStore: TestStore;
let store: PostgresStore;
let pool: pg.Pool;
let sql: RailSql;

beforeAll(async () => {
  fx = await startSolanaFixture();
  testStore = await openTestStore('postgresql');
  store = testStore.store;
  pool = createRailPool(store.databaseUrl);
  sql = pgRailSql(pool);
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await testStore?.[Symbol.asyncDispose]();
  await fx?.close();
});

const stale = { code: ErrorCode.MANDATE_ERR_FENCE_STALE };
let seq = 0;

async function count(table: string, key: string): Promise<number> {
  const rows = await sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table} WHERE idempotency_key = $1`, [
    key,
  ]);
  return Number(rows[0]!.n);
}

/** Fenced limits of the agent in the runtime's database: at most `max` of `asset` per rolling day. */
const limitsOf = (agent: string, { asset, decimals, max }: { asset: string; decimals: number; max: string }) =>
  new SpendingLimits({
    sql,
    rules: [{ scope: `agent:${agent}`, window: 'rolling-24h', unit: 'native', asset, max }],
    assetDecimals: { [asset]: decimals },
    referenceDecimals: 6,
    counterpartyKey: TEST_COUNTERPARTY_KEY,
    fenced: true,
  });

describe('placement - fencing in the Solana rail', () => {
  const AGENT = 'sol-payables';
  const sends = (): number => fx.server.calls.filter((m) => m === 'sendTransaction').length;
  const usdc = (to: string, amount: string) => ({
    kind: 'crypto',
    idempotencyKey: `sol-fence-${Date.now()}-${++seq}`,
    agentId: AGENT,
    asset: 'USDC',
    amount,
    to,
    chain: `solana:${TEST_CLUSTER}`,
  });

  it('fencing - a stale owner can neither record, reserve, sign nor send once a successor holds the lease; nothing is paid twice', async () => {
    const to = (await generateKeyPairSigner()).address;
    // Node A's link to the cluster: while cut, every sendTransaction is lost before it reaches the node.
    const cut = { on: false };
    const healthy = fx.transport();
    const lost = fx.transport('lost-before');
    const transportA: RpcTransport = (request) => (cut.on ? lost(request) : healthy(request));
    const railOf = (rpc = createSolanaRpcFromTransport(healthy)) => {
      const limits = limitsOf(AGENT, { asset: 'USDC', decimals: 6, max: '50' });
      return { limits, rail: fx.rail({ sql, rpc, agentId: AGENT, limits, fenced: true }) };
    };
    const nodeA = railOf(createSolanaRpcFromTransport(transportA));
    const nodeB = railOf();
    await store.raiseFence({ agentId: AGENT, token: 5, nodeId: 'node-a' });

    expect((await nodeA.rail.sendCrypto(usdc(to, '4'), { fence: 5 })).status).toBe('confirmed');
    // A signs a second payment and loses the cluster before sending it: the signed bytes stay on disk.
    const second = usdc(to, '6');
    cut.on = true;
    await expect(nodeA.rail.sendCrypto(second, { fence: 5 })).rejects.toMatchObject({
      code: ErrorCode.MANDATE_ERR_RAIL_BROADCAST,
    });
    const signed = (await nodeA.rail.receipt(second.idempotencyKey)).reference!;

    // B takes the lease; A heals and tries everything with its old token, or none.
    await store.raiseFence({ agentId: AGENT, token: 9, nodeId: 'node-b' });
    cut.on = false;
    const sendsBefore = sends();
    const third = usdc(to, '7');
    await expect(nodeA.rail.sendCrypto(third, { fence: 5 })).rejects.toMatchObject(stale);
    await expect(nodeA.rail.sendCrypto(third)).rejects.toMatchObject(stale);
    await expect(nodeA.rail.sendCrypto(second, { fence: 5 })).rejects.toMatchObject(stale);
    await expect(nodeA.rail.reconcile(second.idempotencyKey, { fence: 5 })).rejects.toMatchObject(stale);
    await expect(nodeA.rail.waitForFinal(second.idempotencyKey, { fence: 5 })).rejects.toMatchObject(stale);
    // A dry run records nothing either.
    await expect(
      fx.rail({ sql, agentId: AGENT, fenced: true, dryRun: true }).sendCrypto(usdc(to, '1'), { fence: 5 }),
    ).rejects.toMatchObject(stale);
    expect(await nodeA.rail.recover({ fence: 5 })).toEqual([]);
    expect(await nodeA.rail.recover()).toEqual([]);
    expect(sends()).toBe(sendsBefore);
    expect(await count('rail_intents', third.idempotencyKey)).toBe(0);
    expect(await count('limit_reservations', third.idempotencyKey)).toBe(0);
    expect(await count('rail_solana_attempts', second.idempotencyKey)).toBe(1);
    expect(await fx.tokenBalance(to)).toBe(4_000_000n);

    // B sends the very bytes A signed, then makes the third payment.
    const [recovered] = await nodeB.rail.recover({ fence: 9 });
    expect(recovered?.reference).toBe(signed);
    expect((await nodeB.rail.waitForFinal(second.idempotencyKey, { fence: 9 })).status).toBe('confirmed');
    expect((await nodeB.rail.sendCrypto(third, { fence: 9 })).status).toBe('confirmed');
    // The old owner's repeat of a finished payment only reads its receipt.
    expect((await nodeA.rail.sendCrypto(second, { fence: 5 })).reference).toBe(signed);
    expect(await count('rail_solana_attempts', second.idempotencyKey)).toBe(1);
    expect(await count('limit_reservations', third.idempotencyKey)).toBe(1);
    expect(await fx.tokenBalance(to)).toBe(17_000_000n);
  }, 120_000);

  it('fencing - after its blockhash expired, only the lease holder signs the payment again', async () => {
    const to = (await generateKeyPairSigner()).address;
    const rail = (rpc = createSolanaRpcFromTransport(fx.transport())) =>
      fx.rail({ sql, rpc, agentId: AGENT, fenced: true });
    await store.raiseFence({ agentId: AGENT, token: 15, nodeId: 'node-a' });
    const pay = usdc(to, '2');
    const lost = rail(createSolanaRpcFromTransport(fx.transport('lost-before')));
    await expect(lost.sendCrypto(pay, { fence: 15 })).rejects.toMatchObject({
      code: ErrorCode.MANDATE_ERR_RAIL_BROADCAST,
    });
    fx.server.expireBlockhash();
    await store.raiseFence({ agentId: AGENT, token: 16, nodeId: 'node-b' });
    await expect(rail().reconcile(pay.idempotencyKey, { fence: 15 })).rejects.toMatchObject(stale);
    expect(await count('rail_solana_attempts', pay.idempotencyKey)).toBe(1);
    const receipt = await rail().waitForFinal(pay.idempotencyKey, { fence: 16 });
    expect(receipt.status).toBe('confirmed');
    expect(receipt.attempts).toHaveLength(2);
    expect(await fx.tokenBalance(to)).toBe(2_000_000n);
  }, 60_000);
});

describe('placement - fencing in the Open Banking rail', () => {
  const AGENT = 'bank-payables';
  const DEBTOR = 'DE89370400440532013000';
  const CREDITOR = 'FR1420041010050500013M02606';

  it('fencing - a stale owner initiates, checks and records nothing once a successor holds the lease; each payment settles once', async () => {
    let clock = Date.parse('2026-03-02T09:00:00Z');
    const now = () => new Date(clock);
    const bank = new SandboxBank({ balances: { [DEBTOR]: '1000.00' }, settlementLagMs: 3_600_000, now });
    const calls = { initiate: [] as string[], status: 0, down: false };
    // One bank both nodes reach; node A's calls can fail (its network is down) before they reach it.
    const api = (node: 'a' | 'b') => ({
      name: bank.name,
      initiate: async (r: CreditTransferRequest) => {
        if (node === 'a' && calls.down) throw new Error('connect ECONNRESET (partitioned)');
        calls.initiate.push(r.endToEndId);
        return bank.initiate(r);
      },
      status: async (id: string) => {
        calls.status++;
        return bank.status(id);
      },
    });
    const railOf = (node: 'a' | 'b') =>
      new OpenBankingRail({
        sql,
        api: api(node),
        debtorIban: DEBTOR,
        killSwitch: new TestKillSwitch(),
        agentId: AGENT,
        limits: limitsOf(AGENT, { asset: 'EUR', decimals: 2, max: '500' }),
        recheckAfterMs: 60_000,
        fenced: true,
        now,
      });
    const nodeA = railOf('a');
    const nodeB = railOf('b');
    const fiat = (amount: string) => ({
      kind: 'fiat',
      idempotencyKey: `bank-fence-${Date.now()}-${++seq}`,
      agentId: AGENT,
      currency: 'EUR',
      amount,
      creditor: { name: 'Acme SARL', iban: CREDITOR },
    });
    await store.raiseFence({ agentId: AGENT, token: 5, nodeId: 'node-a' });

    const first = fiat('100.00');
    expect((await nodeA.sendFiat(first, { fence: 5 })).status).toBe('submitted');
    // A records the second payment's end-to-end id, then its network fails before the bank hears of it.
    const second = fiat('20.00');
    calls.down = true;
    await expect(nodeA.sendFiat(second, { fence: 5 })).rejects.toThrow(/ECONNRESET/);
    calls.down = false;
    expect(calls.initiate).toHaveLength(1);

    await store.raiseFence({ agentId: AGENT, token: 9, nodeId: 'node-b' });
    const third = fiat('30.00');
    await expect(nodeA.sendFiat(third, { fence: 5 })).rejects.toMatchObject(stale);
    await expect(nodeA.sendFiat(third)).rejects.toMatchObject(stale);
    await expect(nodeA.sendFiat(second, { fence: 5 })).rejects.toMatchObject(stale);
    expect(await nodeA.recover({ fence: 5 })).toEqual([]);
    // A's queued settlement check of the first payment falls due: dropped, the bank is not asked.
    clock += 120_000;
    expect(await nodeA.processDue()).toEqual([]);
    expect(nodeA.nextDueAt()).toBeUndefined();
    expect(calls.initiate).toHaveLength(1);
    expect(calls.status).toBe(0);
    expect(await count('rail_intents', third.idempotencyKey)).toBe(0);
    expect(await count('limit_reservations', third.idempotencyKey)).toBe(0);

    // B initiates the second under the end-to-end id A recorded, re-queues the first, pays the third.
    const recovered = await nodeB.recover({ fence: 9 });
    expect(recovered.map((r) => r.status)).toEqual(['submitted', 'submitted']);
    expect(calls.initiate).toHaveLength(2);
    expect((await nodeB.sendFiat(third, { fence: 9 })).status).toBe('submitted');
    clock += 3_700_000;
    const settled = await nodeB.processDue();
    expect(settled.map((r) => r.status)).toEqual(['settled', 'settled', 'settled']);
    expect(new Set(calls.initiate).size).toBe(calls.initiate.length);
    expect(calls.initiate).toHaveLength(3);
    expect(bank.balance(DEBTOR)).toBe(100_000n - 15_000n);
  }, 60_000);
});
