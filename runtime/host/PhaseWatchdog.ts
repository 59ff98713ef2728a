import type { Clock } from '../../kernel/index.ts';

/** What the watchdog needs of an agent host. */
export interface Watched {
  /** The deadline of the phase running now (clock ms), or undefined when none runs. */
  phaseDeadline: number | undefined;
  /** Called once when the phase named by the deadline outlived it. */
  phaseTimedOut(): void;
}

/**
 * Phase timeouts for every agent of a runtime on one timer of the injected clock.
 *
 * A per-state XState `after` delay costs a timer set and cleared on every phase of every cycle;
 * here starting a phase is two field writes and a Set insert, and a finished phase costs nothing
 * (it is dropped lazily, at the next sweep). The timer is armed for the earliest deadline
 * watched; a sweep fires overdue phases, forgets hosts whose phase ended, and re-arms. With the
 * same timeout for all agents a sweep runs about once per timeout period.
 */
export class PhaseWatchdog {
  readonly #clock: Clock;
  readonly #watched = new Set<Watched>();
  #timer: unknown;
  #armedFor = Infinity;
  #stopped = false;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Starts watching the phase `host` has just begun; it must set `host.phaseDeadline` first. */
  watch(host: Watched): void {
    if (this.#stopped || host.phaseDeadline === undefined) return;
    this.#watched.add(host);
    if (host.phaseDeadline < this.#armedFor) this.#arm(host.phaseDeadline);
  }

  /** Number of hosts currently watched (finished phases included until the next sweep). */
  get size(): number {
    return this.#watched.size;
  }

  /** Cancels the timer; nothing fires after this. */
  stop(): void {
    this.#stopped = true;
    this.#disarm();
    this.#watched.clear();
  }

  #arm(at: number): void {
    this.#disarm();
    this.#armedFor = at;
    this.#timer = this.#clock.setTimeout(() => this.#sweep(), Math.max(0, at - this.#clock.now()));
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
  }

  #sweep(): void {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    const now = this.#clock.now();
    const due: Watched[] = [];
    let next = Infinity;
    for (const host of this.#watched) {
      const deadline = host.phaseDeadline;
      if (deadline === undefined) this.#watched.delete(host);
      else if (deadline <= now) {
        this.#watched.delete(host);
        due.push(host);
      } else if (deadline < next) next = deadline;
    }
    // Fire after the scan: a timed-out phase may start the next one (retry), which watches again.
    for (const host of due) {
      host.phaseDeadline = undefined;
      host.phaseTimedOut();
    }
    if (next < this.#armedFor && !this.#stopped) this.#arm(next);
  }
}
