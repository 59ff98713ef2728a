/**
 * x402 sales interrupted by a crash while their task runs. The selling process is "killed" mid-task:
 * its task never returns and its database access is severed, so its claim stops being touched,
 * exactly what a dead process leaves behind. A second seller on the same database (the restarted
 * process) then answers the buyer's retries: in progress while the claim is fresh; once stale,
 * recovered from what is certain — a resumable offer runs again and settles once, an expired
 * authorization ends unsettled, otherwise the sale waits for an operator, who resumes or releases it
 * through the gateway. Paid at most once, checked on chain.
 */
import { x402Client } from '@x402/core/client';
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from '@x402/core/http';
import { HTTPFacilitatorClient } from '@x402/core/server';
import { registerExactEvmScheme } from '@x402/evm/exact/client';
import { Contract, parseUnits, Wallet } from 'ethers';
import type { FastifyInstance } from 'fastify';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { X402Seller, type SaleAudit, type X402Offer } from '../../actors/index.ts';
import { x402Command } from '../../cli/x402Command.ts';
import type { RailSql } from '../../actors/rails/RailSql.ts';
import { createGateway, TokenStore } from '../../gateway/index.ts';
import { ErrorCode } from '../../kernel/index.ts';
import { createRuntime, type MandateRuntime } from '../../runtime/index.ts';
import { startEmbeddedTreasury, type EmbeddedTreasury } from '../support/embeddedTreasury.ts';
import { startHttpFacilitator, type HttpFacilitator } from '../support/x402Facilitator.ts';

let t: EmbeddedTreasury;
let facilitator: HttpFacilitator;
let runtime: MandateRuntime;
let app: FastifyInstance;
let base: string;
let operator: string;
let payTo: string;
let usdc: string;
let client: x402Client;
let restarted: X402Seller;
let clock = 0; // ms added to the restarted process's clock
const audits: SaleAudit[] = [];
const URL_OF = 'http://127.0.0.1/x402/';

const offer = (capability: string, resumable = false): X402Offer => ({
  capability,
  price: '0.03',
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

function sellerOf(sql: RailSql, now: () => Date = () => new Date()): X402Seller {
  const token = new Contract(
    usdc,
    ['function authorizationState(address, bytes32) view returns (bool)'],
    t.chain.provider(),
  );
  return new X402Seller({
    sql,
    facilitator: new HTTPFacilitatorClient({ url: facilitator.url, timeoutMs: 5_000 }),
    offers: [offer('data.read', true), offer('data.write'), offer('data.move')],
    audit: async (e) => void audits.push(e),
    authorizationUsed: async (payer, nonce) => (await token.getFunction('authorizationState')(payer, nonce)) as boolean,
    now,
    heartbeatMs: 50,
    staleAfterMs: 400,
  });
}

/** A signed payment for `capability` (the raw x402 client answering the seller's 402). */
async function paymentFor(seller: X402Seller, capability: string): Promise<string> {
  const required = seller.paymentRequired(seller.offerFor(capability)!, `${URL_OF}${capability}`);
  const decoded = decodePaymentRequiredHeader(required.headers['payment-required']!);
  return encodePaymentSignatureHeader(await client.createPaymentPayload(decoded));
}

/** Sells `capability` through `seller` with `header`; `runs` counts how often the task ran. */
function sell(seller: X402Seller, sale: { capability: string; header: string }, runs: { n: number; hang?: boolean }) {
  const { capability, header } = sale;
  return seller.sell({
    offer: seller.offerFor(capability)!,
    url: `${URL_OF}${capability}`,
    header,
    work: async () => {
      runs.n++;
      if (runs.hang === true) await new Promise(() => undefined); // the process dies with its task in flight
      return { kind: 'delivered', body: { data: capability } };
    },
  });
}

/** Starts a sale on a process that then crashes mid-task; resolves once its task is running. */
async function crashMidTask(capability: string, header: string, runs: { n: number }): Promise<void> {
  const sql = severable(t.db.sql);
  const doomed = sellerOf(sql);
  const doomedRuns = { n: 0, hang: true };
  void sell(doomed, { capability, header }, doomedRuns).then(() => undefined);
  for (let i = 0; i < 500 && doomedRuns.n === 0; i++) await new Promise((r) => setTimeout(r, 10));
  runs.n += doomedRuns.n;
  expect(doomedRuns.n).toBe(1);
  sql.sever();
}

const stale = () => new Promise((r) => setTimeout(r, 600));
const codeOf = (body: unknown) => (body as { error: { code: string } }).error.code;

async function resolve(id: string, body: Record<string, unknown>) {
  const res = await fetch(`${base}/api/x402/sales/${encodeURIComponent(id)}/resolve`, {
    method: 'POST',
    headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  t = await startEmbeddedTreasury();
  usdc = t.chain.contracts.tokens.USDC!;
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
  restarted = sellerOf(t.db.sql, () => new Date(Date.now() + clock));
  runtime = await createRuntime();
  const tokens = new TokenStore();
  operator = tokens.issue('ops', 'operator').token;
  app = await createGateway({ runtime, tokens, x402: restarted });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app?.close();
  await runtime?.shutdown();
  await facilitator?.close();
  await t?.close();
});

describe('x402 sale recovery', () => {
  it('x402 recovery - a resumable sale interrupted mid-task is resumed by the retry once stale: run again, paid once', async () => {
    const header = await paymentFor(restarted, 'data.read');
    const runs = { n: 0 };
    const before = await t.balance('USDC', payTo);
    await crashMidTask('data.read', header, runs);
    const early = await sell(restarted, { capability: 'data.read', header }, runs);
    expect([early.status, codeOf(early.body)]).toEqual([409, ErrorCode.MANDATE_ERR_X402_SALE_IN_PROGRESS]);
    await stale();
    const resumed = await sell(restarted, { capability: 'data.read', header }, runs);
    expect(resumed.status).toBe(200);
    expect(runs.n).toBe(2);
    expect((await t.balance('USDC', payTo)) - before).toBe(parseUnits('0.03', 6));
    const again = await sell(restarted, { capability: 'data.read', header }, runs);
    expect([again.status, runs.n]).toEqual([200, 2]);
    expect((await t.balance('USDC', payTo)) - before).toBe(parseUnits('0.03', 6));
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(['x402.sale.resumable', 'x402.sale.resumed']));
  });

  it('x402 recovery - otherwise it waits for an operator: 409 coded, listed; resume runs it once and settles once', async () => {
    const header = await paymentFor(restarted, 'data.write');
    const runs = { n: 0 };
    const before = await t.balance('USDC', payTo);
    await crashMidTask('data.write', header, runs);
    await stale();
    const held = await sell(restarted, { capability: 'data.write', header }, runs);
    expect([held.status, codeOf(held.body)]).toEqual([409, ErrorCode.MANDATE_ERR_X402_SALE_INTERRUPTED]);
    expect(runs.n).toBe(1);
    const listed = (await (
      await fetch(`${base}/api/x402/sales?status=interrupted`, { headers: { authorization: `Bearer ${operator}` } })
    ).json()) as { sales: Array<{ id: string; capability: string }> };
    const sale = listed.sales.find((s) => s.capability === 'data.write')!;
    expect(sale).toBeDefined();
    expect((await resolve(sale.id, { action: 'resume' })).status).toBe(400); // a reason is required
    const ok = await resolve(sale.id, { action: 'resume', reason: 'the task log shows it never wrote' });
    expect(ok).toMatchObject({ status: 200, body: { sale: { status: 'resumable' } } });
    expect(audits.find((a) => a.action === 'x402.sale.resumable' && a.subject === 'data.write')?.who).toEqual({
      kind: 'human',
      id: 'ops',
    });
    const twice = await resolve(sale.id, { action: 'release', reason: 'too late' });
    expect([twice.status, codeOf(twice.body)]).toEqual([409, ErrorCode.MANDATE_ERR_STATE_CONFLICT]);
    const [a, b] = await Promise.all([
      sell(restarted, { capability: 'data.write', header }, runs),
      sell(restarted, { capability: 'data.write', header }, runs),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 200]);
    expect(runs.n).toBe(2);
    expect((await t.balance('USDC', payTo)) - before).toBe(parseUnits('0.03', 6));
  });

  it('x402 recovery - released by an operator, or past validBefore, the sale ends unsettled: 402, nothing charged', async () => {
    const before = await t.balance('USDC', payTo);
    const released = await paymentFor(restarted, 'data.move');
    const runs = { n: 0 };
    await crashMidTask('data.move', released, runs);
    await stale();
    const [sale] = (await restarted.sales(['working', 'interrupted'])).filter((s) => s.capability === 'data.move');
    expect(sale?.status).toBe('interrupted');
    // The operator's CLI: list, then release.
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
    const gw = ['--url', base, '--token', operator];
    try {
      expect(await x402Command(['sales', '--status', 'interrupted', ...gw])).toBe(0);
      expect(await x402Command(['resolve', sale!.id, '--release', '--reason', 'refund the buyer', ...gw])).toBe(0);
      await expect(x402Command(['resolve', sale!.id, '--release', '--resume', '--reason', 'x', ...gw])).rejects.toThrow(
        /exactly one of --resume or --release/,
      );
    } finally {
      log.mockRestore();
    }
    expect(printed[0]).toMatch(/^interrupted\s+data\.move/);
    expect(printed[0]).toContain(sale!.id);
    expect(printed[1]).toMatch(/^released\s+data\.move[\s\S]*refund the buyer/);
    const refused = await sell(restarted, { capability: 'data.move', header: released }, runs);
    expect([refused.status, codeOf(refused.body)]).toEqual([402, ErrorCode.MANDATE_ERR_X402_PAYMENT_REQUIRED]);
    expect(JSON.stringify(refused.body)).toMatch(/released: refund the buyer/);

    const expiring = await paymentFor(restarted, 'data.move');
    await crashMidTask('data.move', expiring, { n: 0 });
    await stale();
    clock = 301_000; // past the authorization's validBefore (maxTimeoutSeconds 300)
    const expired = await sell(restarted, { capability: 'data.move', header: expiring }, runs);
    clock = 0;
    expect(expired.status).toBe(402);
    expect(JSON.stringify(expired.body)).toMatch(/expired: authorization 0x[0-9a-f]{64} expired at/);
    expect(runs.n).toBe(1);
    expect(await t.balance('USDC', payTo)).toBe(before);
    const unknown = await resolve(`eip155:1:0x${'0'.repeat(40)}:0x${'0'.repeat(64)}`, {
      action: 'release',
      reason: 'x',
    });
    expect([unknown.status, codeOf(unknown.body)]).toEqual([404, ErrorCode.MANDATE_ERR_NOT_FOUND]);
  });
});
