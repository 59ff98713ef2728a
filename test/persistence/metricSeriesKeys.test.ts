/**
 * The series catalogue on both drivers: a key first sampled joins `mandate_metric_series_key` with
 * its first interval, the pick list reads the catalogue (every key stored, whatever the range), a
 * second process writing a known key adds nothing, keys whose samples all expired leave it and
 * come back when sampled again, and the migration fills it from samples stored before it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SeriesSample } from '../../runtime/metrics/MetricSeries.ts';
import { STORE_DRIVERS, openTestStore, type TestStore } from '../support/db.ts';

const T0 = 1_790_000_000_000 - (1_790_000_000_000 % 300_000);
const row = (at: number, agent: string, region: string): SeriesSample => ({
  at,
  resolution: 10_000,
  node: 'n1',
  region,
  agent,
  cycles: 1,
  failures: 0,
  payments: 0,
});
const RETENTION = { rawMs: 3_600_000, coarseStep: 300_000, keepMs: 86_400_000 };

describe.each(STORE_DRIVERS)('metric series catalogue on %s', (driver) => {
  let t: TestStore | undefined;
  afterEach(async () => {
    await t?.[Symbol.asyncDispose]();
    t = undefined;
  });

  const catalogue = async (test: TestStore): Promise<unknown[]> =>
    (
      await (
        await test.superuser()
      ).query(
        `select agent, region, first_at::float8 as "firstAt" from mandate_metric_series_key order by agent, region`,
      )
    ).rows;

  it('series keys - first sampling writes the key once; the pick list lists every stored key, outside the range too', async () => {
    const test = (t = await openTestStore(driver));
    const series = test.store.series;
    await series.append([row(T0, 'payables', 'eu'), row(T0 + 10_000, 'payables', 'eu')]);
    await series.append([row(T0 + 20_000, 'payables', 'eu'), row(T0 + 30_000, 'fx', 'us')]);
    expect(await catalogue(test)).toEqual([
      { agent: 'fx', region: 'us', firstAt: T0 + 30_000 },
      { agent: 'payables', region: 'eu', firstAt: T0 },
    ]);
    // A range holding none of them still lists both: the list is the catalogue, not a scan of the range.
    const later = await series.query({ from: T0 + 3_600_000, to: T0 + 3_660_000, step: 60_000 });
    expect(later.points.every((p) => p.cycles === 0)).toBe(true);
    expect(later.agents).toEqual([
      { agent: 'fx', region: 'us' },
      { agent: 'payables', region: 'eu' },
    ]);
    // A key written behind this process's back (another node) is not written again, and nothing fails.
    const su = await test.superuser();
    await su.query(`update mandate_metric_series_key set first_at = 1 where agent = 'fx'`);
    await series.append([row(T0 + 40_000, 'fx', 'us')]);
    expect(await catalogue(test)).toContainEqual({ agent: 'fx', region: 'us', firstAt: 1 });
  });

  it('series keys - a key whose samples all expired leaves the catalogue, and returns when sampled again', async () => {
    const test = (t = await openTestStore(driver));
    const series = test.store.series;
    await series.append([row(T0, 'old', 'eu'), row(T0 + 2 * 86_400_000, 'new', 'eu')]);
    expect(await series.downsample(T0 + 2 * 86_400_000, RETENTION)).toMatchObject({ dropped: 1 });
    expect((await series.query({ from: T0, to: T0 + 60_000, step: 60_000 })).agents).toEqual([
      { agent: 'new', region: 'eu' },
    ]);
    await series.append([row(T0 + 2 * 86_400_000 + 10_000, 'old', 'eu')]);
    expect(await catalogue(test)).toEqual([
      { agent: 'new', region: 'eu', firstAt: T0 + 2 * 86_400_000 },
      { agent: 'old', region: 'eu', firstAt: T0 + 2 * 86_400_000 + 10_000 },
    ]);
  });

  it('series keys - the migration fills the catalogue from the samples stored before it', async () => {
    const test = (t = await openTestStore(driver));
    const su = await test.superuser();
    // The database as the previous release left it: samples, no catalogue.
    await su.query(`drop table mandate_metric_series_key`);
    await su.query(`delete from mandate_migrations where name like 'Migration20261207130000MetricSeriesKeys%'`);
    await su.query(
      `insert into mandate_metric_sample (at, resolution, node, region, agent, cycles, failures, payments)
       values ($1, 10000, 'n1', 'eu', 'payables', 1, 0, 0), ($2, 10000, 'n2', 'eu', 'payables', 2, 0, 0),
              ($3, 300000, 'n1', 'us', 'fx', 3, 0, 0)`,
      [T0 + 10_000, T0, T0 + 300_000],
    );
    await test.store.close();
    const reopened = await test.reopen();
    expect((await reopened.series.query({ from: T0, to: T0 + 600_000, step: 300_000 })).agents).toEqual([
      { agent: 'fx', region: 'us' },
      { agent: 'payables', region: 'eu' },
    ]);
    expect(await catalogue(test)).toEqual([
      { agent: 'fx', region: 'us', firstAt: T0 + 300_000 },
      { agent: 'payables', region: 'eu', firstAt: T0 },
    ]);
  });
});
