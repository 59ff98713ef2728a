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

/** The stored metric series on PostgreSQL (or the embedded database): the `mandate_metric_sample` table. */
export class PostgresMetricSeries implements MetricSeriesStore {
  readonly #pool: Pool;

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
    await this.#pool.query(
      `insert into mandate_metric_sample (${COLUMNS.join(', ')}) values ${values.join(', ')} ${ADD}`,
      rows.flatMap((r) => COLUMNS.map((c) => r[c])),
    );
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
        `select agent, region from mandate_metric_sample where at >= $1 and at < $2 group by agent, region order by agent, region`,
        [start, q.to],
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
    return { rolled: rolled.rows[0]?.n ?? 0, dropped: dropped.rowCount ?? 0 };
  }
}
