import type { SnapshotRow } from '../persistence/RuntimeStore.ts';

/**
 * Bytes a warm entry costs besides its stored buffer, on Node's 64-bit V8: measured 269 B on the heap (the
 * `Uint8Array` and its `ArrayBuffer` objects, the entry object, its slot in the map's hash table) and
 * ≈ 54 B outside it (the backing store's allocation), at 200,000 entries. The key is the agent id the
 * passivated agent keeps anyway. bench/passivation.bench.ts measures a full tier against this figure.
 */
export const WARM_ENTRY_OVERHEAD = 328;

/** One agent's snapshot row kept warm, for one passivation of it (`token`: that passivation's own object). */
interface Warm {
  readonly token: object;
  readonly seq: number;
  readonly bytes: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The warm tier of passivation: the snapshot rows of recently passivated agents, kept in memory as
 * compact bytes (the row's JSON, as PostgreSQL's jsonb gives it back) within a byte budget, so that
 * their reactivation needs no database read. A row is put only after the store committed it (the
 * durable write comes first); each entry belongs to one passivation and is taken (removed) by its
 * reactivation, so an active agent never has one. When the budget is full the least recently
 * passivated entries are evicted: their agents are read from the store when they wake. Memory is
 * accounted as each buffer's length plus {@link WARM_ENTRY_OVERHEAD}.
 */
export class WarmSnapshots {
  readonly #budget: number;
  /** In passivation order (oldest first): the eviction order. */
  readonly #entries = new Map<string, Warm>();
  #bytes = 0;
  /** Entries evicted by the budget since start. */
  evicted = 0;

  /** `budget`: bytes the tier may account for; 0 keeps nothing. */
  constructor(budget: number) {
    this.#budget = budget;
  }

  /**
   * Keeps `row` (already committed to the store) for the passivation `token`, evicting the oldest
   * entries to fit it. Any entry kept for the agent is replaced; a row older than the one kept drops
   * both (the store decides). A row bigger than the whole budget is not kept. Returns whether it was kept.
   */
  put(row: SnapshotRow, token: object): boolean {
    const kept = this.#entries.get(row.agentId);
    this.drop(row.agentId);
    if (this.#budget === 0 || (kept !== undefined && row.seq < kept.seq)) return false;
    const { agentId, supervisorId, snapshot, state, seq, at } = row;
    const bytes = encoder.encode(JSON.stringify({ agentId, supervisorId, snapshot, state, seq, at }));
    const cost = bytes.byteLength + WARM_ENTRY_OVERHEAD;
    if (cost > this.#budget) return false;
    for (const [id, old] of this.#entries) {
      if (this.#bytes + cost <= this.#budget) break;
      this.#remove(id, old);
      this.evicted++;
    }
    this.#entries.set(agentId, { token, seq, bytes });
    this.#bytes += cost;
    return true;
  }

  /** Whether a row is kept for this passivation of the agent. */
  has(agentId: string, token: object): boolean {
    return this.#entries.get(agentId)?.token === token;
  }

  /**
   * Takes the row kept for this passivation of the agent (removed: the agent is active from now on and
   * writes newer snapshots), as the store would return it; undefined when none is kept for it.
   */
  take(agentId: string, token: object): SnapshotRow[] | undefined {
    const warm = this.#entries.get(agentId);
    if (warm === undefined) return undefined;
    this.#remove(agentId, warm);
    return warm.token === token ? [JSON.parse(decoder.decode(warm.bytes)) as SnapshotRow] : undefined;
  }

  /** Drops the agent's entry, if any: a newer snapshot of it is coming, or another node owns it now. */
  drop(agentId: string): void {
    const warm = this.#entries.get(agentId);
    if (warm !== undefined) this.#remove(agentId, warm);
  }

  /** Entries kept now. */
  get size(): number {
    return this.#entries.size;
  }

  /** Bytes accounted now (buffers plus per-entry overhead), never above the budget. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Drops every entry (shutdown). */
  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  #remove(agentId: string, warm: Warm): void {
    this.#entries.delete(agentId);
    this.#bytes -= warm.bytes.byteLength + WARM_ENTRY_OVERHEAD;
  }
}
