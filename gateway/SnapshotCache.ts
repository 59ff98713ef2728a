/**
 * Serialized answers of the hottest read route (GET /api/agents), kept only while nothing changed.
 *
 * An entry is dropped on every runtime event (transition, approval, alert), on every state-changing
 * request this gateway answers (before its answer is sent), and in any case after `maxAgeMs`: a
 * change that reaches an agent without an event (a passivation on another path, a reputation decay)
 * is seen at most that late, within the live view's own 50 ms paint budget.
 */
import type { MandateRuntime } from './RuntimeApi.ts';

/** Options of {@link SnapshotCache}. */
export interface SnapshotCacheOptions {
  /** Oldest an entry may be served, in ms (default 50). */
  maxAgeMs?: number;
  /** Most entries kept (one per distinct query; default 32): past it, the cache is emptied. */
  maxEntries?: number;
  /** Injected clock (ms). */
  now?: () => number;
}

/** A cache of serialized read answers, invalidated by the runtime's own events. */
export class SnapshotCache {
  private readonly entries = new Map<string, { at: number; body: string }>();
  private readonly maxAgeMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly unsubscribe: () => void;

  constructor(runtime: Pick<MandateRuntime, 'subscribe'>, options: SnapshotCacheOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 50;
    this.maxEntries = options.maxEntries ?? 32;
    this.now = options.now ?? performance.now.bind(performance);
    this.unsubscribe = runtime.subscribe(() => this.clear());
  }

  /** The body kept for `key` if fresh, else `compute()`'s, kept for the next reader. */
  get(key: string, compute: () => string): string {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit !== undefined && now - hit.at <= this.maxAgeMs) return hit.body;
    const body = compute();
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { at: now, body });
    return body;
  }

  /** Drops every entry (something changed). */
  clear(): void {
    this.entries.clear();
  }

  /** Stops following the runtime's events. */
  close(): void {
    this.unsubscribe();
    this.entries.clear();
  }
}
