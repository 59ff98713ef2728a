/**
 * The runtime's stored time series: per agent and region, how many cycles, failed cycles and
 * payments each sampling interval saw (`SeriesSampler` writes them, `GET /api/metrics/series`
 * reads them back in buckets). Old rows are rolled up into coarser buckets, then dropped.
 */

/** What one agent did in one interval on one node: counts since the previous sample. */
export interface SeriesSample {
  /** Start of the interval (epoch ms). */
  at: number;
  /** Interval length in ms: the sampler's for raw rows, the coarse step for rolled-up ones. */
  resolution: number;
  node: string;
  region: string;
  agent: string;
  cycles: number;
  failures: number;
  payments: number;
}

/** A read of the series: `[from, to)` in buckets of `step` ms, for one agent, one region, or all. */
export interface SeriesQuery {
  from: number;
  to: number;
  step: number;
  agent?: string | undefined;
  region?: string | undefined;
}

/** One bucket's counts (summed over the agents and regions the query selects). */
export interface SeriesPoint {
  at: number;
  cycles: number;
  failures: number;
  payments: number;
}

/** The answer to a {@link SeriesQuery}: a point for every bucket (zero where nothing was counted), and who was seen. */
export interface SeriesResult {
  from: number;
  to: number;
  step: number;
  points: SeriesPoint[];
  /** Every agent (with its region) with stored samples, whatever the range and filter: the chart's pick list (from the series catalogue). */
  agents: Array<{ agent: string; region: string }>;
}

/** How long rows are kept: raw rows for `rawMs`, then rolled into `coarseStep` buckets kept until `keepMs`. */
export interface SeriesRetention {
  rawMs: number;
  coarseStep: number;
  keepMs: number;
}

/** Six hours of raw samples, then five-minute buckets for seven days. */
export const DEFAULT_SERIES_RETENTION: SeriesRetention = {
  rawMs: 6 * 3_600_000,
  coarseStep: 300_000,
  keepMs: 7 * 86_400_000,
};

/** Where the series are kept (`RuntimeStore.series`: the `mandate_metric_sample` table). */
export interface MetricSeriesStore {
  /** Adds samples; a second sample for the same interval, node, region and agent adds to the first. */
  append(samples: readonly SeriesSample[]): Promise<void>;
  query(query: SeriesQuery): Promise<SeriesResult>;
  /** Rolls raw rows older than `now - rawMs` into coarse buckets and drops rows older than `now - keepMs`. */
  downsample(now: number, retention: SeriesRetention): Promise<{ rolled: number; dropped: number }>;
}

/** Spreads summed bucket rows over every bucket of `[from, to)`, zero where no row fell. */
export function denseBuckets(query: SeriesQuery, rows: readonly SeriesPoint[]): SeriesPoint[] {
  const start = Math.floor(query.from / query.step) * query.step;
  const byAt = new Map(rows.map((r) => [r.at, r]));
  const out: SeriesPoint[] = [];
  for (let at = start; at < query.to; at += query.step)
    out.push(byAt.get(at) ?? { at, cycles: 0, failures: 0, payments: 0 });
  return out;
}
