import { StoreClosedError, StoreUnavailableError } from './errors.ts';
import { withDbRetry, type DbRetryPolicy } from './withDbRetry.ts';

/** What applying one batch gave: one result per job, in order, plus whatever the transaction owner needs to see (`B`). */
export interface BatchResult {
  results: unknown[];
}

/** Options of {@link GroupCommit}. */
export interface GroupCommitOptions<J, Tx, B extends BatchResult = BatchResult> {
  /** Runs `work` in one database transaction and commits it (`jobs` tells what the batch holds); it may act on the batch's result once committed. */
  transaction: (work: (tx: Tx) => Promise<B>, jobs: J[]) => Promise<B>;
  /** Applies a batch of jobs inside the transaction. */
  apply: (tx: Tx, jobs: J[]) => Promise<B>;
  /** Most jobs committed in one transaction. */
  maxBatch: number;
  /** How a batch whose failure is transient (connection lost, server restarting) is retried. */
  retry: DbRetryPolicy;
}

interface Pending<J> {
  job: J;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: jobs submitted while a transaction is committing are gathered and committed
 * together in the next one, so N concurrent writers pay for one commit (one WAL flush) instead of
 * N. The write-ahead guarantee holds: a job's promise settles only after the transaction holding
 * it has committed (or definitively failed). A job that fails on its own (bad row) does not take
 * its batch-mates down: the batch is bisected until the failing job is alone. Transient
 * failures are retried with backoff; nothing is acknowledged that was not committed.
 */
export class GroupCommit<J, Tx, B extends BatchResult = BatchResult> {
  readonly #options: GroupCommitOptions<J, Tx, B>;
  #queue: Pending<J>[] = [];
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(options: GroupCommitOptions<J, Tx, B>) {
    this.#options = options;
  }

  /** Queues a job; resolves with its result once committed. */
  submit(job: J): Promise<unknown> {
    if (this.#closed)
      return Promise.reject(
        new StoreClosedError('The store is closed; open a new one with openStore() before writing.'),
      );
    return new Promise((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      if (this.#running === undefined) this.#running = this.#drain();
    });
  }

  /** Waits until every job submitted so far has settled. */
  async flush(): Promise<void> {
    while (this.#running !== undefined) await this.#running;
  }

  /** Refuses new jobs and waits for the queued ones. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  async #drain(): Promise<void> {
    // Yield once so that writers submitting in the same tick join the first batch.
    await Promise.resolve();
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#options.maxBatch);
      await this.#commit(batch);
    }
    // Cleared in the same synchronous step as the emptiness check: a later submit starts a new drain.
    this.#running = undefined;
  }

  async #commit(batch: Pending<J>[]): Promise<void> {
    try {
      const jobs = batch.map((p) => p.job);
      const { results } = await withDbRetry(
        () => this.#options.transaction((tx) => this.#options.apply(tx, jobs), jobs),
        this.#options.retry,
        'a commit',
      );
      batch.forEach((p, i) => p.resolve(results[i]));
    } catch (error) {
      if (batch.length > 1 && !(error instanceof StoreUnavailableError)) {
        // Bisect: a single bad job is found in O(log n) transactions, and every good job commits.
        const half = Math.ceil(batch.length / 2);
        await this.#commit(batch.slice(0, half));
        await this.#commit(batch.slice(half));
      } else {
        for (const p of batch) p.reject(error);
      }
    }
  }
}
