/**
 * Two defects of x402 sales across a crash: a sale *held* for approval when its process crashed kept
 * answering 202 for ever (the follow-up that settles it lived only in the dead process), and a sale
 * found interrupted after a restart raised no alert. The selling process is "killed" the way
 * x402SaleRecovery.test.ts does it (its database access severed); a second seller on the same
 * database answers the buyer's retries. Paid at most once, checked on chain.
 */
import { x402Client } from '@x402/core/client';
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from '@x402/core/http';
import { HTTPFacilitatorClient } from '@x402/core/server';
import { registerExactEvmScheme } from '@x402/evm/exact/client';
import { Contract, parseUnits, Wallet } from 'ethers';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X402SaleRefusedError, X402Seller, type SaleWork, type X402Offer } from '../../actors/index.ts';
import type { RailSql } from '../../actors/rails/RailSql.ts';
import { ErrorCode } from '../../kernel/index.ts';
import { createRuntime, type MandateRuntime } from '../../runtime/index.ts';
import { startEmbeddedTreasury, type EmbeddedTreasury } from '../support/embeddedTreasury.ts';
import { startHttpFacilitator, type HttpFacilitator } from '../support/x402Facilitator.ts';

let t: EmbeddedTreasury;
let facilitator: HttpFacilitator;
let runtime: MandateRuntime;
let payTo: string;
let usdc: string;
let client: x402Client;
let restarted: X402Seller;
const actions: string[] = [];
const URL_OF = 'http://127.0.0.1/x402/';

const offer = (capability: string): X402Offer => ({
  capability,
  price: '0.02',
  asset: { chainId: t.chain.chainId, address: usdc, symbol: 'USDC', decimals: 6, name: 'USD Coin', version: '2' },
  payTo,
});

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

function sellerOf(sql: RailSql, alert?: MandateRuntime['alert']): X402Seller {
  const token = new Contract(
    usdc,
    ['function authorizationState(address, bytes32) view returns (bool)'],
    t.chain.provider(),
  );
  return new X402Seller({
    sql,
    facilitator: new HTTPFacilitatorClient({ url: facilitator.url, timeoutMs: 5_000 }),
    offers: [offer('report.buy'), offer('report.write')],
    audit: async (e) => void actions.push(`${e.action} ${e.subject}`),
    authorizationUsed: async (payer, nonce) => (await token.getFunction('authorizationState')(payer, nonce)) as boolean,
    heartbeatMs: 50,
    staleAfterMs: 400,
    ...(alert === undefined ? {} : { alert: (a) => alert(a) }),
  });
}

async function paymentFor(seller: X402Seller, capability: string): Promise<string> {
  const required = seller.paymentRequired(seller.offerFor(capability)!, `${URL_OF}${capability}`);
  const decoded = decodePaymentRequiredHeader(required.headers['payment-required']!);
  return encodePaymentSignatureHeader(await client.createPaymentPayload(decoded));
}

const HELD = { status: 'pending', approvalId: 'ap-1', decisionId: 'd-1' };

/** A retry on the restarted process: the task must not run again; `outcome` is what the held task came to. */
function retry(capability: string, header: string, o: { outcome: () => SaleWork | undefined; runs: { n: number } }) {
  const { outcome, runs } = o;
  return restarted.sell({
    offer: restarted.offerFor(capability)!,
    url: `${URL_OF}${capability}`,
    header,
    work: async () => {
      runs.n++;
      return { kind: 'delivered', body: { report: 'ran again' } };
    },
    heldOutcome: async (held) => (expect(held).toEqual(HELD), outcome()),
  });
}

/** Sells `capability` on a process whose task is held for approval, then crashes before it is decided. */
async function crashWhileHeld(capability: string, header: string): Promise<void> {
  const sql = severable(t.db.sql);
  const doomed = sellerOf(sql);
  const answer = await doomed.sell({
    offer: doomed.offerFor(capability)!,
    url: `${URL_OF}${capability}`,
    header,
    work: async () => ({ kind: 'held', body: HELD, later: new Promise<SaleWork>(() => undefined) }),
  });
  expect(answer.status).toBe(202);
  sql.sever();
}

/** Sells `capability` on a process that crashes while its task runs; the id of its `working` sale. */
async function crashWhileRunning(capability: string, header: string): Promise<string> {
  const sql = severable(t.db.sql);
  const doomed = sellerOf(sql);
  let running = false;
  void doomed.sell({
    offer: doomed.offerFor(capability)!,
    url: `${URL_OF}${capability}`,
    header,
    work: async () => ((running = true), new Promise<SaleWork>(() => undefined)),
  });
  for (let i = 0; i < 500 && !running; i++) await new Promise((r) => setTimeout(r, 10));
  sql.sever();
  const rows = await t.db.sql.query(
    `SELECT id FROM rail_x402_sales WHERE status = 'working' AND capability = $1 ORDER BY created_at DESC LIMIT 1`,
    [capability],
  );
  return rows[0]!.id as string;
}

const codeOf = (body: unknown) => (body as { error: { code: string } }).error.code;

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
  runtime = await createRuntime();
  restarted = sellerOf(t.db.sql, (a) => runtime.alert(a));
});
afterAll(async () => {
  await runtime?.shutdown();
  await facilitator?.close();
  await t?.close();
});

describe('x402 sales across a crash', () => {
  it('x402 recovery - a sale held for approval when its process crashed does not answer 202 for ever: approved meanwhile, the retry gets 200 with the resource, settled once', async () => {
    const header = await paymentFor(restarted, 'report.buy');
    const before = await t.balance('USDC', payTo);
    await crashWhileHeld('report.buy', header);
    const runs = { n: 0 };
    const decision: { work?: SaleWork } = {};
    const waiting = await retry('report.buy', header, { outcome: () => decision.work, runs });
    expect([waiting.status, waiting.body]).toEqual([202, HELD]); // the approval is still open
    decision.work = { kind: 'delivered', body: { report: 'Q4 volumes' } };
    const [a, b] = await Promise.all([
      retry('report.buy', header, { outcome: () => decision.work, runs }),
      retry('report.buy', header, { outcome: () => decision.work, runs }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body).toEqual({ report: 'Q4 volumes' });
    expect(a.headers['payment-response']).toBeDefined();
    expect(runs.n).toBe(0);
    expect((await t.balance('USDC', payTo)) - before).toBe(parseUnits('0.02', 6));
    const again = await retry('report.buy', header, { outcome: () => undefined, runs });
    expect([again.status, again.body]).toEqual([200, { report: 'Q4 volumes' }]);
    expect((await t.balance('USDC', payTo)) - before).toBe(parseUnits('0.02', 6));
    expect(actions.filter((x) => x === 'x402.sale.settled report.buy')).toHaveLength(1);
  });

  it('x402 recovery - a held sale whose approval was rejected while its process was down answers the coded refusal, nothing charged', async () => {
    const header = await paymentFor(restarted, 'report.write');
    const before = await t.balance('USDC', payTo);
    await crashWhileHeld('report.write', header);
    const runs = { n: 0 };
    const refusal: SaleWork = {
      kind: 'refused',
      error: new X402SaleRefusedError('The paid task was not carried out: the approval was rejected.'),
      body: { decisionId: 'd-1' },
    };
    const refused = await retry('report.write', header, { outcome: () => refusal, runs });
    expect([refused.status, codeOf(refused.body)]).toEqual([403, ErrorCode.MANDATE_ERR_X402_SALE_REFUSED]);
    const again = await retry('report.write', header, { outcome: () => undefined, runs });
    expect([again.status, codeOf(again.body)]).toEqual([403, ErrorCode.MANDATE_ERR_X402_SALE_REFUSED]);
    expect(runs.n).toBe(0);
    expect(await t.balance('USDC', payTo)).toBe(before);
    expect(actions).toContain('x402.sale.refused report.write');
  });

  it('x402 recovery - an interrupted sale found after a restart raises an alert, once', async () => {
    const header = await paymentFor(restarted, 'report.write');
    await crashWhileRunning('report.write', header);
    await new Promise((r) => setTimeout(r, 600)); // the claim goes stale
    const found = (await restarted.sales(['working'])).filter((s) => s.capability === 'report.write');
    expect(found.map((s) => s.status)).toEqual(['interrupted']);
    await restarted.sales(['interrupted']); // looked at again: re-derived, no second alert
    const alerts = runtime.listAlerts().filter((a) => a.code === ErrorCode.MANDATE_ERR_X402_SALE_INTERRUPTED);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ severity: 'warning' });
    expect(alerts[0]!.message).toContain(found[0]!.id);
  });

  it('x402 recovery - the scan at start finds a sale a crash interrupted, with no retry, and raises its alert once: not again on the next restart', async () => {
    const header = await paymentFor(restarted, 'report.write');
    const id = await crashWhileRunning('report.write', header);
    const raised: string[] = [];
    const first = sellerOf(t.db.sql, (a) => void raised.push(`${a.code} ${a.message}`));
    // Started right after the crash: the claim is still fresh, so the scan looks again when it goes stale.
    expect((await first.start()).find((s) => s.id === id)?.status).toBe('working');
    for (let i = 0; i < 300 && !raised.some((m) => m.includes(id)); i++) await new Promise((r) => setTimeout(r, 10));
    first.stop();
    expect(raised.filter((m) => m.includes(id))).toEqual([
      expect.stringContaining(ErrorCode.MANDATE_ERR_X402_SALE_INTERRUPTED),
    ]);
    const second = sellerOf(t.db.sql, (a) => void raised.push(`${a.code} ${a.message}`));
    expect((await second.start()).find((s) => s.id === id)?.status).toBe('interrupted');
    second.stop();
    expect(raised.filter((m) => m.includes(id))).toHaveLength(1);
    expect(actions.filter((a) => a === 'x402.sale.interrupted report.write').length).toBeGreaterThan(0);
  });

  it('x402 recovery - a sale made interrupted by a process that raised no alert gets its alert from the next scan at start, once', async () => {
    const header = await paymentFor(restarted, 'report.write');
    const id = await crashWhileRunning('report.write', header);
    await new Promise((r) => setTimeout(r, 600)); // the claim goes stale
    const silent = sellerOf(t.db.sql); // no alert sink: it recovers the sale and marks nothing
    expect((await silent.sales(['working'])).find((s) => s.id === id)?.status).toBe('interrupted');
    const raised: string[] = [];
    for (let restart = 0; restart < 2; restart++) {
      const seller = sellerOf(t.db.sql, (a) => void raised.push(a.message));
      await seller.start();
      seller.stop();
    }
    expect(raised.filter((m) => m.includes(id))).toHaveLength(1);
    const [row] = await t.db.sql.query(`SELECT status, result FROM rail_x402_sales WHERE id = $1`, [id]);
    expect(row).toMatchObject({ status: 'interrupted', result: { alertedAt: expect.any(String) } });
  });
});
