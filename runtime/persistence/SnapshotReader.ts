import { StoreClosedError } from './errors.ts';

interface Waiter<R> {
  agentId: string;
  resolve: (rows: R[]) => void;
  reject: (error: unknown) => void;
}

/** Options of {@link SnapshotReader}. */
export interface SnapshotReaderOptions<R> {
  /** Reads the newest snapshot row of each of these agents (one query). */
  query: (agentIds: string[]) => Promise<R[]>;
  /** The agent a row belongs to. */
  agentOf: (row: R) => string;
  /** Most agents read in one query. */
  maxBatch: number;
}

/**
 * Group read of single-agent snapshots, the read-side twin of `GroupCommit`: loads asked for while
 * a query runs are gathered and answered by the next query (`agent_id = any(…)`), so a burst of
 * reactivations costs a few round trips on the store's read connections, not one each.
 *
 * A load never joins a query already sent: that query's statement snapshot may predate a commit the
 * caller saw acknowledged before asking, and a reactivation must read the agent's newest committed
 * snapshot. Every query starts after each load it answers was asked for, so it sees every commit
 * acknowledged before then (read committed, on the same primary).
 */
export class SnapshotReader<R> {
  readonly #options: SnapshotReaderOptions<R>;
  #waiting: Waiter<R>[] = [];
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(options: SnapshotReaderOptions<R>) {
    this.#options = options;
  }

  /** The newest snapshot row of `agentId` (empty when it has none), read by a query sent after this call. */
  load(agentId: string): Promise<R[]> {
    if (this.#closed)
      return Promise.reject(
        new StoreClosedError('The store is closed; open a new one with openStore() before reading.'),
      );
    return new Promise((resolve, reject) => {
      this.#waiting.push({ agentId, resolve, reject });
      this.#running ??= this.#drain();
    });
  }

  /** Refuses new loads and waits for the queued ones. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running !== undefined) await this.#running;
  }

  async #drain(): Promise<void> {
    // Yield once so that loads asked for in the same tick share the first query.
    await Promise.resolve();
    while (this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, this.#options.maxBatch);
      await this.#read(batch);
    }
    this.#running = undefined;
  }

  async #read(batch: Waiter<R>[]): Promise<void> {
    try {
      const rows = await this.#options.query([...new Set(batch.map((w) => w.agentId))]);
      const byAgent = new Map<string, R[]>();
      for (const row of rows) {
        const id = this.#options.agentOf(row);
        const list = byAgent.get(id);
        if (list === undefined) byAgent.set(id, [row]);
        else list.push(row);
      }
      for (const w of batch) w.resolve(byAgent.get(w.agentId) ?? []);
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
