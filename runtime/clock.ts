/**
 * The clock every runtime component takes: time and timers. XState's
 * `SimulatedClock` satisfies it, so tests drive schedules, timeouts and
 * retries deterministically.
 */
export interface Clock {
  now(): number;
  setTimeout(fn: (...args: any[]) => void, ms: number): any;
  clearTimeout(id: any): void;
}

/** Wall-clock time and Node's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (id) => clearTimeout(id),
};
