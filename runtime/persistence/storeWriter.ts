import { AuditLog } from '../audit/AuditLog.ts';
import { applyBatch, type AppliedBatch, type StoreJob } from './applyBatch.ts';
import { GroupCommit } from './GroupCommit.ts';
import { isTransientDbError } from './isTransientDbError.ts';
import { planOneStatement, type ChainHead } from './oneStatementBatch.ts';
import type { PgTx } from './PgExecutor.ts';
import type { PostgresAuditTrail } from './PostgresAuditTrail.ts';
import type { PostgresStoreParts } from './PostgresStoreParts.ts';

/**
 * The store's one writer: jobs submitted meanwhile share one commit (group commit). A batch of
 * decisions, snapshots, transitions and audit entries only is sent as ONE statement outside any
 * explicit transaction (see `oneStatementBatch.ts`), its entries chained on the head this writer
 * last committed; when that head moved (another writer appended), the statement writes nothing and
 * the batch runs the usual way: in a transaction that takes the chain lock and reads the head in
 * its BEGIN round trip. So does any batch holding other SQL, or one after a commit in doubt.
 */
export function storeWriter(
  parts: PostgresStoreParts,
  chain: PostgresAuditTrail,
): GroupCommit<StoreJob, PgTx, AppliedBatch> {
  /** The audit head this writer last committed; undefined when it may have moved without us knowing. */
  let head: ChainHead | undefined;

  async function inOneStatement(jobs: StoreJob[]): Promise<AppliedBatch | undefined> {
    if (chain.inDoubt) return undefined;
    const plan = await planOneStatement(jobs, { audit: parts.audit, head, now: parts.clock() });
    if (plan === undefined) return undefined;
    let batch: AppliedBatch | undefined;
    try {
      batch = await chain.statement(
        async (db) => {
          const [row] = (await db.execute(plan.sql, plan.params)) as { ok: boolean; stale: string[] }[];
          return row?.ok === true ? plan.applied(row.stale) : undefined;
        },
        (applied) => applied?.audit ?? {},
      );
    } catch (error) {
      head = undefined;
      // Lost on the way: it may have committed (the trail is now in doubt); the retry finds out.
      if (isTransientDbError(error)) throw error;
      // Anything else wrote nothing (a seq taken by a writer that committed after the statement's
      // snapshot, or a row the database refuses): the transaction path reruns it, with its errors.
      return undefined;
    }
    const last = batch?.audit.entries.at(-1);
    head = last === undefined ? (batch === undefined ? undefined : head) : { seq: last.seq, hash: last.hash };
    return batch;
  }

  async function inTransaction(work: (tx: PgTx) => Promise<AppliedBatch>, jobs: StoreJob[]): Promise<AppliedBatch> {
    const audited = jobs.some((j) => j.kind === 'audit' || j.kind === 'audited');
    const batch = await chain.transaction(
      work,
      (b) => b.audit,
      !chain.inDoubt && audited ? AuditLog.LOCK_AND_HEAD_SQL : undefined,
    );
    const last = batch.audit.entries.at(-1);
    if (last !== undefined) head = { seq: last.seq, hash: last.hash };
    else if (batch.audit.resolvedDoubt) head = undefined;
    return batch;
  }

  return new GroupCommit<StoreJob, PgTx, AppliedBatch>({
    transaction: async (work, jobs) => (await inOneStatement(jobs)) ?? (await inTransaction(work, jobs)),
    apply: (tx, jobs) => applyBatch(tx, jobs, { audit: parts.audit, now: parts.clock(), auditInDoubt: chain.inDoubt }),
    maxBatch: parts.maxBatch,
    retry: parts.retry,
  });
}
