import type { Pool } from 'pg';
import type { AuditCheckpoint } from '../audit/AuditCheckpoint.ts';
import type { AuditCheckpointResult, AuditLog } from '../audit/AuditLog.ts';
import type { AuditTrail } from '../audit/AuditTrail.ts';
import type { AuditWitness } from '../audit/AuditWitness.ts';
import { AuditCheckpointError } from '../audit/errors.ts';
import { queryAudit, type AuditPage, type AuditQuery } from '../audit/queryAudit.ts';
import { verifyAuditChain, type AuditVerifyResult, type VerifyAuditOptions } from '../audit/verifyAuditChain.ts';
import type { SqlExecutor } from '../audit/SqlExecutor.ts';
import { isTransientDbError } from './isTransientDbError.ts';
import { pgExecutor, pgTransaction, type PgTx } from './PgExecutor.ts';
import { withDbRetry, type DbRetryPolicy } from './withDbRetry.ts';

/** What a store transaction did to the audit chain, acted on once it has committed. */
export interface AuditOutcome {
  /** A checkpoint signed in the transaction: mirrored to the witness file. */
  signed?: AuditCheckpoint | undefined;
  /** The transaction checked which writes of an in-doubt commit had made it in. */
  resolvedDoubt?: boolean;
}

/** Everything {@link PostgresAuditTrail} runs on. */
export interface PostgresAuditTrailOptions {
  pool: Pool;
  log: AuditLog;
  witness: AuditWitness | undefined;
  retry: DbRetryPolicy;
  clock: () => number;
  /** Waits until every write the store accepted has committed. */
  flush: () => Promise<void>;
}

/**
 * The audit side of `PostgresStore`: the {@link AuditTrail} it exposes, and the transactions every
 * store write runs in. Each transaction says what it did to the chain ({@link AuditOutcome}, from
 * what `AuditLog` returned); this class acts on it once the transaction has committed: a signed
 * checkpoint is mirrored to the witness file, and a commit lost around COMMIT puts the chain "in
 * doubt" until an append has checked which of its writes made it in.
 */
export class PostgresAuditTrail implements AuditTrail {
  readonly #o: PostgresAuditTrailOptions;
  #inDoubt = false;
  /** The witness no longer matches the database: it is kept as the evidence, never moved forward. */
  #witnessHeld = false;

  constructor(options: PostgresAuditTrailOptions) {
    this.#o = options;
  }

  /** The did whose signature this store's checkpoints carry. */
  get signer(): string {
    return this.#o.log.signerDid;
  }

  /** Whether an earlier commit is in doubt: the next append must first skip what made it in. */
  get inDoubt(): boolean {
    return this.#inDoubt;
  }

  /** One page of audit entries matching the filter, newest first, with the cursor of the next page. */
  query(query: AuditQuery): Promise<AuditPage> {
    return withDbRetry(() => queryAudit(pgExecutor(this.#o.pool), query), this.#o.retry, 'an audit query');
  }

  /** Verifies the chain; checkpoints must be signed by this store's signer or one of `trustedSigners`. */
  async verify(options: VerifyAuditOptions = {}): Promise<AuditVerifyResult> {
    await this.#o.flush();
    await this.#o.witness?.settled();
    const witness = options.witness ?? this.#o.witness?.read();
    return verifyAuditChain(pgExecutor(this.#o.pool), {
      ...options,
      ...(witness === undefined ? {} : { witness }),
      trustedSigners: [this.signer, ...(options.trustedSigners ?? [])],
    });
  }

  /** Signs a checkpoint of the head now; undefined when there is nothing new to sign or the segment does not verify. */
  async checkpoint(): Promise<AuditCheckpoint | undefined> {
    const result = await this.#sign();
    return result.status === 'signed' ? result.checkpoint : undefined;
  }

  /** The last checkpoint before the store closes; the coded error when it could not be signed (the caller reports it). */
  finalCheckpoint(): Promise<AuditCheckpointError | undefined> {
    return this.#sign().then(
      (result) => (result.status === 'broken' ? brokenCheckpoint(result.seq) : undefined),
      (error: unknown) => unwrittenCheckpoint(error),
    );
  }

  /**
   * Runs `work` in one transaction (`prelude` rides along with BEGIN) and, once it has committed,
   * acts on what `outcome` says it did to the chain.
   */
  transaction<R>(work: (tx: PgTx) => Promise<R>, outcome: (result: R) => AuditOutcome, prelude?: string): Promise<R> {
    return this.#settle(() => pgTransaction(this.#o.pool, work, prelude), outcome);
  }

  /**
   * Sends one statement outside any explicit transaction (a single statement is atomic by itself)
   * and, once it has committed, acts on what `outcome` says it did to the chain, as {@link transaction}.
   */
  statement<R>(run: (db: SqlExecutor) => Promise<R>, outcome: (result: R) => AuditOutcome): Promise<R> {
    return this.#settle(() => run(pgExecutor(this.#o.pool)), outcome);
  }

  async #settle<R>(commit: () => Promise<R>, outcome: (result: R) => AuditOutcome): Promise<R> {
    let result: R;
    try {
      result = await commit();
    } catch (error) {
      // Lost around COMMIT: it may have committed. The retry must not append the same entries again.
      if (isTransientDbError(error)) this.#inDoubt = true;
      throw error;
    }
    const { signed, resolvedDoubt } = outcome(result);
    if (resolvedDoubt === true) this.#inDoubt = false;
    if (signed !== undefined && !this.#witnessHeld) this.#o.witness?.write(signed);
    return result;
  }

  /**
   * Checks the witness file against the database (at open): its checkpoint must still be there,
   * with the same signature. When it is not, the chain was cut or rewritten behind the witness's
   * back: the witness is held where it is (later checkpoints would otherwise move it past the
   * damage and erase the evidence) and the coded error is returned for the caller to report.
   */
  async checkWitness(): Promise<AuditCheckpointError | undefined> {
    const witness = this.#o.witness?.read();
    if (witness === undefined) return undefined;
    const rows = (await withDbRetry(
      () =>
        pgExecutor(this.#o.pool).execute('select signature from mandate_audit_checkpoint where seq = ?', [witness.seq]),
      this.#o.retry,
      'the witness check',
    )) as { signature: string }[];
    if (rows[0]?.signature === witness.signature) return undefined;
    this.#witnessHeld = true;
    return new AuditCheckpointError(
      `The audit checkpoint at seq ${witness.seq} recorded in the witness file "${this.#o.witness!.path}" is missing from the database or differs: the audit log was truncated or rewritten. The witness is kept as it is; run "mandate audit verify" and restore the log from a backup.`,
      { details: { seq: witness.seq, witness: this.#o.witness!.path } },
    );
  }

  async #sign(): Promise<AuditCheckpointResult> {
    await this.#o.flush();
    return this.transaction(
      (tx) => this.#o.log.checkpoint(tx, this.#o.clock()),
      (result) => ({ signed: result.status === 'signed' ? result.checkpoint : undefined }),
    );
  }
}

function brokenCheckpoint(seq: number): AuditCheckpointError {
  return new AuditCheckpointError(
    `The final audit checkpoint was not signed: audit entry ${seq} does not verify (it was altered after it was written). Run "mandate audit verify" to see every break; nothing new is signed until the chain is repaired from a backup.`,
    { details: { seq } },
  );
}

function unwrittenCheckpoint(error: unknown): AuditCheckpointError {
  return new AuditCheckpointError(
    `The final audit checkpoint could not be written (${(error as Error)?.message ?? String(error)}); the entries are committed, but the chain head since the last checkpoint is unsigned. The next append or close signs it once the database is reachable; "mandate audit verify" checks the chain.`,
    { cause: error },
  );
}
