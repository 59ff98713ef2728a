/**
 * The runtime's stored time series: per agent and region, how many cycles, failed cycles and
 * payments each sampling interval saw and how long its cycles took, and per agent, region and
 * asset, how many payments it made in that asset, the amount paid and the fees (`SeriesSampler`
 * writes them, `GET /api/metrics/series` reads them back in buckets). Old rows are rolled up into
 * coarser buckets, then dropped.
 */

/** Cycles that ended in an interval or bucket, timed: how many, their total and the longest (ms). */
export interface CycleLatency {
  count: number;
  totalMs: number;
  /** The longest one (0 when none ended). */
  maxMs: number;
}

/**
 * What one asset saw in an interval or bucket: payments with an amount in it (every status, as
 * `payments` counts them), the amount of those that moved (or would have, in dry-run) and the fees
 * charged in it. Amounts are exact decimal strings (`"1250.5"`), summed as decimals by the store.
 */
export interface AssetFigures {
  payments: number;
  volume: string;
  fees: string;
}

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
  /** Its cycles that ended in the interval, timed (absent: none). */
  latency?: CycleLatency | undefined;
  /** By asset (absent or empty: no payment carried an amount or fee). */
  assets?: Readonly<Record<string, AssetFigures>> | undefined;
}

/** A read of the series: `[from, to)` in buckets of `step` ms, for one agent, one region, or all; the figures of one asset or all. */
export interface SeriesQuery {
  from: number;
  to: number;
  step: number;
  agent?: string | undefined;
  region?: string | undefined;
  /** Only this asset's figures in each point's `assets` (cycles, failures, payments and latency have no asset). */
  asset?: string | undefined;
}

/** One bucket (summed over the agents and regions the query selects; the latency's max is the longest of them). */
export interface SeriesPoint {
  at: number;
  cycles: number;
  failures: number;
  payments: number;
  latency: CycleLatency;
  /** Each asset with payments or fees in the bucket (only the query's asset when it names one). */
  assets: Record<string, AssetFigures>;
}

/** The answer to a {@link SeriesQuery}: a point for every bucket (zero where nothing was counted), and who was seen. */
export interface SeriesResult {
  from: number;
  to: number;
  step: number;
  points: SeriesPoint[];
  /** Every agent (with its region) with stored samples, whatever the range and filter: the chart's pick list (from the series catalogue). */
  agents: Array<{ agent: string; region: string }>;
  /** Every asset with stored samples, whatever the range and filter, sorted (the catalogue's asset list). */
  assets: string[];
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

/** Where the series are kept (`RuntimeStore.series`: the `mandate_metric_sample` and `mandate_metric_asset_sample` tables). */
export interface MetricSeriesStore {
  /** Adds samples; a second sample for the same interval, node, region and agent adds to the first (its longest cycle: the longer). */
  append(samples: readonly SeriesSample[]): Promise<void>;
  query(query: SeriesQuery): Promise<SeriesResult>;
  /** Rolls raw rows older than `now - rawMs` into coarse buckets and drops rows older than `now - keepMs` (rows of both tables). */
  downsample(now: number, retention: SeriesRetention): Promise<{ rolled: number; dropped: number }>;
}

/** A bucket with nothing counted. */
export function emptyPoint(at: number): SeriesPoint {
  return { at, cycles: 0, failures: 0, payments: 0, latency: { count: 0, totalMs: 0, maxMs: 0 }, assets: {} };
}

/** Spreads summed bucket rows over every bucket of `[from, to)`, zero where no row fell. */
export function denseBuckets(query: SeriesQuery, rows: readonly SeriesPoint[]): SeriesPoint[] {
  const start = Math.floor(query.from / query.step) * query.step;
  const byAt = new Map(rows.map((r) => [r.at, r]));
  const out: SeriesPoint[] = [];
  for (let at = start; at < query.to; at += query.step) out.push(byAt.get(at) ?? emptyPoint(at));
  return out;
}
