/**
 * The one clock every Mandate component takes: the time, and timers. XState's `SimulatedClock`
 * satisfies it, so tests drive schedules, timeouts and retries deterministically. A component that
 * only reads the time takes `Pick<Clock, 'now'>`.
 *
 * @example
 * const clock: Clock = new SimulatedClock(); // from xstate
 * const stamp = (c: Pick<Clock, 'now'>) => c.now();
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fn` after `ms` milliseconds; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(fn: (...args: any[]) => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** Wall-clock time and Node's timers (unref'd: a pending timer never keeps the process alive). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
};
