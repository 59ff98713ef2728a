/** Main-thread CPU time used by this process so far, in seconds (`process.threadCpuUsage`). */
export function threadCpuSeconds(): number {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1e6;
}

/**
 * Host CPU attributed to the phases in flight, without a sandbox. In-process phases interleave on
 * one event loop and Node cannot tell which awaited continuation burned which microsecond without
 * async hooks on every promise (too slow for the hot path), so the CPU the main thread used between
 * two phase boundaries is split evenly among the phases in flight in that interval. Exact when one
 * phase runs at a time; with several in flight, a phase waiting on I/O gets the same share as a busy
 * one. The shares of all phases add up to the main thread's CPU while any phase ran (host work done
 * then — HTTP, persistence — included; CPU while no phase runs is not attributed).
 *
 * O(1) and one CPU read per boundary: a running total of "CPU per in-flight phase" (the share every phase in flight
 * accrued since the start); a phase's share is that total at its end minus the total at its start.
 *
 * @example
 * const shares = new PhaseCpuShares(threadCpuSeconds);
 * const mark = shares.open();
 * // … the phase runs …
 * const seconds = shares.close(mark);
 */
export class PhaseCpuShares {
  readonly #cpu: () => number;
  #inFlight = 0;
  #last: number;
  #perPhase = 0;

  constructor(cpu: () => number) {
    this.#cpu = cpu;
    this.#last = cpu();
  }

  /** Phases open now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** A phase starts: returns its mark (hand it back to {@link close}). */
  open(): number {
    return this.step(undefined, true).mark!;
  }

  /** The phase opened at `mark` ends: its share of the CPU, in seconds. */
  close(mark: number): number {
    return this.step(mark, false).share;
  }

  /**
   * One boundary of one agent, with one CPU read: closes its phase opened at `mark` (if any) and,
   * when `opens`, opens its next one. Returns the closed phase's share and the new mark.
   */
  step(mark: number | undefined, opens: boolean): { share: number; mark: number | undefined } {
    this.#advance();
    let share = 0;
    if (mark !== undefined) {
      this.#inFlight = Math.max(0, this.#inFlight - 1);
      share = Math.max(0, this.#perPhase - mark);
    }
    if (!opens) return { share, mark: undefined };
    this.#inFlight++;
    return { share, mark: this.#perPhase };
  }

  #advance(): void {
    const now = this.#cpu();
    if (this.#inFlight > 0) this.#perPhase += (now - this.#last) / this.#inFlight;
    this.#last = now;
  }
}
