import { JsonRpcProvider, parseUnits, Transaction, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRailFixture, TestKillSwitch, type RailFixture } from '../../test/support/evmFixture.ts';
import { MikroORM } from '@mikro-orm/postgresql';
import { railEntities } from './entities.ts';
import { IdempotencyConflictError } from '../../kernel/index.ts';
import { InvalidIntentError } from './errors.ts';
import { mikroOrmRailSql } from './RailSql.ts';

let fx: RailFixture;
let seq = 0;
const key = (label: string): string => `test-${label}-${++seq}-${Date.now()}`;
const recipient = (): string => Wallet.createRandom().address;
const usdcIntent = (k: string, to: string, amount = '12.5') => ({
  kind: 'crypto',
  idempotencyKey: k,
  agentId: 'agent-treasurer',
  asset: 'USDC',
  amount,
  to,
});

beforeAll(async () => {
  fx = await startRailFixture();
});
afterAll(async () => {
  await fx?.close();
});

describe('EvmRail', () => {
  it('rails - pays USDC once and returns a normalized confirmed receipt', async () => {
    const rail = await fx.rail();
    const to = recipient();
    const receipt = await rail.sendCrypto(usdcIntent(key('usdc'), to));
    expect(receipt.status).toBe('confirmed');
    expect(receipt.rail).toBe('evm:31337');
    expect(receipt.reference).toMatch(/^0x[0-9a-f]{64}$/);
    expect(receipt.confirmations).toBeGreaterThanOrEqual(1);
    expect(BigInt(receipt.fees[0]!.amount)).toBeGreaterThan(0n);
    expect(receipt.finalizedAt).not.toBeNull();
    expect(await fx.usdcBalance(to)).toBe(12_500_000n);
  });

  it('rails - same key returns the first result without paying again; other params conflict', async () => {
    const rail = await fx.rail();
    const to = recipient();
    const k = key('idem');
    const first = await rail.sendCrypto(usdcIntent(k, to, '3'));
    const again = await rail.sendCrypto(usdcIntent(k, to, '3'));
    expect(again).toEqual(first);
    expect(await fx.usdcBalance(to)).toBe(3_000_000n);
    await expect(rail.sendCrypto(usdcIntent(k, to, '4'))).rejects.toBeInstanceOf(IdempotencyConflictError);
    await expect(rail.sendCrypto(usdcIntent(k, to, '4'))).rejects.toMatchObject({
      code: 'MANDATE_ERR_IDEMPOTENCY_CONFLICT',
    });
  });

  it('rails - runs over a MikroORM EntityManager as well as a pg Pool', async () => {
    const orm = await MikroORM.init({ clientUrl: fx.db.url, entities: [...railEntities] });
    try {
      const rail = await fx.rail({ sql: mikroOrmRailSql(orm.em.fork()) });
      const to = recipient();
      const k = key('orm');
      const receipt = await rail.sendCrypto(usdcIntent(k, to, '2'));
      expect(receipt.status).toBe('confirmed');
      expect((await rail.sendCrypto(usdcIntent(k, to, '2'))).reference).toBe(receipt.reference);
      expect(await fx.usdcBalance(to)).toBe(2_000_000n);
    } finally {
      await orm.close();
    }
  });

  it('rails - a nonce signed by a process that died before broadcasting is sent first, so no gap blocks later payments', async () => {
    /** A provider that loses every broadcast, as if the process died right after storing the signed bytes. */
    class DyingProvider extends JsonRpcProvider {
      override async send(method: string, params: unknown[] | Record<string, unknown>): Promise<unknown> {
        if (method === 'eth_sendRawTransaction') throw new Error('socket hang up (process killed)');
        return super.send(method, params);
      }
    }
    const from = fx.node.accounts[fx.payerIndex]!.address;
    const chainNonce = async () => Number(await fx.node.provider().send('eth_getTransactionCount', [from, 'latest']));
    const start = await chainNonce();
    const dying = await fx.rail({
      provider: new DyingProvider(fx.node.url, fx.node.chainId, { batchMaxCount: 1, staticNetwork: true }),
    });
    const lost = { to: recipient(), k: key('died') };
    await expect(dying.sendCrypto(usdcIntent(lost.k, lost.to, '4'))).rejects.toMatchObject({
      code: 'MANDATE_ERR_RAIL_BROADCAST',
    });
    expect(await chainNonce()).toBe(start);
    const alive = await fx.rail();
    const next = { to: recipient(), k: key('after') };
    const receipt = await alive.sendCrypto(usdcIntent(next.k, next.to, '6'));
    expect(receipt.status).toBe('confirmed');
    expect(receipt.details['nonce']).toBe(start + 1);
    expect((await alive.waitForFinal(lost.k)).status).toBe('confirmed');
    expect(await fx.usdcBalance(lost.to)).toBe(4_000_000n);
    expect(await fx.usdcBalance(next.to)).toBe(6_000_000n);
    expect(await chainNonce()).toBe(start + 2);
  });

  it('rails - a transaction sent with the same key outside the rail does not make the next payment reuse its nonce', async () => {
    const rail = await fx.rail();
    await rail.sendCrypto(usdcIntent(key('before-outside'), recipient(), '1'));
    const outside = fx.node.wallet(fx.payerIndex);
    await (await outside.sendTransaction({ to: recipient(), value: 1n })).wait();
    const to = recipient();
    const receipt = await rail.sendCrypto(usdcIntent(key('after-outside'), to, '1'));
    expect(receipt.status).toBe('confirmed');
    expect(await fx.usdcBalance(to)).toBe(1_000_000n);
  });

  it('rails - concurrent calls (same key and different keys, separate rail instances) pay each intent once with consecutive nonces', async () => {
    const rails = await Promise.all([fx.rail(), fx.rail(), fx.rail()]);
    const from = fx.node.accounts[fx.payerIndex]!.address;
    const start = Number(await fx.node.provider().send('eth_getTransactionCount', [from, 'latest']));
    const intents = Array.from({ length: 6 }, (_, i) => usdcIntent(key(`race-${i}`), recipient(), `${i + 1}`));
    // Every intent is sent by all three rails at once.
    const receipts = await Promise.all(intents.flatMap((intent) => rails.map((rail) => rail.sendCrypto(intent))));
    for (const [i, intent] of intents.entries()) {
      const mine = receipts.filter((r) => r.idempotencyKey === intent.idempotencyKey);
      expect(new Set(mine.map((r) => r.reference)).size).toBe(1);
      expect(mine[0]!.status).toBe('confirmed');
      expect(await fx.usdcBalance(intent.to)).toBe(BigInt(i + 1) * 1_000_000n);
    }
    const nonces = [...new Set(receipts.map((r) => r.details['nonce']))].sort((a, b) => Number(a) - Number(b));
    expect(nonces).toEqual(Array.from({ length: 6 }, (_, i) => start + i));
    expect(Number(await fx.node.provider().send('eth_getTransactionCount', [from, 'latest']))).toBe(start + 6);
  });

  it('rails - native ETH transfers', async () => {
    const rail = await fx.rail();
    const to = recipient();
    const receipt = await rail.sendCrypto({
      kind: 'crypto',
      idempotencyKey: key('eth'),
      agentId: 'agent-treasurer',
      asset: 'ETH',
      amount: '0.25',
      to,
    });
    expect(receipt.status).toBe('confirmed');
    expect(await fx.node.provider().getBalance(to)).toBe(parseUnits('0.25', 18));
  });

  it('rails - rejects malformed intents with a coded error and records nothing', async () => {
    const rail = await fx.rail();
    await expect(rail.sendCrypto({ ...usdcIntent(key('bad'), 'not-an-address') })).rejects.toBeInstanceOf(
      InvalidIntentError,
    );
    await expect(rail.sendCrypto(usdcIntent(key('bad'), recipient(), '1.0000001'))).rejects.toMatchObject({
      code: 'MANDATE_ERR_RAIL_INTENT_INVALID',
    });
    await expect(rail.sendCrypto({ ...usdcIntent(key('bad'), recipient()), asset: 'DOGE' })).rejects.toMatchObject({
      code: 'MANDATE_ERR_RAIL_UNSUPPORTED',
    });
  });

  it('rails - dry-run signs but sends nothing and answers would-have-sent', async () => {
    const rail = await fx.rail({ dryRun: true });
    const to = recipient();
    const from = fx.node.accounts[fx.payerIndex]!.address;
    const nonceBefore = await fx.node.provider().getTransactionCount(from, 'latest');
    const receipt = await rail.sendCrypto(usdcIntent(key('dry'), to));
    expect(receipt.status).toBe('would-have-sent');
    expect(receipt.reference).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await fx.usdcBalance(to)).toBe(0n);
    expect(await fx.node.provider().getTransactionCount(from, 'latest')).toBe(nonceBefore);
    expect(await fx.node.provider().send('eth_getTransactionByHash', [receipt.reference])).toBeNull();
  });

  it('rails - kill switch in the signing path: nothing is signed, the intent fails', async () => {
    const killSwitch = new TestKillSwitch();
    killSwitch.engaged = true;
    const rail = await fx.rail({ killSwitch });
    const to = recipient();
    const from = fx.node.accounts[fx.payerIndex]!.address;
    const nonceBefore = await fx.node.provider().getTransactionCount(from, 'latest');
    const receipt = await rail.sendCrypto(usdcIntent(key('kill'), to));
    expect(receipt.status).toBe('failed');
    expect(receipt.failure?.code).toBe('MANDATE_ERR_WALLET_SIGNING_HALTED');
    expect(killSwitch.checks).toBeGreaterThan(0);
    expect(receipt.attempts).toEqual([]);
    expect(await fx.node.provider().getTransactionCount(from, 'latest')).toBe(nonceBefore);
    // The nonce was not consumed: the next payment after release uses it.
    killSwitch.engaged = false;
    const next = await rail.sendCrypto(usdcIntent(key('kill-after'), to, '1'));
    expect(next.details['nonce']).toBe(nonceBefore);
  });

  it('rails - fees above the cap refuse the payment before signing', async () => {
    const rail = await fx.rail({ feeCap: { maxFeePerGas: 1n, maxPriorityFeePerGas: 1n } });
    const receipt = await rail.sendCrypto(usdcIntent(key('cap'), recipient()));
    expect(receipt.status).toBe('failed');
    expect(receipt.failure?.code).toBe('MANDATE_ERR_RAIL_FEE_CAP');
  });

  it('rails - a stuck transaction is replaced with both fee fields bumped, and only the replacement is mined', async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z');
    const rail = await fx.rail({ now: () => new Date(clock), stuckAfterMs: 30_000 });
    const p = fx.node.provider();
    const to = recipient();
    const k = key('stuck');
    await p.send('evm_setAutomine', [false]);
    try {
      const sent = await rail.sendCrypto(usdcIntent(k, to, '7'), { wait: false });
      expect(sent.status).toBe('submitted');
      clock += 31_000;
      const replaced = await rail.reconcile(k);
      expect(replaced.attempts).toHaveLength(2);
      const rows = await fx.db.pool.query<{ raw_tx: string }>(
        'SELECT raw_tx FROM rail_attempts WHERE idempotency_key = $1 ORDER BY created_at',
        [k],
      );
      const [a, b] = rows.rows.map((r) => Transaction.from(r.raw_tx));
      expect(b!.nonce).toBe(a!.nonce);
      expect(b!.maxFeePerGas! * 100n).toBeGreaterThanOrEqual(a!.maxFeePerGas! * 110n);
      expect(b!.maxPriorityFeePerGas! * 100n).toBeGreaterThanOrEqual(a!.maxPriorityFeePerGas! * 110n);
      await p.send('evm_mine', []);
      const done = await rail.reconcile(k);
      expect(done.status).toBe('confirmed');
      expect(done.reference).toBe(replaced.attempts[1]);
      expect(await p.getTransactionReceipt(replaced.attempts[0]!)).toBeNull();
      expect(await fx.usdcBalance(to)).toBe(7_000_000n);
    } finally {
      await p.send('evm_setAutomine', [true]);
    }
  });

  it('rails - with the kill switch engaged a stuck transaction is left as is, not re-signed', async () => {
    let clock = Date.parse('2026-01-02T00:00:00Z');
    const killSwitch = new TestKillSwitch();
    const rail = await fx.rail({ now: () => new Date(clock), stuckAfterMs: 30_000, killSwitch });
    const p = fx.node.provider();
    const k = key('stuck-killed');
    await p.send('evm_setAutomine', [false]);
    try {
      await rail.sendCrypto(usdcIntent(k, recipient(), '1'), { wait: false });
      killSwitch.engaged = true;
      clock += 31_000;
      const r = await rail.reconcile(k);
      expect(r.attempts).toHaveLength(1);
      expect(r.details['replacementBlocked']).toBe('MANDATE_ERR_WALLET_SIGNING_HALTED');
      await p.send('evm_mine', []);
      expect((await rail.reconcile(k)).status).toBe('confirmed');
    } finally {
      await p.send('evm_setAutomine', [true]);
    }
  });

  it('rails - a pending payment can be cancelled by a 0-value self-transfer at its nonce', async () => {
    const rail = await fx.rail();
    const p = fx.node.provider();
    const to = recipient();
    const k = key('cancel');
    await p.send('evm_setAutomine', [false]);
    try {
      await rail.sendCrypto(usdcIntent(k, to, '9'), { wait: false });
      await rail.cancel(k);
      await p.send('evm_mine', []);
      const done = await rail.reconcile(k);
      expect(done.status).toBe('cancelled');
      const cancelTx = Transaction.from((await p.getTransaction(done.reference!))!);
      expect(cancelTx.to?.toLowerCase()).toBe(fx.node.accounts[fx.payerIndex]!.address.toLowerCase());
      expect(cancelTx.value).toBe(0n);
      expect(await fx.usdcBalance(to)).toBe(0n);
    } finally {
      await p.send('evm_setAutomine', [true]);
    }
  });

  it('rails - a reorg that drops a mined payment is detected and the payment still lands once', async () => {
    const rail = await fx.rail({ confirmations: 3 });
    const p = fx.node.provider();
    const to = recipient();
    const k = key('reorg');
    const snapshot = await p.send('evm_snapshot', []);
    const first = await rail.sendCrypto(usdcIntent(k, to, '5'), { wait: false });
    expect(first.status).toBe('submitted');
    expect(first.confirmations).toBe(1);
    expect(await p.send('evm_revert', [snapshot])).toBe(true);
    const afterReorg = await rail.reconcile(k);
    expect(afterReorg.reorgs).toBe(1);
    expect(afterReorg.confirmations).toBe(0);
    await p.send('hardhat_mine', ['0x3']);
    const done = await rail.waitForFinal(k);
    expect(done.status).toBe('confirmed');
    expect(done.reorgs).toBe(1);
    expect(await fx.usdcBalance(to)).toBe(5_000_000n);
  });
});
