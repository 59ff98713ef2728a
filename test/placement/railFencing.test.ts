/**
 * Fencing in the EVM rail, its limit reservations and its signer: two nodes hold one agent's rail
 * (same wallet, one PostgreSQL database migrated by the runtime's store, a local EVM node). Node A
 * runs the agent under lease token 5 until node B takes the lease (token 9, raised through the
 * store exactly as placement does); from then on A can record, reserve, sign and broadcast nothing,
 * B finishes what A left, and every payment is on chain exactly once.
 */
import { Contract, NonceManager, Wallet, parseUnits, type JsonRpcProvider } from 'ethers';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../kernel/index.ts';
import { EvmRail } from '../../actors/rails/EvmRail.ts';
import { createRailPool } from '../../actors/rails/createRailPool.ts';
import { assertLease } from '../../actors/rails/leaseFence.ts';
import { pgRailSql, type RailSql } from '../../actors/rails/RailSql.ts';
import { SpendingLimits } from '../../actors/limits/SpendingLimits.ts';
import { LocalKeystoreSigner } from '../../actors/wallets/LocalKeystoreSigner.ts';
import type { TransactionSigner } from '../../actors/wallets/TransactionSigner.ts';
import type { PostgresStore } from '../../runtime/persistence/index.ts';
import { openTestStore, type TestStore } from '../support/db.ts';
import { compileTestContracts, deployTestUsdc } from '../support/evmContracts.ts';
import { TestKillSwitch } from '../support/evmFixture.ts';
import { startEvmNode, type EvmNode } from '../support/evmNode.ts';
import { TEST_COUNTERPARTY_KEY } from '../support/counterpartyKey.ts';

const AGENT = 'payables';
const PAYER = 3;

let node: EvmNode;
let testStore: TestStore;
let store: PostgresStore;
let pool: pg.Pool;
let sql: RailSql;
let usdc: string;
let balanceOf: (address: string) => Promise<bigint>;

beforeAll(async () => {
  node = await startEvmNode();
  testStore = await openTestStore('postgresql');
  store = testStore.store;
  pool = createRailPool(store.databaseUrl);
  sql = pgRailSql(pool);
  const deployer = new NonceManager(node.wallet(0));
  usdc = await deployTestUsdc(deployer);
  const abi = compileTestContracts()['TestUSDC']!.abi;
  await (
    await new Contract(usdc, abi, deployer).getFunction('mint')(node.accounts[PAYER]!.address, 100_000_000n)
  ).wait();
  const reader = new Contract(usdc, abi, node.provider());
  balanceOf = async (a) => (await reader.getFunction('balanceOf')(a)) as bigint;
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await testStore?.[Symbol.asyncDispose]();
  await node?.close();
});

/** A provider whose broadcasts fail while `cut` is set (the node's network to the chain is down). */
function partitionable(): { provider: JsonRpcProvider; cut: { on: boolean } } {
  const provider = node.provider();
  const send = provider.send.bind(provider);
  const cut = { on: false };
  provider.send = async (method: string, params: unknown[] | Record<string, unknown>) => {
    if (cut.on && method === 'eth_sendRawTransaction') throw new Error('connect ECONNRESET (partitioned)');
    return send(method, params);
  };
  return { provider, cut };
}

/** One node's rail of the agent: fenced, with fenced limits of 50 USDC per rolling day. */
async function railOf(o: { provider: JsonRpcProvider; signer?: TransactionSigner }) {
  const limits = new SpendingLimits({
    sql,
    rules: [{ scope: `agent:${AGENT}`, window: 'rolling-24h', unit: 'native', asset: 'USDC', max: '50' }],
    assetDecimals: { USDC: 6 },
    referenceDecimals: 6,
    counterpartyKey: TEST_COUNTERPARTY_KEY,
    fenced: true,
  });
  const rail = await EvmRail.create({
    sql,
    provider: o.provider,
    chainId: node.chainId,
    signer: o.signer ?? LocalKeystoreSigner.fromPrivateKey(node.accounts[PAYER]!.privateKey),
    killSwitch: new TestKillSwitch(),
    agentId: AGENT,
    assets: { USDC: { kind: 'erc20', address: usdc, decimals: 6 } },
    feeCap: { maxFeePerGas: parseUnits('100', 'gwei'), maxPriorityFeePerGas: parseUnits('5', 'gwei') },
    limits,
    fenced: true,
    pollIntervalMs: 20,
    maxWaitMs: 30_000,
  });
  return { rail, limits };
}

let seq = 0;
const payment = (to: string, amount: string) => ({
  kind: 'crypto' as const,
  idempotencyKey: `fence-${Date.now()}-${++seq}`,
  agentId: AGENT,
  asset: 'USDC',
  amount,
  to,
});

async function count(table: string, key: string): Promise<number> {
  const rows = await sql.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table} WHERE idempotency_key = $1`, [
    key,
  ]);
  return Number(rows[0]!.n);
}

async function nextNonce(): Promise<string | undefined> {
  const rows = await sql.query<{ next_nonce: string }>('SELECT next_nonce FROM rail_nonces WHERE address = $1', [
    node.accounts[PAYER]!.address.toLowerCase(),
  ]);
  return rows[0]?.next_nonce;
}

const stale = { code: ErrorCode.MANDATE_ERR_FENCE_STALE };

describe('placement - fencing in the EVM rail', () => {
  it('fencing - a stale owner can neither record, reserve, sign nor broadcast once a successor holds the lease; nothing is paid twice', async () => {
    const payee = Wallet.createRandom().address;
    const a = partitionable();
    const nodeA = await railOf({ provider: a.provider });
    const nodeB = await railOf({ provider: node.provider() });
    await store.raiseFence({ agentId: AGENT, token: 5, nodeId: 'node-a' });

    // Under its lease, node A pays.
    const first = payment(payee, '4');
    expect((await nodeA.rail.sendCrypto(first, { fence: 5 })).status).toBe('confirmed');

    // Node A signs a second payment, then loses the chain before broadcasting: the signed bytes stay on disk.
    const second = payment(payee, '6');
    a.cut.on = true;
    await expect(nodeA.rail.sendCrypto(second, { fence: 5 })).rejects.toMatchObject({
      code: ErrorCode.MANDATE_ERR_RAIL_BROADCAST,
    });
    const signed = (await nodeA.rail.receipt(second.idempotencyKey)).reference!;
    expect(await node.provider().send('eth_getTransactionByHash', [signed])).toBeNull();

    // Node B takes the lease (token 9); node A heals and tries everything with its old token.
    await store.raiseFence({ agentId: AGENT, token: 9, nodeId: 'node-b' });
    a.cut.on = false;
    const nonceBefore = await nextNonce();
    const third = payment(payee, '7');
    await expect(nodeA.rail.sendCrypto(third, { fence: 5 })).rejects.toMatchObject(stale);
    await expect(nodeA.rail.sendCrypto(third)).rejects.toMatchObject(stale); // no token at all
    await expect(nodeA.rail.sendCrypto(second, { fence: 5 })).rejects.toMatchObject(stale);
    await expect(nodeA.rail.reconcile(second.idempotencyKey, { fence: 5 })).rejects.toMatchObject(stale);
    await expect(nodeA.rail.speedUp(second.idempotencyKey, { fence: 5 })).rejects.toMatchObject(stale);
    await expect(nodeA.rail.cancel(second.idempotencyKey, { fence: 5 })).rejects.toMatchObject(stale);
    await expect(
      nodeA.limits.reserve({
        idempotencyKey: third.idempotencyKey,
        agentId: AGENT,
        supervisorIds: [],
        asset: 'USDC',
        counterparty: payee,
        amountNative: 7_000_000n,
        amountReference: 0n,
        fence: 5,
      }),
    ).rejects.toMatchObject(stale);
    expect(await nodeA.rail.recover({ fence: 5 })).toEqual([]);
    expect(await nodeA.rail.recover()).toEqual([]);

    // Nothing of it was written, signed or sent.
    expect(await count('rail_intents', third.idempotencyKey)).toBe(0);
    expect(await count('limit_reservations', third.idempotencyKey)).toBe(0);
    expect(await count('rail_attempts', third.idempotencyKey)).toBe(0);
    expect(await count('rail_attempts', second.idempotencyKey)).toBe(1);
    expect(await nextNonce()).toBe(nonceBefore);
    expect(await node.provider().send('eth_getTransactionByHash', [signed])).toBeNull();
    expect(await balanceOf(payee)).toBe(4_000_000n);

    // Node B finishes the second payment with the very bytes A signed, and makes the third.
    const [recovered] = await nodeB.rail.recover({ fence: 9 });
    expect(recovered?.reference).toBe(signed);
    expect((await nodeB.rail.waitForFinal(second.idempotencyKey, { fence: 9 })).status).toBe('confirmed');
    expect((await nodeB.rail.sendCrypto(third, { fence: 9 })).status).toBe('confirmed');

    // The old owner's repeat of a finished payment only reads its receipt.
    expect((await nodeA.rail.sendCrypto(second, { fence: 5 })).reference).toBe(signed);
    expect(await count('rail_attempts', second.idempotencyKey)).toBe(1);
    expect(await count('limit_reservations', third.idempotencyKey)).toBe(1);
    expect(await balanceOf(payee)).toBe(17_000_000n);
  }, 120_000);

  it("fencing - a successor's lease waits for the old owner's signing transaction, and the payment it signed is made once", async () => {
    const payee = Wallet.createRandom().address;
    await store.raiseFence({ agentId: AGENT, token: 20, nodeId: 'node-a' });
    const key = LocalKeystoreSigner.fromPrivateKey(node.accounts[PAYER]!.privateKey);
    let release!: () => void;
    let entered!: () => void;
    const inSigner = new Promise<void>((r) => (entered = r));
    const gate = new Promise<void>((r) => (release = r));
    // Node A is paused (SIGSTOP) inside its signer, holding its signing transaction open.
    const paused: TransactionSigner = {
      kind: key.kind,
      getAddress: () => key.getAddress(),
      async signTransaction(tx) {
        entered();
        await gate;
        return key.signTransaction(tx);
      },
    };
    const nodeA = await railOf({ provider: node.provider(), signer: paused });
    const nodeB = await railOf({ provider: node.provider() });
    const pay = payment(payee, '3');
    // The outcome handler is attached now: A may be refused while the raise below is still being awaited.
    const paying = nodeA.rail.sendCrypto(pay, { fence: 20, wait: false }).then(
      (r) => r.reference,
      (e: { code?: string }) => e.code,
    );
    await inSigner;
    let raised = false;
    const raising = store.raiseFence({ agentId: AGENT, token: 21, nodeId: 'node-b' }).then(() => (raised = true));
    // The raise is blocked on the fence row A's transaction share-locks (seen in pg_locks, not timed).
    for (;;) {
      const waiting = await sql.query(
        `SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE NOT l.granted AND c.relname = 'mandate_fence'
         UNION ALL SELECT 1 FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%insert into mandate_fence%'`,
      );
      if (waiting.length > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(raised).toBe(false);
    release();
    await raising;
    // A signed under its then-current lease and committed before B's raise. Its broadcast that follows is
    // refused when the raise got the row first, or sends those same bytes when A's check did: never others.
    const outcome = await paying;
    expect([ErrorCode.MANDATE_ERR_FENCE_STALE, (await nodeB.rail.receipt(pay.idempotencyKey)).reference]).toContain(
      outcome,
    );
    expect(await count('rail_attempts', pay.idempotencyKey)).toBe(1);
    const receipt = await nodeB.rail.sendCrypto(pay, { fence: 21 });
    expect(receipt.status).toBe('confirmed');
    expect(await count('rail_attempts', pay.idempotencyKey)).toBe(1);
    expect(await balanceOf(payee)).toBe(3_000_000n);
  }, 120_000);

  it('fencing - a rail paused inside its fenced transaction cannot hold the lease forever: the server ends it, the successor takes over', async () => {
    await store.raiseFence({ agentId: AGENT, token: 30, nodeId: 'node-a' });
    let resume: () => void = () => {};
    const paused = new Promise<void>((r) => (resume = r));
    let locked: () => void = () => {};
    const holding = new Promise<void>((r) => (locked = r));
    const writing = sql.transaction(async (tx) => {
      await assertLease(tx, { agentId: AGENT, token: 30 }, 'a payment');
      locked();
      await paused; // node A stops here (SIGSTOP, a frozen VM) with the fence row share-locked
      await tx.query('SELECT 1');
    });
    // Without the idle timeout this raise would wait for A to wake; the test would time out.
    await holding;
    await store.raiseFence({ agentId: AGENT, token: 31, nodeId: 'node-b' });
    resume();
    await expect(writing).rejects.toBeDefined(); // its connection was ended by the server
    const [row] = await sql.query<{ token: string; node_id: string }>(
      'SELECT token, node_id FROM mandate_fence WHERE agent_id = $1',
      [AGENT],
    );
    expect(row).toMatchObject({ node_id: 'node-b' });
    expect(Number(row!.token)).toBe(31);
  }, 60_000);
});
