import type { Clock } from '../../kernel/index.ts';
import { SeriesConfigError } from '../errors.ts';
import { formatAmount } from '../../actors/index.ts';
import {
  DEFAULT_SERIES_RETENTION,
  type AssetFigures,
  type MetricSeriesStore,
  type SeriesRetention,
  type SeriesSample,
} from './MetricSeries.ts';
import type { AssetTotals } from './SeriesTotals.ts';

/** One agent's running totals as the runtime counts them now. */
export interface AgentTotals {
  agent: string;
  cycles: number;
  failures: number;
  payments: number;
  /** Per asset: payments with an amount in it, volume and fees in 10^-18 units (`SeriesTotals`). */
  assets?: ReadonlyMap<string, AssetTotals> | undefined;
  /** Cycles that ended, timed: how many and their total ms. */
  timed?: { readonly count: number; readonly totalMs: number } | undefined;
  /** The longest cycle since the previous read of the totals (ms): a window, not a running total. */
  longestMs?: number | undefined;
}

/** What the sampler reads, writes and labels its rows with. */
export interface SeriesSamplerDeps {
  store: MetricSeriesStore;
  clock: Clock;
  node: string;
  region: string;
  totals(): Iterable<AgentTotals>;
  /** A write or a downsample failed (the next round tries again). */
  onProblem(message: string): void;
  /** Sampling interval (default 10 s). */
  intervalMs?: number | undefined;
  retention?: Partial<SeriesRetention> | undefined;
}

/** How often old rows are rolled up and dropped. */
const DOWNSAMPLE_EVERY_MS = 600_000;
const KEYS = ['cycles', 'failures', 'payments', 'timedCount', 'timedMs'] as const;
type Key = (typeof KEYS)[number];

/** What the sampler last read of one agent: its counters, flat, and its assets' (copies). */
type Baseline = Record<Key, number> & { assets: Map<string, AssetTotals> };

/** One round's delta of one agent, before it becomes a row. */
type Delta = Record<Key, number> & { assets: Map<string, AssetTotals>; longestMs: number };

/**
 * Samples every agent's counters at a fixed interval and stores what changed since the previous
 * sample (one row per agent that did something), so the series survive restarts and sum across
 * agents, regions and nodes. What agents counted before `start` is their baseline; an agent first
 * seen later is a host created since, counted from zero; a counter that went down (the agent was
 * re-created) counts from zero again. Every ten minutes old rows are downsampled.
 *
 * Volume and fees are counted per asset in integers of 10^-18 units and stored as the decimal
 * strings they format to; cycle latency as a count and a total of whole ms (the mean of a bucket is
 * their quotient) and the longest cycle of the interval.
 */
export class SeriesSampler {
  readonly #d: SeriesSamplerDeps;
  readonly #intervalMs: number;
  readonly #retention: SeriesRetention;
  readonly #last = new Map<string, Baseline>();
  /** The longest cycle of agents whose last row was not stored (a failed write), for the next round. */
  readonly #longest = new Map<string, number>();
  #since = 0;
  #timer: unknown;
  #running: Promise<void> = Promise.resolve();
  #downsampledAt = -Infinity;
  #stopped = false;

  constructor(deps: SeriesSamplerDeps) {
    this.#d = deps;
    this.#intervalMs = deps.intervalMs ?? 10_000;
    this.#retention = { ...DEFAULT_SERIES_RETENTION, ...deps.retention };
    checkSettings(this.#intervalMs, this.#retention);
  }

  /** Takes the baseline and schedules the rounds. */
  start(): void {
    this.#since = this.#d.clock.now();
    for (const t of this.#d.totals()) this.#last.set(t.agent, baselineOf(t));
    this.#schedule();
  }

  /** One round now: stores the deltas since the previous one (and downsamples when due); resolves with the rows written. */
  sample(): Promise<number> {
    const round = this.#running.then(() => this.#round());
    this.#running = round.then(
      () => undefined,
      () => undefined,
    );
    return round;
  }

  /** Stops the rounds after storing what the last interval counted. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#d.clock.clearTimeout(this.#timer);
    await this.sample().catch((e: unknown) => this.#d.onProblem(`the last metric sample was not stored: ${String(e)}`));
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = this.#d.clock.setTimeout(() => {
      this.sample()
        .catch((e: unknown) =>
          this.#d.onProblem(`a metric sample was not stored (kept for the next round): ${String(e)}`),
        )
        .finally(() => this.#schedule());
    }, this.#intervalMs);
  }

  async #round(): Promise<number> {
    const since = this.#since;
    const deltas = this.#deltas();
    try {
      await this.#d.store.append(deltas.map(([, row]) => row));
    } catch (e) {
      // Nothing is lost: the baseline goes back, so the next round stores these counts with its own.
      for (const [d, row] of deltas) {
        const b = this.#last.get(row.agent);
        if (b !== undefined) {
          for (const k of KEYS) b[k] -= d[k];
          for (const [asset, a] of d.assets) {
            const kept = b.assets.get(asset);
            if (kept === undefined) continue;
            kept.payments -= a.payments;
            kept.volume -= a.volume;
            kept.fees -= a.fees;
          }
        }
        if (d.longestMs > 0) this.#longest.set(row.agent, Math.max(this.#longest.get(row.agent) ?? 0, d.longestMs));
      }
      this.#since = since;
      throw e;
    }
    const now = this.#d.clock.now();
    if (now - this.#downsampledAt >= DOWNSAMPLE_EVERY_MS) {
      this.#downsampledAt = now;
      await this.#d.store.downsample(now, this.#retention);
    }
    return deltas.length;
  }

  /** What changed since the previous call (each delta with its row), moving the baseline to now. */
  #deltas(): Array<[Delta, SeriesSample]> {
    const at = this.#since;
    this.#since = this.#d.clock.now();
    const out: Array<[Delta, SeriesSample]> = [];
    const { node, region } = this.#d;
    for (const t of this.#d.totals()) {
      const now = baselineOf(t);
      const before = this.#last.get(t.agent);
      this.#last.set(t.agent, now);
      const d = deltaOf(now, before);
      d.longestMs = Math.max(d.longestMs, t.longestMs ?? 0, this.#longest.get(t.agent) ?? 0);
      this.#longest.delete(t.agent);
      if (KEYS.every((k) => d[k] === 0) && d.assets.size === 0 && d.longestMs === 0) continue;
      const row: SeriesSample = {
        at,
        resolution: this.#intervalMs,
        node,
        region,
        agent: t.agent,
        cycles: d.cycles,
        failures: d.failures,
        payments: d.payments,
      };
      if (d.timedCount > 0 || d.longestMs > 0)
        row.latency = { count: d.timedCount, totalMs: d.timedMs, maxMs: d.longestMs };
      if (d.assets.size > 0) {
        const assets: Record<string, AssetFigures> = {};
        for (const [asset, a] of d.assets)
          assets[asset] = { payments: a.payments, volume: formatAmount(a.volume), fees: formatAmount(a.fees) };
        row.assets = assets;
      }
      out.push([d, row]);
    }
    return out;
  }
}

/** A copy of what `t` counts, flat. */
function baselineOf(t: AgentTotals): Baseline {
  const assets = new Map<string, AssetTotals>();
  for (const [asset, a] of t.assets ?? []) assets.set(asset, { ...a });
  return {
    cycles: t.cycles,
    failures: t.failures,
    payments: t.payments,
    timedCount: t.timed?.count ?? 0,
    timedMs: t.timed?.totalMs ?? 0,
    assets,
  };
}

/** `now - before`, each counter on its own; one that went down counts from zero (the agent was re-created). */
function deltaOf(now: Baseline, before: Baseline | undefined): Delta {
  const count = (a: number, b: number | undefined): number => (b === undefined || a < b ? a : a - b);
  const units = (a: bigint, b: bigint | undefined): bigint => (b === undefined || a < b ? a : a - b);
  const d: Delta = {
    cycles: count(now.cycles, before?.cycles),
    failures: count(now.failures, before?.failures),
    payments: count(now.payments, before?.payments),
    timedCount: count(now.timedCount, before?.timedCount),
    timedMs: count(now.timedMs, before?.timedMs),
    longestMs: 0,
    assets: new Map(),
  };
  for (const [asset, a] of now.assets) {
    const b = before?.assets.get(asset);
    const moved = {
      payments: count(a.payments, b?.payments),
      volume: units(a.volume, b?.volume),
      fees: units(a.fees, b?.fees),
    };
    if (moved.payments !== 0 || moved.volume !== 0n || moved.fees !== 0n) d.assets.set(asset, moved);
  }
  return d;
}

function checkSettings(intervalMs: number, r: SeriesRetention): void {
  const bad = (setting: string, value: number, rule: string): never => {
    throw new SeriesConfigError(setting, `metricSeries.${setting} is ${value}: ${rule}.`);
  };
  const ok = (n: number): boolean => Number.isSafeInteger(n) && n > 0;
  if (!ok(intervalMs) || intervalMs < 100)
    bad('intervalMs', intervalMs, 'sample at most every 100 ms (a whole number)');
  if (!ok(r.coarseStep) || r.coarseStep < intervalMs)
    bad('retention.coarseStep', r.coarseStep, `roll up into buckets at least one interval (${intervalMs} ms) long`);
  if (!ok(r.rawMs)) bad('retention.rawMs', r.rawMs, 'keep raw rows a whole positive number of ms');
  if (!ok(r.keepMs) || r.keepMs < r.rawMs)
    bad('retention.keepMs', r.keepMs, `keep rows at least as long as raw rows (${r.rawMs} ms)`);
}
