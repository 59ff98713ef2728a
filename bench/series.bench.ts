/**
 * Stored-series benchmark: `npm run bench -- series`
 *
 * On PostgreSQL (TEST_POSTGRES_URL / DATABASE_URL / 127.0.0.1:5432), with `BENCH_AGENTS` agents
 * (default 1,000) sampled every 10 s for an hour (~360k rows, the size measured when the catalogue
 * was proposed) in a store opened by `openStore`:
 * - the chart's pick list read as before (grouping the hour's samples by agent and region) against
 *   the catalogue `mandate_metric_series_key`, median of `BENCH_ROUNDS` reads each;
 * - a whole `GET /api/metrics/series` read (`series.query`, buckets and pick list) for the hour;
 * - the cost the catalogue adds to a sampling write of one row per agent: the previous insert
 *   alone, `append` with every key known (the steady state), with an empty cache (a process just
 *   started: every key written again, `on conflict do nothing`) and with all keys new;
 * - what the amounts add to the steady state: each row with its cycle time and one asset's
 *   payments, volume and fees (a second table, `mandate_metric_asset_sample`), and with two assets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { SeriesSample } from '../runtime/metrics/MetricSeries.ts';
import { PostgresMetricSeries } from '../runtime/persistence/PostgresMetricSeries.ts';
import { openStore } from '../runtime/persistence/index.ts';
import { createTestDatabase } from '../test/support/db.ts';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 1_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);
const INTERVAL = 10_000;
const HOUR = 3_600_000;
const T0 = 1_790_000_000_000 - (1_790_000_000_000 % HOUR);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(rounds: number, one: (i: number) => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await one(i);
    ms.push(performance.now() - started);
  }
  return median(ms);
}

const round = (at: number, prefix: string, assets = 0): SeriesSample[] =>
  Array.from({ length: AGENTS }, (_, a) => ({
    at,
    resolution: INTERVAL,
    node: 'bench',
    region: `r${a % 8}`,
    agent: `${prefix}${a}`,
    cycles: 3,
    failures: a % 7 === 0 ? 1 : 0,
    payments: 1,
    ...(assets === 0
      ? {}
      : {
          latency: { count: 3, totalMs: 120 + a, maxMs: 80 },
          assets: Object.fromEntries(
            ['USDC', 'EURC']
              .slice(0, assets)
              .map((asset) => [asset, { payments: 1, volume: `${a}.${a % 100}`, fees: '0.000005' }]),
          ),
        }),
  }));

/** The sampling insert as it was before the catalogue (one multi-row statement). */
async function plainInsert(pool: pg.Pool, rows: readonly SeriesSample[]): Promise<void> {
  const cols = ['at', 'resolution', 'node', 'region', 'agent', 'cycles', 'failures', 'payments'] as const;
  const values = rows.map((_, i) => `(${cols.map((_, c) => `$${i * cols.length + c + 1}`).join(', ')})`);
  await pool.query(
    `insert into mandate_metric_sample (${cols.join(', ')}) values ${values.join(', ')}
     on conflict (at, resolution, node, region, agent) do update set
       cycles = mandate_metric_sample.cycles + excluded.cycles,
       failures = mandate_metric_sample.failures + excluded.failures,
       payments = mandate_metric_sample.payments + excluded.payments`,
    rows.flatMap((r) => cols.map((c) => r[c])),
  );
}

await using db = await createTestDatabase();
const dir = mkdtempSync(join(tmpdir(), 'mandate-bench-series-'));
const store = await openStore({ databaseUrl: db.url, dataDir: join(dir, 'data'), keyFile: join(dir, 'key'), env: {} });
const pool = new pg.Pool({ connectionString: db.url, max: 2 });
try {
  // An hour of samples for every agent, through the store (so the catalogue is written as in production).
  const fill = performance.now();
  for (let at = T0; at < T0 + HOUR; at += INTERVAL) await store.series.append(round(at, 'agent-'));
  await pool.query('analyze mandate_metric_sample; analyze mandate_metric_series_key');
  const count = (await pool.query<{ n: number }>('select count(*)::int as n from mandate_metric_sample')).rows[0]!.n;
  console.log(
    `series: ${count.toLocaleString('en')} rows (${AGENTS} agents × 1 h at 10 s), stored in ${((performance.now() - fill) / 1000).toFixed(1)} s; medians of ${ROUNDS}`,
  );

  const scan = await timed(ROUNDS, () =>
    pool.query(
      'select agent, region from mandate_metric_sample where at >= $1 and at < $2 group by agent, region order by agent, region',
      [T0, T0 + HOUR],
    ),
  );
  const catalogue = await timed(ROUNDS, () =>
    pool.query('select agent, region from mandate_metric_series_key order by agent, region'),
  );
  const whole = await timed(ROUNDS, () => store.series.query({ from: T0, to: T0 + HOUR, step: 30_000 }));
  console.log(['read', 'ms'].join(' | '));
  console.log(`pick list, grouping the hour's samples (before) | ${scan.toFixed(2)}`);
  console.log(`pick list, from the catalogue | ${catalogue.toFixed(2)}`);
  console.log(`speed-up | ${(scan / catalogue).toFixed(1)}×`);
  console.log(`whole series read (1 h, 30 s buckets, all agents) | ${whole.toFixed(2)}`);

  // Sampling writes: a round of one row per agent, each at a new interval after the filled hour;
  // the four kinds take turns, so drift on a shared machine falls on all of them alike.
  let at = T0 + HOUR;
  const kinds: Array<[string, (i: number) => Promise<unknown>]> = [
    ['before the catalogue', () => plainInsert(pool, round((at += INTERVAL), 'agent-'))],
    ['keys known (steady state)', () => store.series.append(round((at += INTERVAL), 'agent-'))],
    ['empty cache (process start)', () => new PostgresMetricSeries(pool).append(round((at += INTERVAL), 'agent-'))],
    ['all keys new', (i) => store.series.append(round((at += INTERVAL), `new-${i}-`))],
    ['keys known, cycle time and 1 asset a row', () => store.series.append(round((at += INTERVAL), 'agent-', 1))],
    ['keys known, cycle time and 2 assets a row', () => store.series.append(round((at += INTERVAL), 'agent-', 2))],
  ];
  const ms: number[][] = kinds.map(() => []);
  for (let i = 0; i < ROUNDS; i++)
    for (const [k, [, one]] of kinds.entries()) {
      const started = performance.now();
      await one(i);
      ms[k]!.push(performance.now() - started);
    }
  const plain = median(ms[0]!);
  console.log([`sampling write (${AGENTS} rows)`, 'ms', 'added per round', 'added per row'].join(' | '));
  for (const [k, [label]] of kinds.entries()) {
    const m = median(ms[k]!);
    console.log(
      `${label} | ${m.toFixed(2)} | ${(m - plain).toFixed(2)} ms | ${((1000 * (m - plain)) / AGENTS).toFixed(2)} µs`,
    );
  }
} finally {
  await pool.end();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
