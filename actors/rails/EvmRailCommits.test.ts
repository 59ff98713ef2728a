import { Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRailFixture, TestKillSwitch, type RailFixture } from '../../test/support/evmFixture.ts';
import { SpendingLimits } from '../limits/SpendingLimits.ts';
import type { RailSql } from './RailSql.ts';
import { TEST_COUNTERPARTY_KEY } from '../../test/support/counterpartyKey.ts';

let fx: RailFixture;
let seq = 0;
const key = (label: string): string => `commits-${label}-${++seq}-${Date.now()}`;
const intent = (k: string, to: string, amount = '2') => ({
  kind: 'crypto',
  idempotencyKey: k,
  agentId: 'agent-commits',
  asset: 'USDC',
  amount,
  to,
});

beforeAll(async () => {
  fx = await startRailFixture(7);
});
afterAll(async () => {
  await fx?.close();
});

/** The rail database seen through a counter of committed write transactions (autocommit writes count as one each). */
function counted(sql: RailSql, log: string[]): RailSql {
  const isWrite = (s: string) => /^\s*(INSERT|UPDATE|DELETE|WITH)/i.test(s);
  const inner = (tx: RailSql, wrote: { yes: boolean; async: boolean }): RailSql => ({
    query: async <R extends Record<string, unknown>>(s: string, p?: readonly unknown[]) => {
      if (isWrite(s)) wrote.yes = true;
      if (/synchronous_commit = off/.test(s)) wrote.async = true;
      return tx.query<R>(s, p);
    },
    transaction: (fn) => fn(inner(tx, wrote)),
  });
  return {
    query: async <R extends Record<string, unknown>>(s: string, p?: readonly unknown[]) => {
      const rows = await sql.query<R>(s, p);
      if (isWrite(s)) log.push('durable');
      return rows;
    },
    transaction: async (fn) => {
      const wrote = { yes: false, async: false };
      const result = await sql.transaction((tx) => fn(inner(tx, wrote)));
      if (wrote.yes) log.push(wrote.async ? 'async' : 'durable');
      return result;
    },
  };
}

const limitsOn = (sql: RailSql, max = '100') =>
  new SpendingLimits({
    sql,
    rules: [{ scope: 'agent:agent-commits', window: 'transaction', unit: 'native', asset: 'USDC', max }],
    assetDecimals: { USDC: 6 },
    referenceDecimals: 6,
    counterpartyKey: TEST_COUNTERPARTY_KEY,
  });

const rows = async (table: string, k: string) =>
  (await fx.db.pool.query(`SELECT * FROM ${table} WHERE idempotency_key = $1`, [k])).rows;

describe('EvmRail commits per payment', () => {
  it('rails commits - one durable commit holds intent, reservation, nonce and signed bytes before the broadcast; one asynchronous commit settles', async () => {
    const log: string[] = [];
    const sql = counted(fx.db.sql, log);
    const provider = fx.node.provider();
    const k = key('one');
    let atBroadcast: { log: string[]; intent: unknown[]; reservation: unknown[]; attempts: unknown[] } | undefined;
    const send = provider.send.bind(provider);
    provider.send = async (method: string, params: unknown[] | Record<string, unknown>) => {
      if (method === 'eth_sendRawTransaction' && atBroadcast === undefined)
        atBroadcast = {
          log: [...log],
          intent: await rows('rail_intents', k),
          reservation: await rows('limit_reservations', k),
          attempts: await rows('rail_attempts', k),
        };
      return send(method, params);
    };
    const rail = await fx.rail({ sql, provider, limits: limitsOn(sql), agentId: 'agent-commits' });
    const receipt = await rail.sendCrypto(intent(k, Wallet.createRandom().address));
    expect(receipt.status).toBe('confirmed');
    expect(atBroadcast!.log).toEqual(['durable']);
    expect(atBroadcast!.intent).toMatchObject([{ status: 'signed' }]);
    expect(atBroadcast!.reservation).toMatchObject([{ status: 'reserved' }]);
    expect(atBroadcast!.attempts).toMatchObject([{ status: 'signed', raw_tx: expect.stringMatching(/^0x02/) }]);
    // Then one asynchronous commit: the settlement (receipt, limit commit) with the attempt's broadcast mark.
    expect(log).toEqual(['durable', 'async']);
    expect(await rows('rail_attempts', k)).toMatchObject([{ status: 'broadcast' }]);
    expect(await rows('limit_reservations', k)).toMatchObject([{ status: 'committed' }]);
  });

  it('rails commits - a crash that lost the broadcast mark and the settlement is reconciled from the chain, paid once', async () => {
    const limits = limitsOn(fx.db.sql);
    const rail = await fx.rail({ limits, agentId: 'agent-commits' });
    const to = Wallet.createRandom().address;
    const k = key('lost');
    const first = await rail.sendCrypto(intent(k, to, '3'));
    expect(first.status).toBe('confirmed');
    // What the last two commits wrote is gone: back to the state of the write-ahead commit.
    const signed = { ...first, status: 'pending', confirmations: 0, finalizedAt: null, fees: [], submittedAt: null };
    await fx.db.pool.query(`UPDATE rail_intents SET status = 'signed', receipt = $2 WHERE idempotency_key = $1`, [
      k,
      JSON.stringify({ ...signed, details: { from: first.details['from'], nonce: first.details['nonce'] } }),
    ]);
    await fx.db.pool.query(`UPDATE rail_attempts SET status = 'signed' WHERE idempotency_key = $1`, [k]);
    await fx.db.pool.query(`UPDATE limit_reservations SET status = 'reserved' WHERE idempotency_key = $1`, [k]);

    const restarted = await fx.rail({ limits, agentId: 'agent-commits' });
    const recovered = await restarted.recover();
    const again = recovered.find((r) => r.idempotencyKey === k)!;
    expect(again).toMatchObject({ status: 'confirmed', reference: first.reference });
    expect(await fx.usdcBalance(to)).toBe(3_000_000n);
    expect(await rows('rail_attempts', k)).toMatchObject([{ status: 'broadcast', tx_hash: first.reference }]);
    expect(await rows('limit_reservations', k)).toMatchObject([{ status: 'committed' }]);
    expect((await restarted.sendCrypto(intent(k, to, '3'))).reference).toBe(first.reference);
  });

  it('rails commits - a refusal inside the write-ahead transaction leaves only the failed intent: no reservation, attempt or nonce', async () => {
    const nonceOf = async () =>
      (await fx.db.pool.query('SELECT next_nonce FROM rail_nonces')).rows.map((r) => String(r['next_nonce']));
    const before = await nonceOf();
    const over = key('over');
    const rail = await fx.rail({ limits: limitsOn(fx.db.sql, '1'), agentId: 'agent-commits' });
    const payee = Wallet.createRandom().address;
    const refused = await rail.sendCrypto(intent(over, payee, '5'));
    expect(refused).toMatchObject({ status: 'failed', failure: { code: 'MANDATE_ERR_LIMIT_EXCEEDED' } });

    const kill = new TestKillSwitch();
    kill.engaged = true;
    const halted = key('halted');
    const stopped = await fx.rail({ limits: limitsOn(fx.db.sql), agentId: 'agent-commits', killSwitch: kill });
    const receipt = await stopped.sendCrypto(intent(halted, Wallet.createRandom().address));
    expect(receipt).toMatchObject({ status: 'failed', failure: { code: 'MANDATE_ERR_WALLET_SIGNING_HALTED' } });

    for (const k of [over, halted]) {
      expect(await rows('rail_intents', k)).toMatchObject([{ status: 'failed' }]);
      expect(await rows('rail_attempts', k)).toEqual([]);
      expect((await rows('limit_reservations', k)).filter((r) => r['status'] !== 'released')).toEqual([]);
    }
    expect(await nonceOf()).toEqual(before);
    // The same key again returns the recorded refusal, without signing.
    expect(await rail.sendCrypto(intent(over, payee, '5'))).toEqual(refused);
  });
});
