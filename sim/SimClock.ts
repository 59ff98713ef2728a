import type { Clock } from '../runtime/index.ts';

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly owner: number;
  readonly fn: () => void;
}

/**
 * Simulated time for the whole world: timers fire only when the simulator steps, in (time,
 * creation) order. Each runtime incarnation gets its own {@link SimClock.view} so a crash can
 * drop exactly the timers of the process that died.
 */
export class SimClock {
  #now: number;
  #seq = 0;
  readonly #timers = new Map<number, Timer>();

  constructor(start: number) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** A `Clock` whose timers belong to `owner` (0 is the world itself). */
  view(owner: number): Clock {
    return {
      now: () => this.#now,
      setTimeout: (fn, ms) => this.schedule(owner, Math.max(0, Number.isFinite(ms) ? ms : 0), fn),
      clearTimeout: (id) => void this.#timers.delete(id as number),
    };
  }

  /** Calls `fn` `ms` from now on behalf of `owner`; returns the timer id. */
  schedule(owner: number, ms: number, fn: () => void): number {
    const id = ++this.#seq;
    this.#timers.set(id, { id, at: this.#now + ms, owner, fn });
    return id;
  }

  /** Forgets every timer of `owner` (its process crashed). */
  dropOwner(owner: number): void {
    for (const [id, t] of this.#timers) if (t.owner === owner) this.#timers.delete(id);
  }

  /** When the next timer is due, or undefined when none is set. */
  nextAt(): number | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers.values()) if (best === undefined || t.at < best.at) best = t;
    return best?.at;
  }

  /** Moves time to the earliest timer (never past `limit`) and fires it; false when nothing was due by `limit`. */
  fireNext(limit: number): boolean {
    let best: Timer | undefined;
    for (const t of this.#timers.values()) if (best === undefined || t.at < best.at) best = t;
    if (best === undefined || best.at > limit) {
      this.#now = Math.max(this.#now, limit);
      return false;
    }
    this.#timers.delete(best.id);
    this.#now = Math.max(this.#now, best.at);
    best.fn();
    return true;
  }
}
