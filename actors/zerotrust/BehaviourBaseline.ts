/** How many past actions of one agent are kept (oldest dropped first). */
export const HISTORY_LIMIT = 10_000;

/** One executed action, as the baseline remembers it. */
export interface PastAction {
  amount?: number;
  counterparty?: string;
  at: number;
}

/** The baseline's explainable statistics for one candidate action. */
export interface BehaviourSignals {
  /** Robust z-score of the amount: 0.6745 · (x − median) / MAD; undefined with fewer than 20 amounts or MAD 0. */
  amountZ: number | undefined;
  median: number | undefined;
  /**
   * Proposals in the last 10 minutes, and what the history's average rate predicts for 10 minutes;
   * undefined until the history holds a rate: at least 20 proposals over at least an hour.
   */
  recent: number;
  expectedRecent: number | undefined;
  /** Counterparty never paid before (only with at least 20 past actions). */
  newCounterparty: boolean;
  /** Share of past actions in this hour of the day (UTC + offset); undefined with fewer than 50. */
  hourShare: number | undefined;
  hour: number;
}

const WINDOW_MS = 10 * 60_000;
const HOUR_MS = 3_600_000;
/** A rate needs this many proposals over at least {@link HOUR_MS} (a run at one simulated instant has none). */
const RATE_MIN_PROPOSALS = 20;

/**
 * One agent's own history, kept so that each statistic costs little with 10,000 past actions:
 * amounts in a sorted array (median O(1), MAD recomputed after every 64 insertions), proposal
 * times in order (a window count is two binary searches), counterparties in a set, and a
 * 24-bucket histogram of hours.
 */
export class BehaviourBaseline {
  readonly #amounts: number[] = [];
  readonly #order: PastAction[] = [];
  readonly #proposals: number[] = [];
  readonly #counterparties = new Map<string, number>();
  readonly #hours = new Array<number>(24).fill(0);
  readonly #offsetMs: number;
  #mad: number | undefined;
  #dirty = 0;

  constructor(utcOffsetMinutes = 0) {
    this.#offsetMs = utcOffsetMinutes * 60_000;
  }

  /** Number of executed actions remembered. */
  get size(): number {
    return this.#order.length;
  }

  /** Notes a proposal (for the rate), whether or not it is executed. */
  proposed(at: number): void {
    this.#proposals.push(at);
    if (this.#proposals.length > HISTORY_LIMIT) this.#proposals.shift();
  }

  /** Remembers an executed action. */
  executed(action: PastAction): void {
    this.#order.push(action);
    if (action.amount !== undefined) insertSorted(this.#amounts, action.amount);
    if (action.counterparty !== undefined)
      this.#counterparties.set(action.counterparty, (this.#counterparties.get(action.counterparty) ?? 0) + 1);
    this.#hours[this.#hourOf(action.at)]! += 1;
    this.#dirty += 1;
    if (this.#order.length > HISTORY_LIMIT) this.#forget(this.#order.shift()!);
  }

  /** The statistics of a candidate action against this history. */
  signals(candidate: PastAction): BehaviourSignals {
    const n = this.#order.length;
    const median = this.#amounts.length === 0 ? undefined : medianOf(this.#amounts);
    const mad = this.#madOf(median);
    const amountZ =
      candidate.amount === undefined ||
      median === undefined ||
      mad === undefined ||
      mad === 0 ||
      this.#amounts.length < 20
        ? undefined
        : (0.6745 * (candidate.amount - median)) / mad;
    const p = this.#proposals;
    const recent = p.length - lowerBound(p, candidate.at - WINDOW_MS);
    const span = p.length < 2 ? 0 : p[p.length - 1]! - p[0]!;
    const expectedRecent = p.length < RATE_MIN_PROPOSALS || span < HOUR_MS ? undefined : (p.length / span) * WINDOW_MS;
    const hour = this.#hourOf(candidate.at);
    return {
      amountZ,
      median,
      recent,
      expectedRecent,
      newCounterparty:
        n >= 20 && candidate.counterparty !== undefined && !this.#counterparties.has(candidate.counterparty),
      hourShare: n < 50 ? undefined : this.#hours[hour]! / n,
      hour,
    };
  }

  #hourOf(at: number): number {
    return Math.floor((((at + this.#offsetMs) % (24 * HOUR_MS)) + 24 * HOUR_MS) / HOUR_MS) % 24;
  }

  #madOf(median: number | undefined): number | undefined {
    if (median === undefined) return undefined;
    if (this.#mad === undefined || this.#dirty >= 64) {
      const deviations = this.#amounts.map((a) => Math.abs(a - median)).sort((a, b) => a - b);
      this.#mad = medianOf(deviations);
      this.#dirty = 0;
    }
    return this.#mad;
  }

  #forget(old: PastAction): void {
    if (old.amount !== undefined) this.#amounts.splice(lowerBound(this.#amounts, old.amount), 1);
    if (old.counterparty !== undefined) {
      const left = (this.#counterparties.get(old.counterparty) ?? 1) - 1;
      if (left === 0) this.#counterparties.delete(old.counterparty);
      else this.#counterparties.set(old.counterparty, left);
    }
    this.#hours[this.#hourOf(old.at)]! -= 1;
  }
}

function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(sorted: number[], x: number): void {
  sorted.splice(lowerBound(sorted, x), 0, x);
}

function medianOf(sorted: readonly number[]): number {
  const m = sorted.length >>> 1;
  return sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}
