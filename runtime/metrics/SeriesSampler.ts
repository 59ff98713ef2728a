import type { Clock } from '../../kernel/index.ts';
import { SeriesConfigError } from '../errors.ts';
import {
  DEFAULT_SERIES_RETENTION,
  type MetricSeriesStore,
  type SeriesRetention,
  type SeriesSample,
} from './MetricSeries.ts';

/** One agent's running totals as the runtime counts them now. */
export interface AgentTotals {
  agent: string;
  cycles: number;
  failures: number;
  payments: number;
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
const KEYS = ['cycles', 'failures', 'payments'] as const;

/**
 * Samples every agent's counters at a fixed interval and stores what changed since the previous
 * sample (one row per agent that did something), so the series survive restarts and sum across
 * agents, regions and nodes. What agents counted before `start` is their baseline; an agent first
 * seen later is a host created since, counted from zero; a counter that went down (the agent was
 * re-created) counts from zero again. Every ten minutes old rows are downsampled.
 */
export class SeriesSampler {
  readonly #d: SeriesSamplerDeps;
  readonly #intervalMs: number;
  readonly #retention: SeriesRetention;
  readonly #last = new Map<string, AgentTotals>();
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
    for (const t of this.#d.totals()) this.#last.set(t.agent, { ...t });
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
    const rows = this.#deltas();
    try {
      await this.#d.store.append(rows);
    } catch (e) {
      // Nothing is lost: the baseline goes back, so the next round stores these counts with its own.
      for (const r of rows) {
        const t = this.#last.get(r.agent);
        if (t !== undefined) for (const k of KEYS) t[k] -= r[k];
      }
      this.#since = since;
      throw e;
    }
    const now = this.#d.clock.now();
    if (now - this.#downsampledAt >= DOWNSAMPLE_EVERY_MS) {
      this.#downsampledAt = now;
      await this.#d.store.downsample(now, this.#retention);
    }
    return rows.length;
  }

  /** The rows of what changed since the previous call, moving the baseline to now. */
  #deltas(): SeriesSample[] {
    const at = this.#since;
    this.#since = this.#d.clock.now();
    const rows: SeriesSample[] = [];
    for (const t of this.#d.totals()) {
      const before = this.#last.get(t.agent) ?? { agent: t.agent, cycles: 0, failures: 0, payments: 0 };
      this.#last.set(t.agent, { ...t });
      const delta = (k: (typeof KEYS)[number]): number => (t[k] >= before[k] ? t[k] - before[k] : t[k]);
      const row = { cycles: delta('cycles'), failures: delta('failures'), payments: delta('payments') };
      if (row.cycles + row.failures + row.payments === 0) continue;
      const { node, region } = this.#d;
      rows.push({ at, resolution: this.#intervalMs, node, region, agent: t.agent, ...row });
    }
    return rows;
  }
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
