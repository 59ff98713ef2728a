/**
 * The stored-series chart's time range in Chromium, in a browser in Europe/Berlin: presets read
 * the span back from the runtime's now, a custom from/to typed in local time (labelled with its
 * offset) reads exactly that span, the range and pick live in the deep link and survive a reload,
 * and the buckets and totals shown are those of the samples inside the range, not outside it.
 * Last, payments the runtime makes are sampled into the store and the chart, set to the volume of
 * one asset, lists per bucket exactly the amounts paid (and another node's), beside the other
 * asset's left out.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatAmount, parseAmount } from '../../actors/index.ts';
import type { SeriesSample } from '../../runtime/metrics/MetricSeries.ts';
import { launchBrowser, screenshot, type TestBrowser } from '../support/browser.ts';
import { consoleSignIn } from '../support/consoleSignIn.ts';
import { startGatewayFixture, type GatewayFixture } from './gatewayFixture.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

let fx: GatewayFixture;
let browser: TestBrowser;
let page: Page | undefined;
let pageErrors: string[] = [];
let now: number;

/** A stored row of `agent` in `region` for the 5-minute bucket holding `at`. */
const sample = (
  at: number,
  [agent, region]: readonly [string, string],
  counts: { cycles: number; payments?: number },
): SeriesSample => ({
  at: Math.floor(at / 300_000) * 300_000,
  resolution: 10_000,
  node: 'node-test',
  region,
  agent,
  failures: 0,
  payments: 0,
  ...counts,
});
const A = ['seeded-a', 'eu'] as const;
const B = ['seeded-b', 'us'] as const;

beforeAll(async () => {
  fx = await startGatewayFixture({ buildUi: true });
  browser = await launchBrowser({ timezoneId: 'Europe/Berlin' });
  // The fixture's clock stands still (no agent cycles on its own): only these rows are stored.
  now = fx.clock.now();
  await fx.store.series.append([
    sample(now - 10 * MIN, A, { cycles: 3, payments: 1 }), // in the last 15 min
    sample(now - 3 * HOUR, A, { cycles: 7 }), // in the last 6 h, not the last hour
    sample(now - 3 * HOUR, B, { cycles: 5 }),
    { ...sample(now - 2 * 24 * HOUR, B, { cycles: 11 }), resolution: 300_000 }, // only in the last 7 d
  ]);
});
afterEach(async () => {
  await page?.close();
  page = undefined;
  const errors = pageErrors;
  pageErrors = [];
  expect(errors).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await fx?.close();
});

/** What the chart was drawn from: the answer's bounds, step and bucket count, and the totals line (read together). */
function shown(p: Page): Promise<{ from: number; to: number; step: number; points: number; text: string }> {
  return p.evaluate(() => {
    const fig = document.querySelector('[data-testid="chart-rates"]');
    const num = (name: string): number => Number(fig?.getAttribute(`data-${name}`));
    const text = document.querySelector('[data-testid="series-range"]')?.textContent ?? '';
    return { from: num('from'), to: num('to'), step: num('step'), points: num('points'), text };
  });
}

/** Waits for the chart of the range and pick that `hash` names (and the URL showing it). */
async function drawn(p: Page, hash: string): Promise<void> {
  await p.waitForFunction((h) => location.hash === h, hash);
  await p.locator(`[data-testid="chart-rates"][data-link="${hash}"]`).waitFor({ state: 'attached' });
}

/** `2026-12-02T19:40:07` as a clock in Berlin shows `at`. */
function berlinInput(at: number): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: 'Europe/Berlin',
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(at)
      .map((x) => [x.type, x.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

describe('trends range - the stored-series chart over a picked range', () => {
  it('trends range - presets and a custom local-time range read exactly their span; the deep link keeps range and pick', async () => {
    const p = (page = await consoleSignIn({
      browser,
      gateway: fx,
      role: 'observer',
      errors: pageErrors,
      at: '#/monitor',
    }));
    // Local time, labelled with Berlin's offset on the form.
    await p.getByTestId('timezone').click();
    const offset = await p.evaluate(() => -new Date().getTimezoneOffset());
    const label = `UTC+${String(offset / 60).padStart(2, '0')}:00`;
    expect(await p.getByTestId('timezone').innerText()).toBe(`times: ${label}`);
    await p.getByTestId('series-controls').getByText(`From (${label})`).waitFor();

    // The default: the last hour by the runtime's clock, nothing but the 10-minute-old sample.
    await drawn(p, '#/monitor');
    let s = await shown(p);
    expect([s.to, s.step]).toEqual([now, 30_000]);
    expect(s.from).toBe(Math.floor((now - HOUR) / 30_000) * 30_000);
    expect(s.points).toBe(Math.ceil((s.to - s.from) / s.step));
    expect(s.text).toContain('3 cycles, 1 payments, 0 failures');

    const presets: Array<[string, number, number]> = [
      ['15m', 15 * MIN, 3],
      ['6h', 6 * HOUR, 3 + 7 + 5],
      ['24h', 24 * HOUR, 3 + 7 + 5],
      ['7d', 7 * 24 * HOUR, 3 + 7 + 5 + 11],
    ];
    for (const [last, span, cycles] of presets) {
      await p.getByTestId(`series-preset-${last}`).click();
      await drawn(p, `#/monitor?last=${last}`);
      s = await shown(p);
      expect(s.to).toBe(now);
      expect(s.from).toBe(Math.floor((now - span) / s.step) * s.step);
      expect(s.points).toBe(Math.ceil((s.to - s.from) / s.step));
      expect(s.text).toContain(`${cycles} cycles`);
      expect(await p.getByTestId(`series-preset-${last}`).getAttribute('class')).toContain('active');
    }
    await screenshot(p, 'trends-range-7d');

    // Custom: from 4 h to 2 h ago, typed as a Berlin clock shows them; only the 3-hour-old rows.
    const from = Math.floor((now - 4 * HOUR) / 1000) * 1000;
    const to = Math.floor((now - 2 * HOUR) / 1000) * 1000;
    await p.getByTestId('series-from').fill(berlinInput(from));
    await p.getByTestId('series-to').fill(berlinInput(to));
    await p.getByTestId('series-apply').click();
    const hash = `#/monitor?from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}`;
    await drawn(p, hash);
    s = await shown(p);
    expect(s.to).toBe(to);
    expect(s.step).toBe(60_000);
    expect(s.from).toBe(Math.floor(from / 60_000) * 60_000);
    expect(s.points).toBe(Math.ceil((to - s.from) / 60_000));
    expect(s.text).toContain('12 cycles, 0 payments');
    expect(s.text).toContain(`(${label})`);
    expect(s.text.startsWith(berlinInput(s.from).replace('T', ' '))).toBe(true);

    // One agent: the pick joins the link; a reload draws the same range and pick.
    await p.getByTestId('chart-rates-pick').selectOption('agent:seeded-b');
    await drawn(p, `${hash}&series=agent%3Aseeded-b`);
    expect((await shown(p)).text).toContain('5 cycles');
    await p.reload();
    await drawn(p, `${hash}&series=agent%3Aseeded-b`);
    s = await shown(p);
    expect([s.from, s.to, s.points]).toEqual([
      Math.floor(from / 60_000) * 60_000,
      to,
      Math.ceil((to - s.from) / 60_000),
    ]);
    expect(s.text).toContain('5 cycles');
    expect(await p.getByTestId('chart-rates-pick').inputValue()).toBe('agent:seeded-b');
    // Chromium leaves out :00 seconds from an input's value.
    const typed = await p.getByTestId('series-from').inputValue();
    expect(typed.length === 16 ? `${typed}:00` : typed).toBe(berlinInput(from));
    await screenshot(p, 'trends-range-custom-berlin');

    // A custom range the wrong way round is refused on the form; the chart stays as it was.
    await p.getByTestId('series-from').fill(berlinInput(to));
    await p.getByTestId('series-to').fill(berlinInput(from));
    await p.getByTestId('series-apply').click();
    await p.getByTestId('series-problem').filter({ hasText: 'before' }).waitFor();
    expect(await p.evaluate(() => location.hash)).toBe(`${hash}&series=agent%3Aseeded-b`);
  });

  it('trends range - a link with a bad span says so and shows the last hour', async () => {
    const p = (page = await consoleSignIn({
      browser,
      gateway: fx,
      role: 'observer',
      errors: pageErrors,
      at: '#/monitor?last=soon',
    }));
    await p.getByTestId('series-problem').filter({ hasText: '"last=soon" is not a span' }).waitFor();
    await p.locator('[data-testid="chart-rates"][data-link="#/monitor"]').waitFor({ state: 'attached' });
    const s = await shown(p);
    expect([s.to, s.step, s.points]).toEqual([now, 30_000, Math.ceil((now - s.from) / 30_000)]);
  });

  it('trends range - volume of one asset: the bucket totals are the amounts of the payments made, summed exactly', async () => {
    // Another node's rows: USDC five minutes back, and EURC in the bucket the payments fall in.
    const at = fx.clock.now();
    const bucket = (t: number): number => Math.floor(t / 10_000) * 10_000;
    await fx.store.series.append([
      {
        ...sample(at - 5 * MIN, ['seeded-a', 'eu'], { cycles: 1, payments: 1 }),
        node: 'node-other',
        assets: { USDC: { payments: 1, volume: '0.05', fees: '0' } },
      },
      {
        ...sample(at, ['seeded-b', 'us'], { cycles: 1, payments: 1 }),
        at: bucket(at),
        node: 'node-other',
        assets: { EURC: { payments: 1, volume: '999.99', fees: '0' } },
      },
    ]);
    // Two payments by the example's payables agent (dry-run: they would have been sent), on the standing clock.
    const paid: string[] = [];
    for (let i = 0; i < 2; i++) {
      const task = fx.allowedTask();
      const result = await fx.submit(task);
      expect(result.outcome?.status).toBe('would-have-sent');
      const invoice = fx.sim.invoices.find((inv) => inv.id === task.input.invoice)!;
      expect(invoice.currency).toBe('USDC');
      paid.push(invoice.amount);
    }
    await fx.idle('payables');
    // Ten seconds on: the runtime's sampler stores the interval's counts, stamped with its start (the clock the payments saw).
    fx.clock.increment(10_000);
    for (let waited = 0; ; waited += 50) {
      const read = await fx.store.series.query({ from: at, to: at + 10_000, step: 10_000, asset: 'USDC' });
      if (read.points[0]?.assets.USDC !== undefined) break;
      if (waited > 10_000) throw new Error('the payments were not sampled within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    const exact = (values: string[]): string => formatAmount(values.reduce((n, v) => n + parseAmount(v), 0n));
    const total = exact([...paid, '0.05']);

    const p = (page = await consoleSignIn({
      browser,
      gateway: fx,
      role: 'observer',
      errors: pageErrors,
      at: '#/monitor?last=15m',
    }));
    await drawn(p, '#/monitor?last=15m');
    await p.getByTestId('series-quantity').selectOption('volume');
    await drawn(p, '#/monitor?last=15m&quantity=volume');
    // Every asset: a line each, their totals apart.
    expect(
      await p
        .locator('[data-testid="chart-rates"] polyline')
        .evaluateAll((ls) => ls.map((l) => l.getAttribute('data-series'))),
    ).toEqual(['EURC', 'USDC']);
    expect((await shown(p)).text).toContain(`volume: 999.99 EURC, ${total} USDC`);
    expect(
      await p.getByTestId('series-asset').evaluate((s: HTMLSelectElement) => [...s.options].map((o) => o.value)),
    ).toEqual(['', 'EURC', 'USDC']);

    await p.getByTestId('series-asset').selectOption('USDC');
    const link = '#/monitor?last=15m&quantity=volume&asset=USDC';
    await drawn(p, link);
    /** The buckets under the chart: start and USDC amount, as shown. */
    const rows = (): Promise<Array<[number, string]>> =>
      p
        .locator('[data-testid="series-buckets"] tr[data-at]')
        .evaluateAll((trs) =>
          trs.map(
            (tr) =>
              [Number(tr.getAttribute('data-at')), tr.querySelector('[data-label="USDC"]')?.textContent ?? ''] as [
                number,
                string,
              ],
          ),
        );
    const expected: Array<[number, string]> = [
      [bucket(Math.floor((at - 5 * MIN) / 300_000) * 300_000), '0.05'],
      [bucket(at), exact(paid)],
    ];
    expect(await rows()).toEqual(expected);
    let s = await shown(p);
    expect(s.text).toContain(`volume: ${total} USDC`);
    expect(s.text).not.toContain('EURC');
    expect([s.to, s.step]).toEqual([at + 10_000, 10_000]);
    expect(await p.getByTestId('series-asset').isDisabled()).toBe(false);
    await p.getByTestId('series-buckets-box').locator('summary').click();
    await screenshot(p, 'trends-range-volume-usdc');

    // The link keeps quantity and asset across a reload.
    await p.reload();
    await drawn(p, link);
    expect(await rows()).toEqual(expected);
    expect([
      await p.getByTestId('series-quantity').inputValue(),
      await p.getByTestId('series-asset').inputValue(),
    ]).toEqual(['volume', 'USDC']);
    s = await shown(p);
    expect(s.text).toContain(`volume: ${total} USDC`);

    // Latency has no asset: the pick is greyed, the chart shows the mean and longest cycle of the sampled interval.
    await p.getByTestId('series-quantity').selectOption('latency');
    await drawn(p, '#/monitor?last=15m&quantity=latency&asset=USDC');
    expect(await p.getByTestId('series-asset').isDisabled()).toBe(true);
    expect((await shown(p)).text).toMatch(/latency: mean [\d.]+ ms over \d+ cycles, longest \d+ ms/);
  });
});
