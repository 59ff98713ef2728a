/** Main-thread CPU time used by this process so far, in seconds (`process.threadCpuUsage`). */
export function threadCpuSeconds(): number {
  const { user, system } = process.threadCpuUsage();
  return (user + system) / 1e6;
}

/** Monotonic wall time in milliseconds (`performance.now()`). */
export function wallMs(): number {
  return performance.now();
}

/** The wall time between two CPU reads. */
interface Span {
  /** The wall-share total ({@link PhaseCpuShares}) at the read that opened it. */
  readonly share0: number;
  /** CPU seconds credited per in-flight phase up to that read. */
  readonly credit0: number;
  /** CPU seconds per wall-share millisecond over the span; known once the next read closed it. */
  rate: number;
}

/** Where a phase started (from {@link PhaseCpuShares.open}; hand it back when it ends). */
export interface CpuMark {
  readonly span: Span;
  readonly share: number;
}

/** A phase that ended since the last read: credited at the next one. */
interface Closed<T> {
  readonly from: CpuMark;
  readonly share: number;
  readonly target: T;
}

/** When the CPU is read (milliseconds of wall time; defaults in brackets). */
export interface CpuReadPolicy {
  /** No read sooner than this after the previous one [1]. */
  minGapMs?: number;
  /** A read at the next boundary once this much has passed, even while phases keep running [50]. */
  maxGapMs?: number;
  /** A read at the next boundary once this many ended phases wait for one [512]. */
  maxPending?: number;
}

/**
 * Host CPU attributed to the phases in flight, without a sandbox, with few CPU reads. In-process
 * phases interleave on one event loop and Node cannot tell which awaited continuation burned which
 * microsecond without async hooks on every promise, so:
 *
 * - the main thread's CPU is read only where it matters — at a boundary where phases start running
 *   after none ran, or where the last one ends — and then at most once per `minGapMs` (1 ms) of wall
 *   time (and at least every `maxGapMs` or `maxPending` ended phases while phases keep running, and on
 *   {@link flush}). A lone agent whose cycles are more than a millisecond apart costs two reads per
 *   cycle, one at its start and one at its end, whatever its number of phases; cycles closer together
 *   than that share reads (a batch of cycles, one read);
 * - between two reads the CPU is taken as spent evenly over the wall time, and the CPU of each
 *   stretch of it goes in equal parts to the phases in flight then (none: not attributed).
 *
 * So a lone agent's cycle gets the CPU it used, exactly when its cycles are more than `minGapMs`
 * apart, shared among its phases by their wall time; a phase waiting on I/O gets its wall time's
 * share like a busy one. Phases are credited when the read after their end happens
 * (`credit(target, seconds)`).
 *
 * O(1) per boundary (a running total of wall time per in-flight phase, like the CPU total it is
 * converted into at each read); O(ended phases) per read.
 *
 * @example
 * const shares = new PhaseCpuShares({ cpu: threadCpuSeconds, wall: wallMs, credit: (series, s) => counter.incIn(series, s) });
 * const mark = shares.open();
 * // … the phase runs …
 * shares.close(mark, series);
 */
export class PhaseCpuShares<T> {
  readonly #cpu: () => number;
  readonly #wall: () => number;
  readonly #credit: (target: T, seconds: number) => void;
  readonly #minGap: number;
  readonly #maxGap: number;
  readonly #maxPending: number;
  #inFlight = 0;
  /** Wall time of the last boundary, and of the last read, with the CPU then. */
  #wallLast: number;
  #wallRead: number;
  #cpuRead: number;
  /** Σ (wall ms between boundaries) / (phases in flight then): the wall share every in-flight phase accrued. */
  #share = 0;
  #span: Span;
  #closed: Closed<T>[] = [];

  constructor(options: {
    cpu: () => number;
    wall: () => number;
    credit: (target: T, seconds: number) => void;
    policy?: CpuReadPolicy;
  }) {
    this.#cpu = options.cpu;
    this.#wall = options.wall;
    this.#credit = options.credit;
    this.#minGap = options.policy?.minGapMs ?? 1;
    this.#maxGap = options.policy?.maxGapMs ?? 50;
    this.#maxPending = options.policy?.maxPending ?? 512;
    this.#wallLast = this.#wallRead = options.wall();
    this.#cpuRead = options.cpu();
    this.#span = { share0: 0, credit0: 0, rate: 0 };
  }

  /** Phases open now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** A phase starts: returns its mark (hand it back to {@link close}). */
  open(): CpuMark {
    return this.step(undefined, undefined, true)!;
  }

  /** The phase opened at `mark` ends: `target` gets its share at the next read (none when undefined). */
  close(mark: CpuMark, target: T | undefined): void {
    this.step(mark, target, false);
  }

  /**
   * One boundary of one agent: closes its phase opened at `mark` (if any; credited to `target`) and,
   * when `opens`, opens its next one, whose mark is returned.
   */
  step(mark: CpuMark | undefined, target: T | undefined, opens: boolean): CpuMark | undefined {
    const wall = this.#wall();
    if (this.#inFlight > 0) this.#share += (wall - this.#wallLast) / this.#inFlight;
    this.#wallLast = wall;
    const before = this.#inFlight;
    if (mark !== undefined) {
      this.#inFlight = Math.max(0, this.#inFlight - 1);
      if (target !== undefined) this.#closed.push({ from: mark, share: this.#share, target });
    }
    if (opens) this.#inFlight++;
    const since = wall - this.#wallRead;
    if (
      since >= this.#minGap &&
      ((before === 0) !== (this.#inFlight === 0) || since >= this.#maxGap || this.#closed.length >= this.#maxPending)
    )
      this.#read(wall);
    return opens ? { span: this.#span, share: this.#share } : undefined;
  }

  /** Reads the CPU now and credits every phase that ended since the last read. */
  flush(): void {
    const wall = this.#wall();
    if (this.#inFlight > 0) this.#share += (wall - this.#wallLast) / this.#inFlight;
    this.#wallLast = wall;
    this.#read(wall);
  }

  #read(wall: number): void {
    const cpu = this.#cpu();
    const span = this.#span;
    const elapsed = wall - this.#wallRead;
    span.rate = elapsed > 0 ? Math.max(0, cpu - this.#cpuRead) / elapsed : 0;
    this.#span = { share0: this.#share, credit0: creditAt(span, this.#share), rate: 0 };
    this.#wallRead = wall;
    this.#cpuRead = cpu;
    const closed = this.#closed;
    this.#closed = [];
    for (const c of closed)
      this.#credit(c.target, Math.max(0, creditAt(span, c.share) - creditAt(c.from.span, c.from.share)));
  }
}

/** CPU seconds per in-flight phase at wall share `share`, inside `span` (closed). */
function creditAt(span: Span, share: number): number {
  return span.credit0 + span.rate * (share - span.share0);
}
