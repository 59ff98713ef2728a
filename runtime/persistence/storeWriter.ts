import { AuditLog } from '../audit/AuditLog.ts';
import { applyBatch, type AppliedBatch, type StoreJob } from './applyBatch.ts';
import { GroupCommit } from './GroupCommit.ts';
import type { PgTx } from './PgExecutor.ts';
import type { PostgresAuditTrail } from './PostgresAuditTrail.ts';
import type { PostgresStoreParts } from './PostgresStoreParts.ts';

/**
 * The store's one writer: jobs submitted meanwhile share one transaction (group commit), and a
 * batch holding audit entries takes the chain lock and reads the chain head in its BEGIN round trip.
 */
export function storeWriter(
  parts: PostgresStoreParts,
  chain: PostgresAuditTrail,
): GroupCommit<StoreJob, PgTx, AppliedBatch> {
  return new GroupCommit<StoreJob, PgTx, AppliedBatch>({
    transaction: (work, jobs) =>
      chain.transaction(
        work,
        (batch) => batch.audit,
        !chain.inDoubt && jobs.some((j) => j.kind === 'audit' || j.kind === 'audited')
          ? AuditLog.LOCK_AND_HEAD_SQL
          : undefined,
      ),
    apply: (tx, jobs) => applyBatch(tx, jobs, { audit: parts.audit, now: parts.clock(), auditInDoubt: chain.inDoubt }),
    maxBatch: parts.maxBatch,
    retry: parts.retry,
  });
}
