import type { Clock } from '../../kernel/index.ts';
import type { SnapshotRow } from '../persistence/RuntimeStore.ts';

/** A snapshot read ahead for one passivation of an agent (`token`: that passivation's own object). */
interface Ahead {
  readonly token: object;
  readonly rows: Promise<SnapshotRow[]>;
  readonly until: number;
}

/**
 * Snapshots read ahead of passivated agents' coming triggers, each kept until its reactivation takes
 * it or for `keepMs` (a trigger that does not wake the agent leaves nothing behind in memory). A read
 * belongs to one passivation (`token`): a later passivation of the same agent is never handed it.
 */
export class SnapshotPrefetch {
  readonly #clock: Clock;
  readonly #keepMs: number;
  readonly #ahead = new Map<string, Ahead>();
  #timer: unknown;

  constructor(clock: Clock, keepMs: number) {
    this.#clock = clock;
    this.#keepMs = keepMs;
  }

  /** Reads ahead with `load` unless a read for this passivation is already kept. */
  read(agentId: string, token: object, load: () => Promise<SnapshotRow[]>): void {
    if (this.#ahead.get(agentId)?.token === token) return;
    const rows = load();
    this.#ahead.set(agentId, { token, rows, until: this.#clock.now() + this.#keepMs });
    // A failed read is dropped; the reactivation reads again (and reports the failure then).
    rows.catch(() => {
      if (this.#ahead.get(agentId)?.rows === rows) this.#ahead.delete(agentId);
    });
    this.#timer ??= this.#clock.setTimeout(this.#dropExpired, this.#keepMs);
  }

  /** Takes the read kept for this passivation (undefined when none, or when it failed). */
  async take(agentId: string, token: object): Promise<SnapshotRow[] | undefined> {
    const ahead = this.#ahead.get(agentId);
    this.#ahead.delete(agentId);
    return ahead?.token === token ? ahead.rows.catch(() => undefined) : undefined;
  }

  /** Drops the read kept for the agent, if any. */
  drop(agentId: string): void {
    this.#ahead.delete(agentId);
  }

  /** Reads kept now. */
  get size(): number {
    return this.#ahead.size;
  }

  /** Drops every read and the expiry timer (shutdown). */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#ahead.clear();
  }

  #dropExpired = (): void => {
    this.#timer = undefined;
    const now = this.#clock.now();
    let next = Infinity;
    for (const [id, a] of this.#ahead)
      if (a.until <= now) this.#ahead.delete(id);
      else next = Math.min(next, a.until);
    if (next < Infinity) this.#timer = this.#clock.setTimeout(this.#dropExpired, next - now);
  };
}
