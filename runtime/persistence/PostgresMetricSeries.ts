import type { Pool } from 'pg';
import {
  denseBuckets,
  type MetricSeriesStore,
  type SeriesQuery,
  type SeriesResult,
  type SeriesRetention,
  type SeriesSample,
} from '../metrics/MetricSeries.ts';

const COLUMNS = ['at', 'resolution', 'node', 'region', 'agent', 'cycles', 'failures', 'payments'] as const;
const ADD = `on conflict (at, resolution, node, region, agent) do update set
  cycles = mandate_metric_sample.cycles + excluded.cycles,
  failures = mandate_metric_sample.failures + excluded.failures,
  payments = mandate_metric_sample.payments + excluded.payments`;

/**
 * The stored metric series on PostgreSQL (or the embedded database): the `mandate_metric_sample`
 * table, and the catalogue `mandate_metric_series_key` of every agent and region sampled (the
 * chart's pick list, read without scanning samples).
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
    // One multi-row insert per sample round; a row repeated within it would hit its own conflict twice, so merge first.
    const merged = new Map<string, SeriesSample>();
    for (const s of samples) {
      const key = [s.at, s.resolution, s.node, s.region, s.agent].join('\u0000');
      const seen = merged.get(key);
      if (seen === undefined) merged.set(key, { ...s });
      else
        [seen.cycles, seen.failures, seen.payments] = [
          seen.cycles + s.cycles,
          seen.failures + s.failures,
          seen.payments + s.payments,
        ];
    }
    const rows = [...merged.values()];
    const values = rows.map((_, i) => `(${COLUMNS.map((_, c) => `$${i * COLUMNS.length + c + 1}`).join(', ')})`);
    const params: unknown[] = rows.flatMap((r) => COLUMNS.map((c) => r[c]));
    // A key first sampled joins the catalogue in the same statement as its samples, so neither is stored without the other.
    const fresh = new Map<string, SeriesSample>();
    for (const r of rows) {
      const key = keyOf(r);
      if (!this.#known.has(key) && !((fresh.get(key)?.at ?? Infinity) <= r.at)) fresh.set(key, r);
    }
    const catalogue =
      fresh.size === 0
        ? ''
        : `with catalogued as (insert into mandate_metric_series_key (agent, region, first_at) values ${[
            ...fresh.values(),
          ]
            .map((r) => `($${params.push(r.agent)}, $${params.push(r.region)}, $${params.push(r.at)})`)
            .join(', ')} on conflict (agent, region) do nothing) `;
    await this.#pool.query(
      `${catalogue}insert into mandate_metric_sample (${COLUMNS.join(', ')}) values ${values.join(', ')} ${ADD}`,
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
    const [buckets, seen] = await Promise.all([
      this.#pool.query<{ at: number; cycles: number; failures: number; payments: number }>(
        `select ((at / $3::bigint) * $3::bigint)::float8 as at, sum(cycles)::float8 as cycles,
                sum(failures)::float8 as failures, sum(payments)::float8 as payments
           from mandate_metric_sample where ${where.join(' and ')} group by 1 order by 1`,
        params,
      ),
      this.#pool.query<{ agent: string; region: string }>(
        `select agent, region from mandate_metric_series_key order by agent, region`,
      ),
    ]);
    return { from: start, to: q.to, step: q.step, points: denseBuckets(q, buckets.rows), agents: seen.rows };
  }

  async downsample(now: number, r: SeriesRetention): Promise<{ rolled: number; dropped: number }> {
    const cutoff = Math.floor((now - r.rawMs) / r.coarseStep) * r.coarseStep;
    // One statement: the raw rows leave and their sums arrive together, or neither.
    const rolled = await this.#pool.query<{ n: number }>(
      `with moved as (delete from mandate_metric_sample where resolution < $2 and at < $1 returning *),
            added as (insert into mandate_metric_sample (${COLUMNS.join(', ')})
                      select (at / $2::bigint) * $2::bigint, $2, node, region, agent, sum(cycles), sum(failures), sum(payments)
                        from moved group by 1, node, region, agent ${ADD} returning 1)
       select (select count(*) from moved)::int as n`,
      [cutoff, r.coarseStep],
    );
    const dropped = await this.#pool.query(`delete from mandate_metric_sample where at < $1`, [now - r.keepMs]);
    if ((dropped.rowCount ?? 0) > 0)
      await this.#pool.query(
        `delete from mandate_metric_series_key k where not exists
           (select 1 from mandate_metric_sample s where s.agent = k.agent and s.region = k.region)`,
      );
    // Keys whose every sample is gone leave the catalogue (here or on another node): forgetting what
    // this process knew writes a key it still samples back within one downsampling period.
    this.#known.clear();
    return { rolled: rolled.rows[0]?.n ?? 0, dropped: dropped.rowCount ?? 0 };
  }
}

function keyOf(s: Pick<SeriesSample, 'agent' | 'region'>): string {
  return `${s.agent}\u0000${s.region}`;
}
