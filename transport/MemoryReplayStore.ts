import type { ReplayStore } from './ReplayStore.ts';

/**
 * In-process {@link ReplayStore}; forgets everything on restart, so alone only for tests and simulations (it is
 * also the window under the file store and the local window of a checkpointed guard). Expired entries are
 * dropped a second at a time from per-second buckets, so pruning never scans the whole window.
 */
export class MemoryReplayStore implements ReplayStore {
  readonly #entries = new Map<string, number>();
  readonly #bySecond = new Map<number, string[]>();
  #swept: number | undefined;

  async claim(key: string, expiresAt: number, now: number): Promise<boolean> {
    return this.claimSync(key, expiresAt, now);
  }

  /** Synchronous claim, for stores layering persistence on top. */
  claimSync(key: string, expiresAt: number, now: number): boolean {
    this.#prune(now);
    const existing = this.#entries.get(key);
    if (existing !== undefined && existing >= now) return false;
    this.#entries.set(key, expiresAt);
    const second = Math.floor(expiresAt / 1000);
    const bucket = this.#bySecond.get(second);
    if (bucket === undefined) this.#bySecond.set(second, [key]);
    else bucket.push(key);
    return true;
  }

  async has(key: string, now: number): Promise<boolean> {
    const existing = this.#entries.get(key);
    return existing !== undefined && existing >= now;
  }

  /** Live entries, for snapshots. */
  entries(now: number): Array<[string, number]> {
    return [...this.#entries].filter(([, exp]) => exp >= now);
  }

  get size(): number {
    return this.#entries.size;
  }

  async close(): Promise<void> {}

  #prune(now: number): void {
    const second = Math.floor(now / 1000);
    const from = this.#swept ?? second;
    if (from >= second) {
      this.#swept ??= second;
      return;
    }
    // A clock that jumped far ahead (simulations): one full pass instead of a second-by-second walk.
    const seconds = second - from > 3_600 ? [...this.#bySecond.keys()].filter((s) => s < second) : range(from, second);
    for (const s of seconds) {
      for (const key of this.#bySecond.get(s) ?? []) {
        const exp = this.#entries.get(key);
        if (exp !== undefined && exp < now) this.#entries.delete(key);
      }
      this.#bySecond.delete(s);
    }
    this.#swept = second;
  }
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let s = from; s < to; s++) out.push(s);
  return out;
}
