/**
 * The stored series' amounts and cycle time on both drivers: volume and fees sum per asset as
 * exact decimals (0.1 three times is 0.3, a 28-digit amount keeps its last decimal), cycle time
 * as a count and a total with the longest kept as a maximum; the asset filter narrows the amounts
 * only; downsampling and a restart (a second store adding to the same buckets) keep every sum
 * exact; expired amounts leave the asset catalogue; rows stored before the migration read with
 * no cycle time and no amounts, and new amounts add to them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SeriesSample } from '../../runtime/metrics/MetricSeries.ts';
import { STORE_DRIVERS, openTestStore, type TestStore } from '../support/db.ts';

const T0 = 1_790_000_000_000 - (1_790_000_000_000 % 300_000);
const RETENTION = { rawMs: 3_600_000, coarseStep: 300_000, keepMs: 86_400_000 };
const HUGE = '1000000000000000000000000000.000000000000000001';

const row = (at: number, [agent, region]: readonly [string, string], more: Partial<SeriesSample>): SeriesSample => ({
  at,
  resolution: 10_000,
  node: 'n1',
  region,
  agent,
  cycles: 1,
  failures: 0,
  payments: 0,
  ...more,
});

/** Four rows in the 30 s from T0 (one a repeat of an interval, on another process it would be another node). */
const ROWS: SeriesSample[] = [
  row(T0, ['payables', 'eu'], {
    payments: 1,
    latency: { count: 1, totalMs: 120, maxMs: 120 },
    assets: { USDC: { payments: 1, volume: '0.1', fees: '0.01' } },
  }),
  row(T0 + 10_000, ['payables', 'eu'], {
    payments: 1,
    latency: { count: 2, totalMs: 300, maxMs: 250 },
    assets: {
      USDC: { payments: 1, volume: '0.1', fees: '0' },
      SOL: { payments: 0, volume: '0', fees: '0.000005' },
    },
  }),
  // The same interval again: adds to the row, its longest cycle wins.
  row(T0 + 10_000, ['payables', 'eu'], {
    payments: 1,
    latency: { count: 1, totalMs: 400, maxMs: 400 },
    assets: { USDC: { payments: 1, volume: '0.1', fees: '0.02' } },
  }),
  row(T0 + 20_000, ['fx', 'us'], {
    latency: { count: 1, totalMs: 50, maxMs: 50 },
    assets: { EURC: { payments: 2, volume: HUGE, fees: '0' } },
  }),
];
const ALL = {
  USDC: { payments: 3, volume: '0.3', fees: '0.03' },
  SOL: { payments: 0, volume: '0', fees: '0.000005' },
  EURC: { payments: 2, volume: HUGE, fees: '0' },
};

describe.each(STORE_DRIVERS)('metric series amounts on %s', (driver) => {
  let t: TestStore | undefined;
  afterEach(async () => {
    await t?.[Symbol.asyncDispose]();
    t = undefined;
  });

  it('amounts - volume and fees sum exactly per asset; cycle time sums with its longest; asset= narrows the amounts only', async () => {
    const test = (t = await openTestStore(driver));
    const series = test.store.series;
    await series.append(ROWS);
    const all = await series.query({ from: T0, to: T0 + 60_000, step: 30_000 });
    expect(all.points[0]).toEqual({
      at: T0,
      cycles: 4,
      failures: 0,
      payments: 3,
      latency: { count: 5, totalMs: 870, maxMs: 400 },
      assets: ALL,
    });
    expect(all.points[1]).toMatchObject({ latency: { count: 0, totalMs: 0, maxMs: 0 }, assets: {} });
    expect(all.assets).toEqual(['EURC', 'SOL', 'USDC']);
    // Per bucket of 10 s, one asset: cycles and cycle time are not per asset and stay whole.
    const usdc = await series.query({ from: T0, to: T0 + 30_000, step: 10_000, asset: 'USDC' });
    expect(usdc.points.map((p) => p.assets)).toEqual([
      { USDC: { payments: 1, volume: '0.1', fees: '0.01' } },
      { USDC: { payments: 2, volume: '0.2', fees: '0.02' } },
      {},
    ]);
    expect(usdc.points.map((p) => [p.cycles, p.latency.maxMs])).toEqual([
      [1, 120],
      [2, 400],
      [1, 50],
    ]);
    expect(usdc.assets).toEqual(['EURC', 'SOL', 'USDC']); // the pick list is the catalogue, whatever the filter
    const fx = await series.query({ from: T0, to: T0 + 30_000, step: 30_000, agent: 'fx' });
    expect(fx.points[0]!.assets).toEqual({ EURC: ALL.EURC });
    const region = await series.query({ from: T0, to: T0 + 30_000, step: 30_000, region: 'eu', asset: 'EURC' });
    expect(region.points[0]).toMatchObject({ cycles: 3, assets: {} });
    const none = await series.query({ from: T0, to: T0 + 30_000, step: 30_000, asset: 'GBP' });
    expect(none.points[0]).toMatchObject({ cycles: 4, payments: 3, assets: {} });
  });

  it('amounts - downsampling keeps the exact sums and the longest cycle; expired amounts leave the asset catalogue', async () => {
    const test = (t = await openTestStore(driver));
    const series = test.store.series;
    await series.append(ROWS);
    const before = await series.query({ from: T0, to: T0 + 300_000, step: 300_000 });
    // Raw rows: 3 of samples and 4 of amounts (the repeat merged into its interval's rows).
    expect(await series.downsample(T0 + 2 * 3_600_000, RETENTION)).toEqual({ rolled: 3 + 4, dropped: 0 });
    const after = await series.query({ from: T0, to: T0 + 300_000, step: 300_000 });
    expect(after.points).toEqual(before.points);
    expect(after.points[0]!.assets.USDC).toEqual({ payments: 3, volume: '0.3', fees: '0.03' });
    const su = await test.superuser();
    const rows = await su.query(
      `select agent, asset, resolution, volume::text as volume from mandate_metric_asset_sample order by agent, asset`,
    );
    expect(rows.rows).toEqual([
      { agent: 'fx', asset: 'EURC', resolution: 300_000, volume: '1000000000000000000000000000.000000000000000001' },
      { agent: 'payables', asset: 'SOL', resolution: 300_000, volume: '0.000000000000000000' },
      { agent: 'payables', asset: 'USDC', resolution: 300_000, volume: '0.300000000000000000' },
    ]);
    const latency = await su.query(
      `select agent, latency_count, latency_ms::int as latency_ms, latency_max_ms from mandate_metric_sample order by agent`,
    );
    expect(latency.rows).toEqual([
      { agent: 'fx', latency_count: 1, latency_ms: 50, latency_max_ms: 50 },
      { agent: 'payables', latency_count: 4, latency_ms: 820, latency_max_ms: 400 },
    ]);
    // Rolling a later raw row into the same coarse bucket adds to it (the longest stays the longest).
    await series.append([
      row(T0 + 60_000, ['payables', 'eu'], {
        latency: { count: 1, totalMs: 10, maxMs: 10 },
        assets: { USDC: { payments: 1, volume: '0.7', fees: '0' } },
      }),
    ]);
    await series.downsample(T0 + 2 * 3_600_000, RETENTION);
    const rolled = await series.query({ from: T0, to: T0 + 300_000, step: 300_000, agent: 'payables' });
    expect(rolled.points[0]).toMatchObject({
      latency: { count: 5, totalMs: 830, maxMs: 400 },
      assets: { USDC: { payments: 4, volume: '1', fees: '0.03' } },
    });
    // Past keepMs: samples and amounts go, and so do the catalogue's assets.
    expect(await series.downsample(T0 + 2 * 86_400_000, RETENTION)).toEqual({ rolled: 0, dropped: 2 + 3 });
    const gone = await series.query({ from: T0, to: T0 + 300_000, step: 300_000 });
    expect([gone.agents, gone.assets]).toEqual([[], []]);
  });

  it('amounts - a restart (a second store) adds to the same buckets exactly; the catalogue lists each asset once', async () => {
    const test = (t = await openTestStore(driver));
    await test.store.series.append(ROWS.slice(0, 2));
    await test.store.close();
    const again = await test.reopen();
    await again.series.append(ROWS.slice(2));
    const read = await again.series.query({ from: T0, to: T0 + 30_000, step: 30_000 });
    expect(read.points[0]).toMatchObject({ payments: 3, latency: { count: 5, totalMs: 870, maxMs: 400 }, assets: ALL });
    expect(read.assets).toEqual(['EURC', 'SOL', 'USDC']);
  });

  it('amounts - rows stored before the migration read with no cycle time and no amounts; new amounts add to them', async () => {
    const test = (t = await openTestStore(driver));
    const su = await test.superuser();
    // The database as the previous release left it.
    await su.query(`drop table mandate_metric_asset_sample`);
    await su.query(`drop table mandate_metric_series_asset`);
    await su.query(
      `alter table mandate_metric_sample drop column latency_count, drop column latency_ms, drop column latency_max_ms`,
    );
    await su.query(`delete from mandate_migrations where name like 'Migration20261208130000SeriesAmounts%'`);
    await su.query(
      `insert into mandate_metric_sample (at, resolution, node, region, agent, cycles, failures, payments)
       values ($1, 10000, 'n1', 'eu', 'payables', 2, 1, 1), ($1, 300000, 'n1', 'eu', 'payables', 5, 0, 2)`,
      [T0],
    );
    await test.store.close();
    const reopened = await test.reopen();
    const old = await reopened.series.query({ from: T0, to: T0 + 300_000, step: 300_000 });
    expect(old.points[0]).toEqual({
      at: T0,
      cycles: 7,
      failures: 1,
      payments: 3,
      latency: { count: 0, totalMs: 0, maxMs: 0 },
      assets: {},
    });
    expect(old.assets).toEqual([]);
    await reopened.series.append([ROWS[0]!]);
    expect(await reopened.series.downsample(T0 + 2 * 3_600_000, RETENTION)).toMatchObject({ rolled: 2 });
    const now = await reopened.series.query({ from: T0, to: T0 + 300_000, step: 300_000 });
    expect(now.points[0]).toEqual({
      at: T0,
      cycles: 8,
      failures: 1,
      payments: 4,
      latency: { count: 1, totalMs: 120, maxMs: 120 },
      assets: { USDC: { payments: 1, volume: '0.1', fees: '0.01' } },
    });
  });
});
