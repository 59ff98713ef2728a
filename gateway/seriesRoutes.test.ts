/**
 * GET /api/metrics/series on both store drivers: a runtime samples its agents' cycles and their
 * time into the store, the series survive a restart, an observer reads them by agent and region and
 * the amounts by asset (exact decimals), bad queries get a coded 400 naming the field, and a
 * runtime without a store answers a coded 503.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, defineAgent, type MandateRuntime } from '../runtime/index.ts';
import type { SeriesSample } from '../runtime/metrics/MetricSeries.ts';
import { STORE_DRIVERS, openTestStore, type TestStore } from '../test/support/db.ts';
import { createGateway } from './createGateway.ts';
import { TokenStore } from './TokenStore.ts';

const human = { kind: 'human', id: 'alice' } as const;
const idle = defineAgent({
  id: 'payables',
  capabilities: ['payments.send'],
  perceive: () => ({}),
  decide: { decide: async () => ({ action: null, confidence: 1, rationale: 'idle', rulesFired: [], model: null }) },
});

async function cycled(runtime: MandateRuntime, n: number): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    const a = runtime.metrics().agents.find((x) => x.id === 'payables');
    if (a !== undefined && a.cycles >= n && a.state === 'idle') return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('payables did not finish its cycles');
}

describe.each(STORE_DRIVERS)('gateway - GET /api/metrics/series on %s', (driver) => {
  let t: TestStore;
  let runtime: MandateRuntime;
  let app: Awaited<ReturnType<typeof createGateway>>;
  let token: string;
  let from: number;
  let paidAt: number;
  beforeAll(async () => {
    t = await openTestStore(driver);
    from = Date.now() - 1_000;
    const first = await createRuntime({ store: t.store, region: 'eu-west' });
    await first.spawn(idle);
    await first.trigger('payables', human);
    await cycled(first, 1);
    await first.trigger('payables', human);
    await cycled(first, 2);
    await first.shutdown(); // stores the last interval's counts, then closes the store
    // Amounts another node stored (this agent makes no payments): two intervals of USDC, fees in SOL.
    const store = await t.reopen();
    // A multiple of 30 s, so the 30 s buckets below start at paidAt and hold both intervals.
    paidAt = Math.floor(Date.now() / 30_000) * 30_000;
    const paid = (at: number, assets: SeriesSample['assets']): SeriesSample => ({
      at,
      resolution: 10_000,
      node: 'n2',
      region: 'us-east',
      agent: 'payer',
      cycles: 0, // so the other tests' cycle counts are the sampled agent's
      failures: 0,
      payments: 1,
      assets,
    });
    await store.series.append([
      paid(paidAt, {
        USDC: { payments: 1, volume: '0.1', fees: '0' },
        SOL: { payments: 0, volume: '0', fees: '0.000005' },
      }),
      paid(paidAt + 10_000, { USDC: { payments: 2, volume: '0.2', fees: '0' } }),
    ]);
    runtime = await createRuntime({ store, region: 'eu-west' });
    const tokens = new TokenStore();
    token = tokens.issue('watcher', 'observer').token;
    app = await createGateway({ runtime, tokens });
  });
  afterAll(async () => {
    await app?.close();
    await runtime?.shutdown();
    await t?.[Symbol.asyncDispose]();
  });

  const get = (query: string) =>
    app.inject({ method: 'GET', url: `/api/metrics/series?${query}`, headers: { authorization: `Bearer ${token}` } });

  it('series - an observer reads the cycles sampled before the restart, by agent and by region', async () => {
    const to = Date.now() + 1_000;
    const res = await get(`agent=payables&from=${from}&to=${to}&step=1000`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.step).toBe(1000);
    expect(body.points.length).toBe(Math.ceil((to - Math.floor(from / 1000) * 1000) / 1000));
    expect(body.points.reduce((n: number, p: { cycles: number }) => n + p.cycles, 0)).toBe(2);
    expect(body.points.reduce((n: number, p: { latency: { count: number } }) => n + p.latency.count, 0)).toBe(2);
    expect(body.points.every((p: { assets: object }) => Object.keys(p.assets).length === 0)).toBe(true);
    expect(body.agents).toEqual([
      { agent: 'payables', region: 'eu-west' },
      { agent: 'payer', region: 'us-east' },
    ]);
    expect(body.assets).toEqual(['SOL', 'USDC']);
    const elsewhere = (await get(`region=us-east&from=${from}&to=${to}&step=1000`)).json();
    expect(elsewhere.points.every((p: { cycles: number }) => p.cycles === 0)).toBe(true);
    // Without a range: the last hour, in about 120 buckets.
    const recent = (await get('region=eu-west')).json();
    expect(recent.step).toBe(30_000);
    expect(recent.points.reduce((n: number, p: { cycles: number }) => n + p.cycles, 0)).toBe(2);
  });

  it('series - asset= reads one asset’s payments, volume and fees per bucket as exact decimals; the rest is every asset', async () => {
    const res = await get(`asset=USDC&from=${paidAt}&to=${paidAt + 30_000}&step=10000`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.points.map((p: { assets: unknown }) => p.assets)).toEqual([
      { USDC: { payments: 1, volume: '0.1', fees: '0' } },
      { USDC: { payments: 2, volume: '0.2', fees: '0' } },
      {},
    ]);
    const whole = (await get(`from=${paidAt}&to=${paidAt + 30_000}&step=30000&region=us-east`)).json();
    expect(whole.points[0].assets).toEqual({
      SOL: { payments: 0, volume: '0', fees: '0.000005' },
      USDC: { payments: 3, volume: '0.3', fees: '0' },
    });
    expect(whole.points[0]).toMatchObject({ cycles: 0, payments: 2, latency: { count: 0, totalMs: 0, maxMs: 0 } });
    const other = (await get(`asset=EURC&from=${paidAt}&to=${paidAt + 30_000}&step=30000`)).json();
    expect(other.points[0].assets).toEqual({});
    expect(other.assets).toEqual(['SOL', 'USDC']);
  });

  it('series - last=15m reads fifteen minutes back from to; a 1 s span before the samples reads none', async () => {
    const to = Date.now() + 1_000;
    const body = (await get(`last=15m&to=${to}&step=60000`)).json();
    expect(body.from).toBe(Math.floor((to - 900_000) / 60_000) * 60_000);
    expect(body.to).toBe(to);
    expect(body.points.length).toBe(Math.ceil((to - body.from) / 60_000));
    expect(body.points.reduce((n: number, p: { cycles: number }) => n + p.cycles, 0)).toBe(2);
    const before = (await get(`last=1s&to=${from - 60_000}&step=1000`)).json();
    expect(before.points.every((p: { cycles: number }) => p.cycles === 0)).toBe(true);
    // Without a step: about 120 buckets over the span (7 d / 120 rounded up to whole seconds).
    expect((await get('last=7d')).json().step).toBe(5_040_000);
  });

  it.each([
    ['step=abc', 'query.step'],
    ['step=10', 'query.step'],
    ['from=2000&to=1000', 'query.from'],
    ['from=0&to=100000000&step=1000', 'query.step'],
    ['agent=bad%20id', 'query.agent'],
    ['region=eu%20west', 'query.region'],
    ['asset=US%20DC', 'query.asset'],
    ['asset=', 'query.asset'],
    ['last=abc', 'query.last'],
    ['last=0m', 'query.last'],
    ['last=15min', 'query.last'],
    ['last=401d', 'query.last'],
    ['last=1h&from=1000', 'query.last'],
  ])('series - %s is refused with a coded 400 naming %s', async (query, path) => {
    const res = await get(query);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'MANDATE_ERR_REQUEST_INVALID', details: { path } });
  });
});

describe('gateway - GET /api/metrics/series without a store', () => {
  it('series - a runtime that keeps no series answers 503 MANDATE_ERR_SERIES_UNAVAILABLE', async () => {
    const runtime = await createRuntime();
    const tokens = new TokenStore();
    const app = await createGateway({ runtime, tokens });
    try {
      const res = await app.inject({
        method: 'GET',
        url: '/api/metrics/series',
        headers: { authorization: `Bearer ${tokens.issue('w', 'observer').token}` },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json().error.code).toBe('MANDATE_ERR_SERIES_UNAVAILABLE');
    } finally {
      await app.close();
      await runtime.shutdown();
    }
  });
});
