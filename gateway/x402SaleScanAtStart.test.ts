/**
 * x402 sales a crash left unsettled, found by the scan the gateway runs when it starts
 * (`x402SaleRoutes`' onReady hook, `X402Seller.start`), before any buyer retries or any operator
 * lists them. Each selling process is "killed" mid-task the way test/chain/x402SaleRecovery.test.ts
 * does it (its task never returns, its database access is severed); the gateway then starts on the
 * same database, as the restarted process. What the scan finds ends exactly once: settled once (a
 * resumable sale, by the buyer's retry of the same payment through the gateway) or never charged
 * (x402 has no refund: the authorization stays unspent — released by an operator, or expired), and
 * a second and third start change nothing. Paid at most once, checked on chain; the payments are
 * signed by the x402 packages' client and verified and settled by their facilitator over HTTP
 * (test/support/x402Facilitator.ts) on the embedded chain's EIP-3009 USDC.
 */
import { x402Client } from '@x402/core/client';
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from '@x402/core/http';
import { HTTPFacilitatorClient } from '@x402/core/server';
import { registerExactEvmScheme } from '@x402/evm/exact/client';
import { Contract, parseUnits, Wallet } from 'ethers';
import type { FastifyInstance } from 'fastify';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X402Seller, type Decider, type SaleWork, type X402Offer } from '../actors/index.ts';
import type { RailSql } from '../actors/rails/RailSql.ts';
import { ErrorCode } from '../kernel/index.ts';
import { createRuntime, defineAgent, type MandateRuntime } from '../runtime/index.ts';
import { startEmbeddedTreasury, type EmbeddedTreasury } from '../test/support/embeddedTreasury.ts';
import { startHttpFacilitator, type HttpFacilitator } from '../test/support/x402Facilitator.ts';
import { createGateway } from './createGateway.ts';
import { TokenStore } from './TokenStore.ts';

let t: EmbeddedTreasury;
let facilitator: HttpFacilitator;
let runtime: MandateRuntime;
let usdc: string;
let payTo: string;
let client: x402Client;
let token: Contract;
/** Runs of the restarted process's governed task. */
let runs = 0;
const audits: string[] = [];
/** The alerts the sellers raised (each also goes to the runtime, which folds repeats of one code into one record). */
const raised: Array<{ code: string; message: string }> = [];
const URL_OF = 'http://127.0.0.1/x402/';
const PRICE = '0.03';

/** `data.read` may run twice for one payment (it only reads); `data.write` and `data.move` may not. */
const offer = (capability: string, resumable = false): X402Offer => ({
  capability,
  price: PRICE,
  asset: { chainId: t.chain.chainId, address: usdc, symbol: 'USDC', decimals: 6, name: 'USD Coin', version: '2' },
  payTo,
  resumable,
});

/** A database handle that can be cut: after `sever()` every query fails, as for a process that died. */
function severable(sql: RailSql): RailSql & { sever(): void } {
  let cut = false;
  const guard = (): void => {
    if (cut) throw new Error('connection lost: the process is gone');
  };
  return {
    sever: () => void (cut = true),
    query: async (q, p) => (guard(), sql.query(q, p)),
    transaction: async (fn) => (guard(), sql.transaction(fn)),
  };
}

/** A seller of the three offers on `sql`, its clock `aheadMs` ahead; its alerts go to the runtime. */
function sellerOf(sql: RailSql, aheadMs = 0): X402Seller {
  return new X402Seller({
    sql,
    facilitator: new HTTPFacilitatorClient({ url: facilitator.url, timeoutMs: 5_000 }),
    offers: [offer('data.read', true), offer('data.write'), offer('data.move')],
    audit: async (e) => void audits.push(`${e.action} ${e.subject}`),
    authorizationUsed: async (payer, nonce) => (await token.getFunction('authorizationState')(payer, nonce)) as boolean,
    alert: (a) => (raised.push(a), runtime.alert(a)),
    now: () => new Date(Date.now() + aheadMs),
    heartbeatMs: 50,
    staleAfterMs: 400,
  });
}

/** A payment for `capability` signed by the raw x402 client, answering the seller's 402. */
async function paymentFor(capability: string): Promise<string> {
  const seller = sellerOf(t.db.sql);
  const required = seller.paymentRequired(seller.offerFor(capability)!, `${URL_OF}${capability}`);
  const decoded = decodePaymentRequiredHeader(required.headers['payment-required']!);
  return encodePaymentSignatureHeader(await client.createPaymentPayload(decoded));
}

/** Sells `capability` on a process that crashes while its task runs; the id of the `working` sale it leaves. */
async function crashMidTask(capability: string, header: string): Promise<string> {
  const sql = severable(t.db.sql);
  const doomed = sellerOf(sql);
  let ran = 0;
  void doomed.sell({
    offer: doomed.offerFor(capability)!,
    url: `${URL_OF}${capability}`,
    header,
    work: async () => (ran++, new Promise<SaleWork>(() => undefined)),
  });
  for (let i = 0; i < 500 && ran === 0; i++) await new Promise((r) => setTimeout(r, 10));
  expect(ran).toBe(1);
  sql.sever();
  const rows = await t.db.sql.query(
    `SELECT id FROM rail_x402_sales WHERE status = 'working' AND capability = $1 ORDER BY created_at DESC LIMIT 1`,
    [capability],
  );
  return rows[0]!.id as string;
}

/** Starts a gateway (the restarted process) over `seller`: once listening, its start-up scan has run. */
async function startGateway(seller: X402Seller): Promise<{ app: FastifyInstance; base: string; operator: string }> {
  const tokens = new TokenStore();
  const operator = tokens.issue('ops', 'operator').token;
  const app = await createGateway({ runtime, tokens, x402: seller });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base: `http://127.0.0.1:${(app.server.address() as { port: number }).port}`, operator };
}

/** The sales as stored, read from the database (not through the seller, which would recover them itself). */
async function stored(ids: readonly string[]): Promise<Record<string, { status: string; alerted: boolean }>> {
  const rows = await t.db.sql.query(`SELECT id, status, result FROM rail_x402_sales WHERE id = ANY($1::text[])`, [ids]);
  return Object.fromEntries(
    rows.map((r) => [
      r.id as string,
      {
        status: r.status as string,
        alerted: typeof (r.result as { alertedAt?: unknown } | null)?.alertedAt === 'string',
      },
    ]),
  );
}

const interruptedAlerts = (id: string) =>
  raised.filter((a) => a.code === ErrorCode.MANDATE_ERR_X402_SALE_INTERRUPTED && a.message.includes(id));
const count = (entry: string) => audits.filter((a) => a === entry).length;
const codeOf = (body: unknown) => (body as { error?: { code?: string } }).error?.code;
const nonceOf = (id: string) => id.split(':').at(-1)!;
const used = async (id: string) =>
  (await token.getFunction('authorizationState')(id.split(':')[2]!, nonceOf(id))) as boolean;

async function buy(base: string, capability: string, header: string) {
  const res = await fetch(`${base}/x402/${capability}?q=1`, { headers: { 'payment-signature': header } });
  return { status: res.status, body: (await res.json()) as unknown };
}

beforeAll(async () => {
  t = await startEmbeddedTreasury();
  usdc = t.chain.contracts.tokens.USDC!;
  token = new Contract(usdc, ['function authorizationState(address, bytes32) view returns (bool)'], t.chain.provider());
  payTo = Wallet.createRandom().address;
  const key = Wallet.createRandom();
  await t.fund(key.address, {});
  facilitator = await startHttpFacilitator({
    provider: t.chain.provider(),
    chainId: t.chain.chainId,
    facilitatorKey: key.privateKey as `0x${string}`,
  });
  const buyer = Wallet.createRandom();
  await t.fund(buyer.address, { usdc: '10' });
  client = x402Client.fromConfig({
    schemes: [],
    spendControls: { allowedAssets: [{ network: `eip155:${t.chain.chainId}`, asset: usdc }] },
  });
  registerExactEvmScheme(client, { signer: privateKeyToAccount(buyer.privateKey as `0x${string}`) });
  // The restarted process's runtime: one agent that serves the three capabilities (an internal answer).
  runtime = await createRuntime();
  // Only the resumable data.read is ever run here: a run of anything else would show in `runs`.
  const decide: Decider = {
    async decide() {
      return {
        action: { type: 'data.answer', capability: 'data.read', account: 'data', params: {} },
        confidence: 1,
        rationale: 'answer data.read',
        rulesFired: ['answer'],
        model: null,
      };
    },
  };
  await runtime.spawn(
    defineAgent({
      id: 'librarian',
      capabilities: ['data.read', 'data.write', 'data.move'],
      permissions: ['data.read', 'data.write', 'data.move'].map((capability) => ({ capability, accounts: ['data'] })),
      perceive: () => ({}),
      decide,
      act: {
        name: 'data',
        effect: 'internal',
        execute: async () => (runs++, { status: 'succeeded', receipt: { data: 'the dataset' } }),
      },
    }),
  );
});
afterAll(async () => {
  await runtime?.shutdown();
  await facilitator?.close();
  await t?.close();
});

describe('x402 sales found by the scan at gateway start', () => {
  it('x402 scan at start - sales a crash left unsettled are found before any retry and end exactly once: a resumable one settled once, the others never charged; restarts change nothing', async () => {
    const before = await t.balance('USDC', payTo);
    const headers = {
      read: await paymentFor('data.read'),
      write: await paymentFor('data.write'),
      move: await paymentFor('data.move'),
    };
    const ids = {
      read: await crashMidTask('data.read', headers.read),
      write: await crashMidTask('data.write', headers.write),
      move: await crashMidTask('data.move', headers.move),
    };
    const all = Object.values(ids);
    await new Promise((r) => setTimeout(r, 600)); // the dead process's claims go stale
    const statuses = async () => {
      const now = await stored(all);
      return all.map((id) => now[id]?.status);
    };
    expect(await statuses()).toEqual(['working', 'working', 'working']);

    // Start 1: the scan alone (no retry, no listing yet) recovers every sale the crash left behind.
    const first = await startGateway(sellerOf(t.db.sql));
    expect(await stored(all)).toEqual({
      [ids.read]: { status: 'resumable', alerted: false },
      [ids.write]: { status: 'interrupted', alerted: true },
      [ids.move]: { status: 'interrupted', alerted: true },
    });
    expect(interruptedAlerts(ids.write)).toHaveLength(1);
    expect(interruptedAlerts(ids.move)).toHaveLength(1);
    expect([count('x402.sale.resumable data.read'), count('x402.sale.interrupted data.write')]).toEqual([1, 1]);

    // The resumable sale: the buyer's retries of the same payment (two at once, then one more) run it once and settle once.
    const [a, b] = await Promise.all([
      buy(first.base, 'data.read', headers.read),
      buy(first.base, 'data.read', headers.read),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body).toMatchObject({ outcome: { status: 'succeeded', receipt: { data: 'the dataset' } } });
    const again = await buy(first.base, 'data.read', headers.read);
    expect(again.status).toBe(200);
    expect(runs).toBe(1);
    expect(count('x402.sale.settled data.read')).toBe(1);
    expect((await t.balance('USDC', payTo)) - before).toBe(parseUnits(PRICE, 6));
    expect(await used(ids.read)).toBe(true);

    // The interrupted sale: refused (409) until an operator releases it, then ended unsettled (402); never run again.
    const waiting = await buy(first.base, 'data.write', headers.write);
    expect([waiting.status, codeOf(waiting.body)]).toEqual([409, ErrorCode.MANDATE_ERR_X402_SALE_INTERRUPTED]);
    const released = await fetch(`${first.base}/api/x402/sales/${encodeURIComponent(ids.write)}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.operator}`, 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'release', reason: 'refund the buyer: the write never happened' }),
    });
    expect(released.status).toBe(200);
    const ended = await buy(first.base, 'data.write', headers.write);
    expect([ended.status, codeOf(ended.body)]).toEqual([402, ErrorCode.MANDATE_ERR_X402_PAYMENT_REQUIRED]);
    expect(runs).toBe(1);
    await first.app.close();

    // Start 2, once the authorizations' validBefore has passed: the scan ends the other interrupted sale as expired.
    const second = await startGateway(sellerOf(t.db.sql, 301_000));
    expect(await statuses()).toEqual(['settled', 'released', 'expired']);
    const expired = await buy(second.base, 'data.move', headers.move);
    expect([expired.status, codeOf(expired.body)]).toEqual([402, ErrorCode.MANDATE_ERR_X402_PAYMENT_REQUIRED]);
    await second.app.close();

    // Start 3: nothing left to find; no second alert, audit, run or charge.
    const third = await startGateway(sellerOf(t.db.sql));
    await third.app.close();
    expect(await statuses()).toEqual(['settled', 'released', 'expired']);
    expect([interruptedAlerts(ids.write).length, interruptedAlerts(ids.move).length]).toEqual([1, 1]);
    const kept = runtime.listAlerts().filter((a) => a.code === ErrorCode.MANDATE_ERR_X402_SALE_INTERRUPTED);
    expect(kept.map((a) => a.count)).toEqual([2]); // the two sales' alerts, folded into one record
    expect({
      resumable: count('x402.sale.resumable data.read'),
      settled: count('x402.sale.settled data.read'),
      released: count('x402.sale.released data.write'),
      expired: count('x402.sale.expired data.move'),
      settledOthers: count('x402.sale.settled data.write') + count('x402.sale.settled data.move'),
    }).toEqual({ resumable: 1, settled: 1, released: 1, expired: 1, settledOthers: 0 });
    expect(runs).toBe(1);
    expect(facilitator.settlements).toHaveLength(1);
    expect((await t.balance('USDC', payTo)) - before).toBe(parseUnits(PRICE, 6));
    expect([await used(ids.write), await used(ids.move)]).toEqual([false, false]);
  });
});
