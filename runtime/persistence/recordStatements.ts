/**
 * The SQL of the small record tables (approvals, kill switch, reputation) and the reading of
 * snapshots, for {@link PostgresStore}: inputs already parsed, rows typed as our schema gives them.
 */
import type { Principal } from '../../kernel/index.ts';
import type { AuditInput } from '../audit/AuditInput.ts';
import type { ApprovalRecord } from '../inspection/InspectionEvent.ts';
import type { SqlExecutor } from '../audit/SqlExecutor.ts';
import { SnapshotCorruptError } from './errors.ts';
import type { ReputationEvent } from './ReputationEvent.ts';
import type { AgentRow, KillSwitchState, SnapshotRow } from './RuntimeStore.ts';
import type { AgentDbRow, SnapshotDbRow } from './rowMappers.ts';
import type { SecretBox } from './SecretBox.ts';
import { storeSchemas } from './storeSchemas.ts';

/** A `mandate_agent` row as an {@link AgentRow}, its identity seed unsealed. */
export function agentFromRow(r: AgentDbRow, box: SecretBox): AgentRow {
  return {
    id: r.id,
    did: r.did,
    version: r.version,
    supervisorId: r.supervisor_id,
    definition: r.definition,
    identitySeed: box.open(r.identity_sealed, `agent:${r.id}`),
  };
}

/** Inserts or updates an agent row (its identity seed sealed by the caller). */
export function upsertAgentRow(
  tx: SqlExecutor,
  a: Pick<AgentRow, 'id' | 'did' | 'version' | 'supervisorId' | 'definition'> & { sealed: string; at: number },
): Promise<unknown> {
  return tx.execute(
    `insert into mandate_agent (id, did, version, supervisor_id, definition, identity_sealed, created_at, updated_at) values (?, ?, ?, ?, ?::jsonb, ?, ?, ?)
     on conflict (id) do update set did = excluded.did, version = excluded.version, supervisor_id = excluded.supervisor_id, definition = excluded.definition, identity_sealed = excluded.identity_sealed, updated_at = excluded.updated_at`,
    [a.id, a.did, a.version, a.supervisorId, JSON.stringify(a.definition), a.sealed, a.at, a.at],
  );
}

/** Inserts or updates an approval (its status, record and decision time). */
export function upsertApproval(
  tx: SqlExecutor,
  a: Pick<ApprovalRecord, 'id' | 'agentId' | 'decisionId' | 'status' | 'requestedAt' | 'expiresAt' | 'decidedAt'>,
): Promise<unknown> {
  return tx.execute(
    `insert into mandate_approval (id, agent_id, decision_id, status, record, requested_at, expires_at, decided_at) values (?, ?, ?, ?, ?::jsonb, ?, ?, ?)
     on conflict (id) do update set status = excluded.status, record = excluded.record, decided_at = excluded.decided_at`,
    [a.id, a.agentId, a.decisionId, a.status, JSON.stringify(a), a.requestedAt, a.expiresAt, a.decidedAt ?? null],
  );
}

/** The statement listing open intents (`pending`/`executing`), all or of one agent, oldest first. */
export function openIntentsQuery(agentId?: string): [string, unknown[]] {
  return agentId === undefined
    ? [`select * from mandate_intent where status in ('pending', 'executing') order by created_at, key`, []]
    : [
        `select * from mandate_intent where agent_id = ? and status in ('pending', 'executing') order by created_at, key`,
        [agentId],
      ];
}

/** Stores the kill switch state (one row, `global`). */
export function upsertKillSwitch(tx: SqlExecutor, s: KillSwitchState, at: number): Promise<unknown> {
  return tx.execute(
    `insert into mandate_kill_switch (id, state, updated_at) values ('global', ?::jsonb, ?) on conflict (id) do update set state = excluded.state, updated_at = excluded.updated_at`,
    [JSON.stringify(s), at],
  );
}

/** Appends a reputation change. */
export function insertReputationEvent(tx: SqlExecutor, e: ReputationEvent): Promise<unknown> {
  return tx.execute(
    'insert into mandate_reputation_event (agent_id, kind, delta, score, reason, data, at) values (?, ?, ?, ?, ?, ?::jsonb, ?)',
    [e.agentId, e.kind, e.delta, e.score ?? null, e.reason, JSON.stringify(e.data), e.at],
  );
}

/**
 * The latest snapshot rows split into those that parse and a {@link SnapshotCorruptError} for
 * each that does not (that agent is not resumed from garbage).
 */
export function snapshotsFromRows(rows: SnapshotDbRow[]): { good: SnapshotRow[]; problems: SnapshotCorruptError[] } {
  const good: SnapshotRow[] = [];
  const problems: SnapshotCorruptError[] = [];
  for (const r of rows) {
    const parsed = storeSchemas.persistedSnapshot.safeParse(r.snapshot);
    if (parsed.success) {
      good.push({
        agentId: r.agent_id,
        supervisorId: r.supervisor_id,
        snapshot: r.snapshot,
        state: r.state,
        seq: Number(r.seq),
        at: Number(r.at),
      });
      continue;
    }
    problems.push(
      new SnapshotCorruptError(
        `The snapshot of agent "${r.agent_id}" at step ${r.seq} does not parse (${parsed.error.issues[0]?.message ?? 'invalid'}); the agent is not resumed. Inspect mandate_snapshot, then re-register the agent or delete the bad row.`,
        { details: { agentId: r.agent_id, seq: Number(r.seq) } },
      ),
    );
  }
  return { good, problems };
}

/** The audit entry of a GDPR erasure: the subject by pseudonym only, so the chain still verifies. */
export function erasureEntry({
  id,
  by,
  why,
  at,
}: {
  /** The subject's pseudonym. */
  id: string;
  by: Principal;
  why: string;
  at: number;
}): AuditInput {
  return { who: by, action: 'gdpr.subject.erased', subject: id, where: 'vault', why, data: { counterparty: id }, at };
}
