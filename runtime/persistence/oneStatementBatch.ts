import type { AuditAppendResult, AuditLog } from '../audit/AuditLog.ts';
import type { SqlExecutor } from '../audit/SqlExecutor.ts';
import type { TransitionEvent } from '../inspection/InspectionEvent.ts';
import { FENCED, type AppliedBatch, type AuditWrite, type StoreJob } from './applyBatch.ts';
import { oneStatementSql } from './oneStatementSql.ts';
import type { DecisionRecord, SnapshotRow } from './RuntimeStore.ts';

/** The audit chain head a batch is chained on: the last entry this writer committed. */
export interface ChainHead {
  seq: number;
  hash: string;
}

/** A batch ready to be sent as one statement, and what it gives once that statement has written it. */
export interface OneStatementPlan {
  sql: string;
  params: unknown[];
  /** The batch's result when the statement wrote it, with the snapshots of `stale` agents fenced. */
  applied: (stale: readonly string[]) => AppliedBatch;
}

/** A batch the one-statement path does not take (the writer runs it the usual way, in a transaction). */
class NotPlanned extends Error {}

/**
 * Plans a batch as ONE statement (see {@link oneStatementSql}), or returns undefined when it must
 * run in a transaction: it holds arbitrary SQL (`sql`/`audited` jobs), its audit entries have no
 * known head to chain on, a number has no JSON form, or the audit log needs a read first (its
 * checkpoint position, on the first append). The entries are chained and the checkpoint signed by
 * `AuditLog.append` itself, on `head`, so hashes and signatures are byte for byte those of the
 * transaction path; a recording executor takes the one insert it would have sent.
 */
export async function planOneStatement(
  jobs: readonly StoreJob[],
  options: { audit: AuditLog; head: ChainHead | undefined; now: number },
): Promise<OneStatementPlan | undefined> {
  const audits: AuditWrite[] = [];
  const decisions = new Map<string, DecisionRecord>();
  const snapshots = new Map<string, SnapshotRow>();
  const transitions: TransitionEvent[] = [];
  for (const job of jobs) {
    switch (job.kind) {
      case 'audit':
        audits.push({ entryId: job.entryId, input: job.input });
        break;
      case 'decision':
        // Later writes of the same key win, as in applyBatch.
        decisions.delete(job.record.id);
        decisions.set(job.record.id, job.record);
        break;
      case 'snapshot':
        snapshots.set(`${job.row.agentId}\u0000${job.row.seq}`, job.row);
        break;
      case 'transitions':
        transitions.push(...job.rows);
        break;
      default:
        return undefined;
    }
  }
  if (audits.length > 0 && options.head === undefined) return undefined;
  const decisionRows = [...decisions.values()].map(decisionRow);
  if (decisionRows.some((r) => r === undefined)) return undefined;
  let audit: AuditAppendResult = { entries: [], signed: undefined, resolvedDoubt: false };
  if (audits.length > 0) {
    const planned = await planAudit(options.audit, audits, { head: options.head!, now: options.now });
    if (planned === undefined) return undefined;
    audit = planned;
  }
  const snapshotRows = [...snapshots.values()];
  const sql = oneStatementSql({
    decisions: decisionRows.length > 0,
    snapshots: snapshotRows.length > 0,
    transitions: transitions.length > 0,
    audit: audit.entries.length > 0,
    checkpoint: audit.signed !== undefined,
  });
  const params: unknown[] = [];
  if (audit.entries.length > 0) params.push(`${options.head!.seq}:${options.head!.hash}`);
  if (decisionRows.length > 0) params.push(JSON.stringify(decisionRows));
  if (snapshotRows.length > 0)
    params.push(JSON.stringify(snapshotRows.map(snapshotRow)), [...new Set(snapshotRows.map((s) => s.agentId))].sort());
  if (transitions.length > 0) params.push(JSON.stringify(transitions.map(transitionRow)));
  if (audit.entries.length > 0) {
    params.push(JSON.stringify(audit.entries.map((e, i) => auditRow(e, audits[i]!.entryId))));
    if (audit.signed !== undefined) params.push(JSON.stringify([audit.signed]));
  }
  return {
    sql,
    params,
    applied: (stale) => ({
      results: jobs.map((job) => (job.kind === 'snapshot' && stale.includes(job.row.agentId) ? FENCED : undefined)),
      audit,
    }),
  };
}

/**
 * `AuditLog.append` run on `head` against an executor that records the one insert it sends instead
 * of sending it; undefined when it wanted to read the database first (nothing is then planned).
 */
async function planAudit(
  log: AuditLog,
  writes: AuditWrite[],
  { head, now }: { head: ChainHead; now: number },
): Promise<AuditAppendResult | undefined> {
  let inserts = 0;
  const recorder: SqlExecutor = {
    execute(sql: string) {
      if (!/^(insert into mandate_audit_entry|with appended as \(insert into mandate_audit_entry)/.test(sql))
        return Promise.reject(new NotPlanned(sql));
      inserts++;
      return Promise.resolve([]);
    },
  };
  try {
    const result = await log.append(recorder, writes, { now, inDoubt: false, lockedHead: [head] });
    return inserts === 1 && result.entries.length === writes.length ? result : undefined;
  } catch (error) {
    if (error instanceof NotPlanned) return undefined;
    throw error;
  }
}

/** A decision as its `mandate_decision` row (the values of `decisionParams`, jsonb columns as JSON); undefined when a number has no JSON form. */
function decisionRow(d: DecisionRecord): Record<string, unknown> | undefined {
  const numbers = [d.cycle, d.confidence, d.outcome?.durationMs, d.outcome?.slippageBps, d.createdAt, d.updatedAt];
  // JSON.stringify writes NaN and ±Infinity as null: such a record runs the transaction path, as it always did.
  if (numbers.some((n) => n !== undefined && n !== null && !Number.isFinite(n))) return undefined;
  return {
    id: d.id,
    agent_id: d.agentId,
    cycle: d.cycle,
    trigger: d.trigger,
    facts: d.facts,
    rules_fired: d.rulesFired,
    rationale: d.rationale,
    confidence: d.confidence,
    model: d.model,
    action: d.action,
    verdict: d.verdict,
    verdict_status: d.verdict?.status ?? null,
    outcome: d.outcome,
    outcome_status: d.outcome?.status ?? null,
    duration_ms: d.outcome?.durationMs ?? null,
    fee_amount: d.outcome?.fees?.value ?? null,
    fee_asset: d.outcome?.fees?.asset ?? null,
    slippage_bps: d.outcome?.slippageBps ?? null,
    trace_id: d.traceId ?? null,
    created_at: d.createdAt,
    updated_at: d.updatedAt,
  };
}

function snapshotRow(s: SnapshotRow): Record<string, unknown> {
  return {
    agent_id: s.agentId,
    seq: s.seq,
    supervisor_id: s.supervisorId,
    state: s.state,
    snapshot: s.snapshot,
    at: s.at,
    fence: s.fence ?? null,
  };
}

function transitionRow(e: TransitionEvent): Record<string, unknown> {
  return {
    actor_id: e.actorId,
    parent_id: e.parentId ?? null,
    actor_kind: e.actorKind,
    from_state: e.from,
    to_state: e.to,
    event: e.event,
    summary: e.summary,
    seq: e.seq,
    at: e.at,
  };
}

function auditRow(e: AuditAppendResult['entries'][number], entryId: string): Record<string, unknown> {
  return {
    seq: e.seq,
    at: e.at,
    who_kind: e.who.kind,
    who_id: e.who.id,
    action: e.action,
    subject: e.subject,
    location: e.where,
    why: e.why,
    agent_id: e.agentId,
    currency: e.currency,
    counterparty: e.counterparty,
    status: e.status,
    data: e.data,
    prev_hash: e.prevHash,
    hash: e.hash,
    entry_id: entryId,
  };
}
