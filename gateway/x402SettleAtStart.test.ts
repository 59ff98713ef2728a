/**
 * x402 sales whose task finished but whose settle was never recorded — the selling process was
 * killed between the task and the settle — settled by the restarted gateway's scan at start, with no
 * buyer retry, exactly once (`x402SaleSettler.ts`, `x402Settle.ts`). Checked on the embedded chain
 * (the payee's USDC balance and the token's `authorizationState`) and by counting the facilitator's
 * settle calls: the payment kept in the sale is settled once whether the dead process's settle never
 * left it or went through unrecorded; a scan racing the buyer's retries settles once; an
 * authorization past `validBefore` is never settled (`MANDATE_ERR_X402_SALE_EXPIRED`); a chain that
 * does not answer changes nothing (`MANDATE_ERR_X402_CHAIN_UNAVAILABLE`) and the sale is settled by
 * a later scan. Restarts change nothing.
 */
import { decodePaymentResponseHeader } from '@x402/core/http';
import { parseUnits } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../kernel/index.ts';
import {
  CAPABILITY,
  PRICE,
  REPORT,
  startSettleFixture,
  type SettleFixture,
} from '../test/support/x402SettleFixture.ts';

let f: SettleFixture;
const codeOf = (body: unknown) => (body as { error?: { code?: string } }).error?.code;
const count = (id: string, action: string) => f.actionsOf(id).filter((a) => a === action).length;
const paidToPayee = async (before: bigint) => (await f.t.balance('USDC', f.payTo)) - before;

beforeAll(async () => {
  f = await startSettleFixture();
});
afterAll(async () => {
  await f?.close();
});

describe('x402 sales a crash left delivered but unsettled, settled by the scan at gateway start', () => {
  it('x402 settle at start - a sale whose seller died between its task and its settle is settled by the scan alone, once, on chain; the retry gets the result; restarts change nothing', async () => {
    const before = await f.t.balance('USDC', f.payTo);
    const calls = f.facilitator.settleCalls;
    const header = await f.payment();
    const id = await f.crash(header, 'before-settle');
    expect([(await f.row(id)).status, await f.used(id), f.facilitator.settleCalls - calls]).toEqual([
      'settling',
      false,
      0,
    ]);

    // Start 1: no buyer retry, no operator; the scan settles the payment kept in the sale.
    const first = await f.gateway(f.sellerOf(f.t.db.sql));
    expect((await f.row(id)).status).toBe('settled');
    expect(await f.used(id)).toBe(true);
    expect(await paidToPayee(before)).toBe(parseUnits(PRICE, 6));
    expect(f.facilitator.settleCalls - calls).toBe(1);
    const settled = f.audits.filter((a) => a.action === 'x402.sale.settled' && a.data.nonce === id.split(':')[3]);
    expect(settled).toHaveLength(1);
    expect(settled[0]!.data).toMatchObject({ by: 'scan', amount: PRICE, currency: 'USDC' });
    expect(settled[0]!.data.transaction).toMatch(/^0x[0-9a-f]{64}$/);

    // The buyer's retry gets the result and the settle's PAYMENT-RESPONSE; nothing is run or settled again.
    const retry = await f.buy(first.base, header);
    expect([retry.status, retry.body]).toEqual([200, REPORT]);
    expect(decodePaymentResponseHeader(retry.headers.get('payment-response')!)).toMatchObject({ success: true });
    await first.app.close();

    // Starts 2 and 3: nothing left to settle.
    for (let i = 0; i < 2; i++) await (await f.gateway(f.sellerOf(f.t.db.sql))).app.close();
    expect((await f.row(id)).status).toBe('settled');
    expect(f.facilitator.settleCalls - calls).toBe(1);
    expect(count(id, 'x402.sale.settled')).toBe(1);
    expect(await paidToPayee(before)).toBe(parseUnits(PRICE, 6));
    expect(f.runs()).toBe(0);
  });

  it('x402 settle at start - a settle that went through but was never recorded is found spent on chain and recorded settled; nothing is sent again', async () => {
    const before = await f.t.balance('USDC', f.payTo);
    const calls = f.facilitator.settleCalls;
    const header = await f.payment();
    const id = await f.crash(header, 'after-settle');
    expect([(await f.row(id)).status, await f.used(id)]).toEqual(['settling', true]);

    const gw = await f.gateway(f.sellerOf(f.t.db.sql));
    expect((await f.row(id)).status).toBe('settled');
    expect(f.audits.find((a) => a.action === 'x402.sale.settled' && a.data.nonce === id.split(':')[3])).toMatchObject({
      why: expect.stringMatching(/found settled on chain before settling/),
      data: { by: 'scan', transaction: null },
    });
    expect((await f.buy(gw.base, header)).status).toBe(200);
    await gw.app.close();
    expect(f.facilitator.settleCalls - calls).toBe(1); // the dead process's one
    expect(count(id, 'x402.sale.settled')).toBe(1);
    expect(await paidToPayee(before)).toBe(parseUnits(PRICE, 6));
  });

  it('x402 settle at start - a scan racing the buyer retries (in its process and in another) settles once; only one takeover wins', async () => {
    const before = await f.t.balance('USDC', f.payTo);
    const calls = f.facilitator.settleCalls;
    const header = await f.payment();
    const id = await f.crash(header, 'before-settle');
    const here = f.sellerOf(f.t.db.sql);
    const there = f.sellerOf(f.t.db.sql);
    let ran = 0;
    const retry = (seller: typeof here) =>
      seller.sell({
        offer: seller.offerFor(CAPABILITY)!,
        url: `http://127.0.0.1/x402/${CAPABILITY}`,
        header,
        work: async () => (ran++, { kind: 'delivered', body: { report: 'ran twice' } }),
      });
    const [, near, far] = await Promise.all([here.start(), retry(here), retry(there)]);
    here.stop();
    // Each retry got the result, or was told another holder is settling it; none settled a second time.
    for (const answer of [near, far]) {
      if (answer.status !== 200)
        expect([answer.status, codeOf(answer.body)]).toEqual([409, ErrorCode.MANDATE_ERR_X402_SALE_IN_PROGRESS]);
      else expect(answer.body).toEqual(REPORT);
    }
    expect((await f.row(id)).status).toBe('settled');
    expect(f.facilitator.settleCalls - calls).toBe(1);
    expect(count(id, 'x402.sale.settled')).toBe(1);
    expect(await paidToPayee(before)).toBe(parseUnits(PRICE, 6));
    const later = await retry(there);
    expect([later.status, later.body]).toEqual([200, REPORT]);
    expect(ran).toBe(0);
  });

  it('x402 settle at start - an authorization past validBefore is never settled: expired, MANDATE_ERR_X402_SALE_EXPIRED to the retry, one alert, restarts change nothing', async () => {
    const before = await f.t.balance('USDC', f.payTo);
    const calls = f.facilitator.settleCalls;
    const header = await f.payment();
    const id = await f.crash(header, 'before-settle');

    // The restarted process starts after the authorization's validBefore (300 s).
    const late = await f.gateway(f.sellerOf(f.t.db.sql, { aheadMs: 301_000 }));
    const row = await f.row(id);
    expect(row.status).toBe('expired');
    expect(row.result).toMatchObject({ code: ErrorCode.MANDATE_ERR_X402_SALE_EXPIRED, body: REPORT });
    const retry = await f.buy(late.base, header);
    expect([retry.status, codeOf(retry.body)]).toEqual([402, ErrorCode.MANDATE_ERR_X402_SALE_EXPIRED]);
    expect(retry.headers.get('payment-required')).not.toBeNull(); // the buyer can sign a new payment
    expect(JSON.stringify(retry.body)).not.toContain('Q4 volumes'); // unpaid: the result is withheld
    await late.app.close();
    await (await f.gateway(f.sellerOf(f.t.db.sql))).app.close();

    expect((await f.row(id)).status).toBe('expired');
    expect(count(id, 'x402.sale.expired')).toBe(1);
    expect(count(id, 'x402.sale.settled')).toBe(0);
    expect(
      f.alerts.filter((a) => a.code === ErrorCode.MANDATE_ERR_X402_SALE_EXPIRED && a.message.includes(id)),
    ).toHaveLength(1);
    expect(f.facilitator.settleCalls - calls).toBe(0);
    expect(await f.used(id)).toBe(false);
    expect(await paidToPayee(before)).toBe(0n);
  });

  it('x402 settle at start - a chain that does not answer changes nothing: MANDATE_ERR_X402_CHAIN_UNAVAILABLE, the sale stays delivered, and a later scan settles it once', async () => {
    const before = await f.t.balance('USDC', f.payTo);
    const calls = f.facilitator.settleCalls;
    const header = await f.payment();
    const id = await f.crash(header, 'before-settle');
    let chainUp = false;
    const gw = await f.gateway(f.sellerOf(f.t.db.sql, { chainUp: () => chainUp }));

    expect((await f.row(id)).status).toBe('delivered');
    expect(f.audits.find((a) => a.action === 'x402.sale.unsettled' && a.data.nonce === id.split(':')[3])).toMatchObject(
      {
        data: { code: ErrorCode.MANDATE_ERR_X402_CHAIN_UNAVAILABLE, by: 'scan' },
      },
    );
    const retry = await f.buy(gw.base, header);
    expect([retry.status, codeOf(retry.body)]).toEqual([503, ErrorCode.MANDATE_ERR_X402_CHAIN_UNAVAILABLE]);
    expect([(await f.row(id)).status, f.facilitator.settleCalls - calls, await f.used(id)]).toEqual([
      'delivered',
      0,
      false,
    ]);

    // The chain is back: the scan's next look (it looks again while a settle went unanswered) settles it.
    chainUp = true;
    for (let i = 0; i < 200 && (await f.row(id)).status !== 'settled'; i++) await new Promise((r) => setTimeout(r, 50));
    expect((await f.row(id)).status).toBe('settled');
    expect((await f.buy(gw.base, header)).status).toBe(200);
    await gw.app.close();
    expect(f.facilitator.settleCalls - calls).toBe(1);
    expect(count(id, 'x402.sale.settled')).toBe(1);
    expect(await paidToPayee(before)).toBe(parseUnits(PRICE, 6));
    expect(f.runs()).toBe(0);
  });
});
