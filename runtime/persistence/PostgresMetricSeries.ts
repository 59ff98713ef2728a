import type { Pool } from 'pg';
import {
  denseBuckets,
  emptyPoint,
  type MetricSeriesStore,
  type SeriesPoint,
  type SeriesQuery,
  type SeriesResult,
  type SeriesRetention,
  type SeriesSample,
} from '../metrics/MetricSeries.ts';

/** The sample table's columns with their types, for `unnest` of one array per column. */
const SAMPLE = {
  at: 'bigint',
  resolution: 'int',
  node: 'text',
  region: 'text',
  agent: 'text',
  cycles: 'int',
  failures: 'int',
  payments: 'int',
  latency_count: 'int',
  latency_ms: 'bigint',
  latency_max_ms: 'int',
} as const;
const SAMPLE_KEY = 'at, resolution, node, region, agent';
const SAMPLE_SUMS = `sum(cycles), sum(failures), sum(payments), sum(latency_count), sum(latency_ms), max(latency_max_ms)`;
const ADD = `on conflict (${SAMPLE_KEY}) do update set
  cycles = mandate_metric_sample.cycles + excluded.cycles,
  failures = mandate_metric_sample.failures + excluded.failures,
  payments = mandate_metric_sample.payments + excluded.payments,
  latency_count = mandate_metric_sample.latency_count + excluded.latency_count,
  latency_ms = mandate_metric_sample.latency_ms + excluded.latency_ms,
  latency_max_ms = greatest(mandate_metric_sample.latency_max_ms, excluded.latency_max_ms)`;

/** The per-asset table's columns: amounts are `numeric`, passed and read as decimal text (never floats). */
const ASSET = {
  at: 'bigint',
  resolution: 'int',
  node: 'text',
  region: 'text',
  agent: 'text',
  asset: 'text',
  payments: 'int',
  volume: 'numeric',
  fees: 'numeric',
} as const;
const ASSET_KEY = `${SAMPLE_KEY}, asset`;
const ASSET_SUMS = 'sum(payments), sum(volume), sum(fees)';
const ADD_ASSET = `on conflict (${ASSET_KEY}) do update set
  payments = mandate_metric_asset_sample.payments + excluded.payments,
  volume = mandate_metric_asset_sample.volume + excluded.volume,
  fees = mandate_metric_asset_sample.fees + excluded.fees`;

/** The catalogues, by the prefix of their keys in `#known`: agents with regions, and assets. */
const CATALOGUES = [
  {
    kind: 'k',
    name: 'keys',
    table: 'mandate_metric_series_key',
    columns: 'agent, region, first_at',
    conflict: 'agent, region',
  },
  {
    kind: 'a',
    name: 'asset_keys',
    table: 'mandate_metric_series_asset',
    columns: 'asset, first_at',
    conflict: 'asset',
  },
] as const;

/** A row of a series read: a bucket of `mandate_metric_sample` (kind 0) or of one asset (kind 1: its columns only). */
interface BucketRow {
  kind: number;
  at: number;
  asset: string | null;
  cycles: number;
  failures: number;
  payments: number;
  count: number;
  total: number;
  max: number;
  volume: string | null;
  fees: string | null;
}

/**
 * The stored metric series on PostgreSQL (or the embedded database): the `mandate_metric_sample`
 * table (counts and cycle time per agent and region), `mandate_metric_asset_sample` (payments,
 * volume and fees per asset as exact `numeric` sums), and the catalogue of every agent and region
 * (`mandate_metric_series_key`) and asset (`mandate_metric_series_asset`) sampled (the chart's pick
 * lists, read without scanning samples).
 */
export class PostgresMetricSeries implements MetricSeriesStore {
  readonly #pool: Pool;
  /** Catalogue keys this process has written or read back: only a key not in it costs a catalogue write. */
  readonly #known = new Set<string>();

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async append(samples: readonly SeriesSample[]): Promise<void> {
    if (samples.length === 0) return;
    const params: unknown[] = [];
    // One array per column (`unnest`): one statement per round, whatever its size; a row repeated
    // within it would hit its own conflict twice, so the select sums repeats first.
    const sampleColumns = columnsOf(SAMPLE, samples, (s) => [
      s.at,
      s.resolution,
      s.node,
      s.region,
      s.agent,
      s.cycles,
      s.failures,
      s.payments,
      s.latency?.count ?? 0,
      s.latency?.totalMs ?? 0,
      s.latency?.maxMs ?? 0,
    ]);
    const amounts = samples.flatMap((s) =>
      Object.entries(s.assets ?? {}).map(([asset, a]) => [
        s.at,
        s.resolution,
        s.node,
        s.region,
        s.agent,
        asset,
        a.payments,
        a.volume,
        a.fees,
      ]),
    );
    // A key first sampled joins the catalogue in the same statement as its samples, so neither is stored without the other.
    const fresh = new Map<string, { at: number; values: string[] }>();
    const note = (key: string, at: number, values: string[]): void => {
      if (!this.#known.has(key) && !((fresh.get(key)?.at ?? Infinity) <= at)) fresh.set(key, { at, values });
    };
    for (const s of samples) {
      note(`k\u0000${s.agent}\u0000${s.region}`, s.at, [s.agent, s.region]);
      for (const asset of Object.keys(s.assets ?? {})) note(`a\u0000${asset}`, s.at, [asset]);
    }
    const ctes: string[] = [];
    for (const c of CATALOGUES) {
      const rows = [...fresh].filter(([key]) => key.startsWith(c.kind));
      if (rows.length === 0) continue;
      const values = rows.map(([, r]) => `(${[...r.values, r.at].map((v) => `$${params.push(v)}`).join(', ')})`);
      ctes.push(
        `${c.name} as (insert into ${c.table} (${c.columns}) values ${values.join(', ')} on conflict (${c.conflict}) do nothing)`,
      );
    }
    if (amounts.length > 0) {
      const from = unnestOf(
        ASSET,
        columnsOf(ASSET, amounts, (r) => r),
        params,
      );
      ctes.push(
        `amounts as (insert into mandate_metric_asset_sample (${Object.keys(ASSET).join(', ')})
           select ${ASSET_KEY}, ${ASSET_SUMS} from ${from} group by ${ASSET_KEY} ${ADD_ASSET})`,
      );
    }
    const from = unnestOf(SAMPLE, sampleColumns, params);
    await this.#pool.query(
      `${ctes.length === 0 ? '' : `with ${ctes.join(', ')} `}insert into mandate_metric_sample (${Object.keys(SAMPLE).join(', ')})
         select ${SAMPLE_KEY}, ${SAMPLE_SUMS} from ${from} group by ${SAMPLE_KEY} ${ADD}`,
      params,
    );
    for (const key of fresh.keys()) this.#known.add(key);
  }

  async query(q: SeriesQuery): Promise<SeriesResult> {
    const start = Math.floor(q.from / q.step) * q.step;
    // Filters only when asked for: `$n is null or agent = $n` would keep the planner off the agent index.
    const params: unknown[] = [start, q.to, q.step];
    const where = ['at >= $1', 'at < $2'];
    for (const column of ['agent', 'region'] as const)
      if (q[column] !== undefined) where.push(`${column} = $${params.push(q[column])}`);
    const assetWhere = q.asset === undefined ? where : [...where, `asset = $${params.push(q.asset)}`];
    const bucket = '((at / $3::bigint) * $3::bigint)::float8';
    // Two statements (so a chart read holds two of the pool's connections, as before the amounts):
    // the buckets of both tables, then both catalogues; each row says which part it is (`kind`).
    const [rows, catalogue] = await Promise.all([
      this.#pool.query<BucketRow>(
        `select 0 as kind, ${bucket} as at, null::text as asset, sum(cycles)::float8 as cycles,
                sum(failures)::float8 as failures, sum(payments)::float8 as payments,
                sum(latency_count)::float8 as count, sum(latency_ms)::float8 as total,
                max(latency_max_ms)::float8 as max, null::text as volume, null::text as fees
           from mandate_metric_sample where ${where.join(' and ')} group by 2
         union all
         select 1, ${bucket}, asset, null, null, sum(payments)::float8, null, null, null,
                trim_scale(sum(volume))::text, trim_scale(sum(fees))::text
           from mandate_metric_asset_sample where ${assetWhere.join(' and ')} group by 2, 3
         order by 2, 1, 3`,
        params,
      ),
      this.#pool.query<{ kind: number; agent: string; region: string; asset: string }>(
        `select 0 as kind, agent, region, null::text as asset from mandate_metric_series_key
         union all select 1, null, null, asset from mandate_metric_series_asset
         order by 1, 2, 3, 4`,
      ),
    ]);
    const points = new Map<number, SeriesPoint>();
    for (const r of rows.rows) {
      let point = points.get(r.at);
      if (point === undefined) points.set(r.at, (point = emptyPoint(r.at)));
      if (r.kind === 0)
        Object.assign(point, {
          cycles: r.cycles,
          failures: r.failures,
          payments: r.payments,
          latency: { count: r.count, totalMs: r.total, maxMs: r.max },
        });
      else point.assets[r.asset!] = { payments: r.payments, volume: r.volume!, fees: r.fees! };
    }
    return {
      from: start,
      to: q.to,
      step: q.step,
      points: denseBuckets(q, [...points.values()]),
      agents: catalogue.rows.filter((r) => r.kind === 0).map(({ agent, region }) => ({ agent, region })),
      assets: catalogue.rows.filter((r) => r.kind === 1).map((r) => r.asset),
    };
  }

  async downsample(now: number, r: SeriesRetention): Promise<{ rolled: number; dropped: number }> {
    const cutoff = Math.floor((now - r.rawMs) / r.coarseStep) * r.coarseStep;
    const coarse = '(at / $2::bigint) * $2::bigint';
    // One statement: the raw rows of both tables leave and their sums (maxima for the longest cycle) arrive together, or none.
    const rolled = await this.#pool.query<{ n: number }>(
      `with moved as (delete from mandate_metric_sample where resolution < $2 and at < $1 returning *),
            added as (insert into mandate_metric_sample (${Object.keys(SAMPLE).join(', ')})
                      select ${coarse}, $2, node, region, agent, ${SAMPLE_SUMS}
                        from moved group by 1, node, region, agent ${ADD} returning 1),
            moved_assets as (delete from mandate_metric_asset_sample where resolution < $2 and at < $1 returning *),
            added_assets as (insert into mandate_metric_asset_sample (${Object.keys(ASSET).join(', ')})
                      select ${coarse}, $2, node, region, agent, asset, ${ASSET_SUMS}
                        from moved_assets group by 1, node, region, agent, asset ${ADD_ASSET} returning 1)
       select ((select count(*) from moved) + (select count(*) from moved_assets))::int as n`,
      [cutoff, r.coarseStep],
    );
    const dropped = await this.#pool.query<{ n: number }>(
      `with samples as (delete from mandate_metric_sample where at < $1 returning 1),
            amounts as (delete from mandate_metric_asset_sample where at < $1 returning 1)
       select ((select count(*) from samples) + (select count(*) from amounts))::int as n`,
      [now - r.keepMs],
    );
    const gone = dropped.rows[0]?.n ?? 0;
    if (gone > 0) {
      await this.#pool.query(
        `delete from mandate_metric_series_key k where not exists
           (select 1 from mandate_metric_sample s where s.agent = k.agent and s.region = k.region)`,
      );
      await this.#pool.query(
        `delete from mandate_metric_series_asset k where not exists
           (select 1 from mandate_metric_asset_sample s where s.asset = k.asset)`,
      );
    }
    // Keys whose every sample is gone leave the catalogue (here or on another node): forgetting what
    // this process knew writes a key it still samples back within one downsampling period.
    this.#known.clear();
    return { rolled: rolled.rows[0]?.n ?? 0, dropped: gone };
  }
}

/** One array per column of `rows` (each row as `values` gives it, in the columns' order). */
function columnsOf<T>(columns: Record<string, string>, rows: readonly T[], values: (row: T) => unknown[]): unknown[][] {
  const out: unknown[][] = Object.keys(columns).map(() => []);
  for (const row of rows) values(row).forEach((v, i) => out[i]!.push(v));
  return out;
}

/** `unnest($1::bigint[], …) as u(at, …)`, pushing one array parameter per column. */
function unnestOf(columns: Record<string, string>, arrays: unknown[][], params: unknown[]): string {
  const types = Object.values(columns);
  const args = arrays.map((a, i) => `$${params.push(a)}::${types[i]}[]`);
  return `unnest(${args.join(', ')}) as u(${Object.keys(columns).join(', ')})`;
}
