/** One labelled series of a family, as `/metrics` renders it. */
export interface SeriesSnapshot {
  labels: Record<string, string>;
  /** Counter or gauge value; for a histogram, the cumulative bucket counts (`le` order) with sum and count. */
  value?: number;
  buckets?: number[];
  sum?: number;
  count?: number;
}

/** A metric family: name, type, help, its label names and its series. */
export interface FamilySnapshot {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  /** Histogram upper bounds (seconds), `+Inf` implied. */
  bounds?: readonly number[];
  series: SeriesSnapshot[];
}

/** Latency buckets in seconds: 1 ms to 60 s. */
export const LATENCY_BOUNDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;
/** Wait buckets in seconds (approvals): 1 s to 1 day. */
export const WAIT_BOUNDS = [1, 5, 15, 60, 300, 900, 3600, 14_400, 86_400] as const;

/** An opaque series of one family (see {@link MetricFamily.series}). */
export interface SeriesHandle {
  readonly labels: Readonly<Record<string, string>>;
}

interface Series {
  labels: Record<string, string>;
  value: number;
  /** Per bucket (not cumulative: {@link MetricFamily.snapshot} adds them up), `+Inf` last. */
  counts: number[] | undefined;
  sum: number;
}

/** A metric family's name, kind, help text and label names; histogram bucket bounds; the series cap. */
interface MetricFamilyOptions {
  name: string;
  type: 'counter' | 'gauge' | 'histogram';
  help: string;
  labelNames: readonly string[];
  /** Histogram bucket upper bounds (empty for a counter). */
  bounds?: readonly number[];
  /** Distinct label sets kept before new ones fold into `_other` (default 5,000). */
  maxSeries?: number;
}

/**
 * A counter or histogram family with bounded cardinality: past `maxSeries` label sets, new ones
 * fold into one series whose labels are all `_other` (a runaway label cannot exhaust memory).
 */
export class MetricFamily {
  readonly #series = new Map<string, Series>();
  readonly #maxSeries: number;

  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly bounds: readonly number[];

  constructor({ name, type, help, labelNames, bounds = [], maxSeries = 5_000 }: MetricFamilyOptions) {
    this.name = name;
    this.type = type;
    this.help = help;
    this.labelNames = labelNames;
    this.bounds = bounds;
    this.#maxSeries = maxSeries;
  }

  /** Adds `by` to a counter series. */
  inc(labels: readonly string[], by = 1): void {
    this.#get(labels).value += by;
  }

  /** Adds `by` to a counter series from {@link series}. */
  incIn(handle: SeriesHandle, by = 1): void {
    (handle as Series).value += by;
  }

  /** Sets a gauge series to `value`. */
  set(labels: readonly string[], value: number): void {
    this.#get(labels).value = value;
  }

  /** Sets a gauge series from {@link series} to `value`. */
  setIn(handle: SeriesHandle, value: number): void {
    (handle as Series).value = value;
  }

  /** Records one observation (seconds) in a histogram series. */
  observe(labels: readonly string[], value: number): void {
    this.observeIn(this.#get(labels), value);
  }

  /** The series of these labels, for a caller that observes it often (no key built per observation). */
  series(labels: readonly string[]): SeriesHandle {
    return this.#get(labels);
  }

  /** Records one observation in a series from {@link series}. */
  observeIn(handle: SeriesHandle, value: number): void {
    const s = handle as Series;
    s.value += 1;
    s.sum += value;
    const bounds = this.bounds;
    const counts = (s.counts ??= new Array<number>(bounds.length + 1).fill(0));
    let i = 0;
    while (i < bounds.length && !(value <= bounds[i]!)) i++;
    counts[i]! += 1;
  }

  snapshot(): FamilySnapshot {
    const series = [...this.#series.values()].map((s) =>
      this.type !== 'histogram'
        ? { labels: { ...s.labels }, value: s.value }
        : {
            labels: { ...s.labels },
            buckets: cumulative(s.counts, this.bounds.length),
            sum: s.sum,
            count: s.value,
          },
    );
    return {
      name: this.name,
      type: this.type,
      help: this.help,
      ...(this.type === 'histogram' ? { bounds: this.bounds } : {}),
      series,
    };
  }

  #get(values: readonly string[]): Series {
    let key = values.join('\u0000');
    let s = this.#series.get(key);
    if (s !== undefined) return s;
    if (this.#series.size >= this.#maxSeries) {
      values = this.labelNames.map(() => '_other');
      key = values.join('\u0000');
      s = this.#series.get(key);
      if (s !== undefined) return s;
    }
    const labels: Record<string, string> = {};
    this.labelNames.forEach((n, i) => (labels[n] = values[i] ?? ''));
    s = { labels, value: 0, counts: undefined, sum: 0 };
    this.#series.set(key, s);
    return s;
  }
}

/** Cumulative bucket counts (`le` order, `+Inf` left out: it is the count) from per-bucket ones. */
function cumulative(counts: readonly number[] | undefined, n: number): number[] {
  const out = new Array<number>(n).fill(0);
  if (counts === undefined) return out;
  let total = 0;
  for (let i = 0; i < n; i++) out[i] = total += counts[i]!;
  return out;
}
