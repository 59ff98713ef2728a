import type { ReplayStore } from './ReplayStore.ts';

/** In-process {@link ReplayStore}; forgets everything on restart, so only for tests and simulations. */
export class MemoryReplayStore implements ReplayStore {
  readonly #entries = new Map<string, number>();
  #nextPrune = 0;

  async claim(key: string, expiresAt: number, now: number): Promise<boolean> {
    return this.claimSync(key, expiresAt, now);
  }

  /** Synchronous claim, for stores layering persistence on top. */
  claimSync(key: string, expiresAt: number, now: number): boolean {
    this.#prune(now);
    const existing = this.#entries.get(key);
    if (existing !== undefined && existing >= now) return false;
    this.#entries.set(key, expiresAt);
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
    if (now < this.#nextPrune) return;
    this.#nextPrune = now + 1_000;
    // Map iteration is insertion order and expiries are roughly increasing, but not strictly: scan all.
    for (const [key, exp] of this.#entries) if (exp < now) this.#entries.delete(key);
  }
}
