import type { SeriesSampler } from './SeriesSampler.ts';
import { seriesSamplerOf } from './seriesSamplerOf.ts';

/** What the periodic jobs run on: the alert book to tick, and what the sampler reads. */
type JobsRuntime = Parameters<typeof seriesSamplerOf>[0] & { readonly alertBook: { tick(): void } };

/**
 * The runtime's periodic jobs between `start` and `shutdown`: the alert book's tick every 30 s
 * (overdue approvals, resolving quiet alerts) and the metric series sampler (`metricSeries`).
 * Built with the runtime, so a bad `metricSeries` setting fails before anything starts.
 */
export class PeriodicJobs {
  readonly #s: JobsRuntime;
  readonly #sampler: SeriesSampler | undefined;
  #alertTicks: NodeJS.Timeout | undefined;

  /** @throws SeriesConfigError when a `metricSeries` setting is out of range. */
  constructor(s: JobsRuntime) {
    this.#s = s;
    this.#sampler = seriesSamplerOf(s);
  }

  start(): void {
    this.#alertTicks = setInterval(() => this.#s.alertBook.tick(), 30_000);
    this.#alertTicks.unref();
    this.#sampler?.start();
  }

  /** Stops both; the sampler first stores what its last interval counted (the store is still open). */
  async stop(): Promise<void> {
    clearInterval(this.#alertTicks);
    await this.#sampler?.stop();
  }
}
