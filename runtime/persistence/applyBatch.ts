import type { AuditAppendResult, AuditLog } from '../audit/AuditLog.ts';
import { valuesPlaceholders, type SqlExecutor } from '../audit/SqlExecutor.ts';
import type { TransitionEvent } from '../inspection/InspectionEvent.ts';
import type { AuditInput } from '../audit/AuditInput.ts';
import type { DecisionRecord, SnapshotRow } from './RuntimeStore.ts';
import { staleWrites } from './fenceStatements.ts';
import type { PgTx } from './PgExecutor.ts';
import { DECISION_CASTS, DECISION_COLUMNS, decisionParams } from './rowMappers.ts';

/**
 * One write queued for group commit. The hot kinds (audit entries, decisions, snapshots,
 * transitions) are merged across the batch into one multi-row statement each; `sql` jobs run as
 * they are. Merged kinds touch only their own table, so running them after the `sql` jobs of the
 * same transaction changes nothing a reader can see: all of it commits at once.
 */
export type StoreJob =
  | { kind: 'audit'; input: AuditInput; entryId: string }
  | { kind: 'decision'; record: DecisionRecord }
  | { kind: 'snapshot'; row: SnapshotRow }
  | { kind: 'transitions'; rows: TransitionEvent[] }
  | { kind: 'sql'; run: (tx: SqlExecutor) => Promise<unknown> }
  /** A change and the audit entries recording it (in order): one job, so they commit (or fail) together. */
  | { kind: 'audited'; audits: AuditWrite[]; run: (tx: SqlExecutor) => Promise<unknown> };

/** One audit entry to append, under the store-assigned id of its write. */
export interface AuditWrite {
  entryId: string;
  input: AuditInput;
}

const DECISION_UPDATES = DECISION_COLUMNS.split(', ')
  .filter((c) => c !== 'id' && c !== 'created_at')
  .map((c) => `${c} = excluded.${c}`)
  .join(', ');

/** The result of a snapshot job refused by its agent's fence (the store turns it into a `FenceStaleError`). */
export const FENCED = 'fenced';

/** What one applied batch gave: one result per job, in order, and what its audit append did. */
export interface AppliedBatch {
  results: unknown[];
  audit: AuditAppendResult;
}

/** Options of {@link applyBatch}. */
export interface ApplyBatchOptions {
  audit: AuditLog;
  now: number;
  /** An earlier commit is in doubt (see {@link AuditLog.append}). */
  auditInDoubt: boolean;
}

/** Applies a batch inside one transaction. `tx.prelude` is the chain head when BEGIN already took the lock. */
export async function applyBatch(tx: PgTx, jobs: StoreJob[], options: ApplyBatchOptions): Promise<AppliedBatch> {
  const results: unknown[] = new Array(jobs.length);
  const audits: AuditWrite[] = [];
  // Later writes of the same key win, as they would have one after the other.
  const decisions = new Map<string, DecisionRecord>();
  const snapshots = new Map<string, SnapshotRow>();
  const transitions: TransitionEvent[] = [];
  for (let i = 0; i < jobs.length; i++) {
    const job = jobs[i]!;
    switch (job.kind) {
      case 'audit':
        audits.push({ entryId: job.entryId, input: job.input });
        break;
      case 'decision':
        decisions.delete(job.record.id);
        decisions.set(job.record.id, job.record);
        break;
      case 'snapshot':
        snapshots.set(`${job.row.agentId}\u0000${job.row.seq}`, job.row);
        break;
      case 'transitions':
        transitions.push(...job.rows);
        break;
      case 'sql':
        results[i] = await job.run(tx);
        break;
      case 'audited':
        audits.push(...job.audits);
        results[i] = await job.run(tx);
        break;
    }
  }
  if (decisions.size > 0) {
    const rows = [...decisions.values()];
    await tx.execute(
      `insert into mandate_decision (${DECISION_COLUMNS}) values ${valuesPlaceholders(rows.length, 21, DECISION_CASTS)} on conflict (id) do update set ${DECISION_UPDATES}`,
      rows.flatMap(decisionParams),
    );
  }
  // Fenced before they are written: a stale owner's snapshot must never become an agent's newest.
  const stale = snapshots.size === 0 ? new Set<string>() : await staleWrites(tx, [...snapshots.values()]);
  for (const [key, row] of snapshots) if (stale.has(row.agentId)) snapshots.delete(key);
  jobs.forEach((job, i) => {
    if (job.kind === 'snapshot' && stale.has(job.row.agentId)) results[i] = FENCED;
  });
  if (snapshots.size > 0) {
    const rows = [...snapshots.values()];
    await tx.execute(
      `insert into mandate_snapshot (agent_id, seq, supervisor_id, state, snapshot, at) values ${valuesPlaceholders(rows.length, 6, { 4: 'jsonb' })}
       on conflict (agent_id, seq) do update set supervisor_id = excluded.supervisor_id, state = excluded.state, snapshot = excluded.snapshot, at = excluded.at`,
      rows.flatMap((s) => [s.agentId, s.seq, s.supervisorId, s.state, JSON.stringify(s.snapshot), s.at]),
    );
  }
  if (transitions.length > 0) {
    await tx.execute(
      `insert into mandate_transition (actor_id, parent_id, actor_kind, from_state, to_state, event, summary, seq, at) values ${valuesPlaceholders(transitions.length, 9, { 6: 'jsonb' })}`,
      transitions.flatMap((e) => [
        e.actorId,
        e.parentId ?? null,
        e.actorKind,
        e.from,
        e.to,
        e.event,
        JSON.stringify(e.summary),
        e.seq,
        e.at,
      ]),
    );
  }
  const audit = await options.audit.append(tx, audits, {
    now: options.now,
    inDoubt: options.auditInDoubt,
    ...(tx.prelude === undefined ? {} : { lockedHead: tx.prelude }),
  });
  return { results, audit };
}
