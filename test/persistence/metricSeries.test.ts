/**
 * The stored metric series on both drivers: samples sum per bucket, per agent and per region, empty
 * buckets read as zero, old raw rows roll up into coarse buckets without changing any sum, the
 * oldest are dropped; the sampler stores what changed between rounds and loses nothing when a
 * write fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../kernel/index.ts';
import type { MetricSeriesStore, SeriesSample } from '../../runtime/metrics/MetricSeries.ts';
import { SeriesSampler, type AgentTotals } from '../../runtime/metrics/SeriesSampler.ts';
import { STORE_DRIVERS, openTestStore, type TestStore } from '../support/db.ts';

const T0 = 1_790_000_000_000 - (1_790_000_000_000 % 300_000);
const row = (at: number, agent: string, more: Partial<SeriesSample>): SeriesSample => ({
  at,
  resolution: 10_000,
  node: 'n1',
  region: 'eu',
  agent,
  cycles: 0,
  failures: 0,
  payments: 0,
  ...more,
});

describe.each(STORE_DRIVERS)('metric series on %s', (driver) => {
  let t: TestStore;
  let series: MetricSeriesStore;
  beforeAll(async () => {
    t = await openTestStore(driver);
    series = t.store.series;
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('series - buckets sum by agent and region; empty buckets are zero; repeats add up', async () => {
    await series.append([
      row(T0, 'payables', { cycles: 2, failures: 1 }),
      row(T0 + 10_000, 'payables', { cycles: 3, payments: 2 }),
      row(T0 + 10_000, 'payables', { cycles: 1 }), // the same interval again: adds to the row
      row(T0 + 20_000, 'fx', { region: 'us', cycles: 5 }),
    ]);
    const all = await series.query({ from: T0, to: T0 + 60_000, step: 30_000 });
    const none = { latency: { count: 0, totalMs: 0, maxMs: 0 }, assets: {} };
    expect(all.points).toEqual([
      { at: T0, cycles: 11, failures: 1, payments: 2, ...none },
      { at: T0 + 30_000, cycles: 0, failures: 0, payments: 0, ...none },
    ]);
    expect(all.agents).toEqual([
      { agent: 'fx', region: 'us' },
      { agent: 'payables', region: 'eu' },
    ]);
    const one = await series.query({ from: T0, to: T0 + 30_000, step: 10_000, agent: 'payables' });
    expect(one.points.map((p) => p.cycles)).toEqual([2, 4, 0]);
    const region = await series.query({ from: T0, to: T0 + 30_000, step: 10_000, region: 'us' });
    expect(region.points.map((p) => p.cycles)).toEqual([0, 0, 5]);
    // A range not on a bucket boundary starts at the bucket that holds `from`.
    expect((await series.query({ from: T0 + 15_000, to: T0 + 30_000, step: 10_000 })).points[0]!.at).toBe(T0 + 10_000);
  });

  it('series - downsampling rolls old raw rows into coarse buckets with the same sums, then drops the oldest', async () => {
    const before = await series.query({ from: T0, to: T0 + 300_000, step: 300_000 });
    const retention = { rawMs: 3_600_000, coarseStep: 300_000, keepMs: 86_400_000 };
    const result = await series.downsample(T0 + 2 * 3_600_000, retention);
    expect(result).toEqual({ rolled: 3, dropped: 0 }); // three raw rows (the repeat was merged into its row)
    const after = await series.query({ from: T0, to: T0 + 300_000, step: 300_000 });
    expect(after.points).toEqual(before.points);
    const su = await t.superuser();
    const rows = await su.query(
      `select at::float8 as at, resolution, agent, cycles from mandate_metric_sample order by agent`,
    );
    expect(rows.rows).toEqual([
      { at: T0, resolution: 300_000, agent: 'fx', cycles: 5 },
      { at: T0, resolution: 300_000, agent: 'payables', cycles: 6 },
    ]);
    // Rolling again changes nothing; past keepMs everything goes.
    expect(await series.downsample(T0 + 2 * 3_600_000, retention)).toEqual({ rolled: 0, dropped: 0 });
    expect(await series.downsample(T0 + 2 * 86_400_000, retention)).toEqual({ rolled: 0, dropped: 2 });
  });

  it('series - the sampler stores deltas per agent; counts before start are the baseline, a reset counts from zero, a failed write is kept', async () => {
    let now = T0 + 10 * 86_400_000;
    const clock: Clock = { now: () => now, setTimeout: () => 0, clearTimeout: () => undefined };
    const totals: AgentTotals[] = [{ agent: 'a', cycles: 10, failures: 0, payments: 1 }];
    let failNext = false;
    const store: MetricSeriesStore = {
      append: (rows) => (failNext ? ((failNext = false), Promise.reject(new Error('db down'))) : series.append(rows)),
      query: (q) => series.query(q),
      downsample: (at, r) => series.downsample(at, r),
    };
    const sampler = new SeriesSampler({
      store,
      clock,
      node: 'n1',
      region: 'eu',
      totals: () => totals,
      onProblem: () => undefined,
    });
    sampler.start();
    const start = now;
    now += 10_000;
    totals[0]!.cycles = 13;
    totals.push({ agent: 'b', cycles: 50, failures: 2, payments: 0 }); // first seen after start: a new host, all its counts are new
    expect(await sampler.sample()).toBe(2);
    now += 10_000;
    totals[0]!.cycles = 2; // re-created: counts from zero
    totals[1]!.failures = 3;
    failNext = true;
    await expect(sampler.sample()).rejects.toThrow('db down');
    now += 10_000;
    totals[1]!.failures = 4;
    expect(await sampler.sample()).toBe(2);
    now += 10_000;
    expect(await sampler.sample()).toBe(0); // nothing changed: no rows
    const read = await series.query({ from: start, to: now, step: 10_000 });
    expect(read.points.map((p) => [p.cycles, p.failures])).toEqual([
      [53, 2],
      [2, 2], // the failed round's counts, stored with the next one, at the start of the failed round
      [0, 0],
      [0, 0],
    ]);
    await sampler.stop();
  });

  it('series - settings out of range are refused with a coded error naming the setting', () => {
    const clock: Clock = { now: () => 0, setTimeout: () => 0, clearTimeout: () => undefined };
    const make = (more: object) => () =>
      new SeriesSampler({
        store: series,
        clock,
        node: 'n',
        region: 'r',
        totals: () => [],
        onProblem: () => undefined,
        ...more,
      });
    expect(make({ intervalMs: 50 })).toThrow(
      expect.objectContaining({ code: 'MANDATE_ERR_SERIES_CONFIG', details: { setting: 'intervalMs' } }),
    );
    expect(make({ retention: { rawMs: 10, keepMs: 5 } })).toThrow(/metricSeries\.retention\.keepMs is 5/);
  });
});
