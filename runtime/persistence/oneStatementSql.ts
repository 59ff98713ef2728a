/**
 * The SQL of a store batch sent as ONE statement (see `oneStatementBatch.ts`): each table's rows
 * arrive as one JSON parameter, unpacked by `json_to_recordset`, and written by data-modifying
 * CTEs. Every CTE reads `gate` first — the chain lock taken and the audit head checked — so when the
 * head is not the one the entries were chained on, the statement writes nothing at all.
 */
import { AuditLog } from '../audit/AuditLog.ts';
import { DECISION_COLUMNS } from './rowMappers.ts';

/** AuditLog's chain lock call, taken from its own SQL so both paths always take the same lock. */
const LOCK_SQL = AuditLog.LOCK_AND_HEAD_SQL.split(';')[0]!.trim();
if (!/^select pg_advisory_xact_lock\(\d+\)$/.test(LOCK_SQL))
  throw new Error(`AuditLog.LOCK_AND_HEAD_SQL no longer starts with the chain lock: "${LOCK_SQL}"`);

/** The columns of `mandate_decision` with their types, in {@link DECISION_COLUMNS} order. */
const DECISION_TYPES: Record<string, string> = {
  id: 'text',
  agent_id: 'text',
  cycle: 'integer',
  trigger: 'jsonb',
  facts: 'jsonb',
  rules_fired: 'jsonb',
  rationale: 'text',
  confidence: 'double precision',
  model: 'text',
  action: 'jsonb',
  verdict: 'jsonb',
  verdict_status: 'text',
  outcome: 'jsonb',
  outcome_status: 'text',
  duration_ms: 'double precision',
  fee_amount: 'text',
  fee_asset: 'text',
  slippage_bps: 'double precision',
  trace_id: 'text',
  created_at: 'bigint',
  updated_at: 'bigint',
};
const DECISION_NAMES = DECISION_COLUMNS.split(', ');
if (DECISION_NAMES.some((c) => DECISION_TYPES[c] === undefined) || DECISION_NAMES.length !== 21)
  throw new Error(`DECISION_COLUMNS changed; update DECISION_TYPES in oneStatementSql.ts: ${DECISION_COLUMNS}`);

const SNAPSHOT_TYPES =
  'agent_id text, seq bigint, supervisor_id text, state text, snapshot jsonb, at bigint, fence bigint';
const TRANSITION_COLUMNS = 'actor_id, parent_id, actor_kind, from_state, to_state, event, summary, seq, at';
const TRANSITION_TYPES =
  'actor_id text, parent_id text, actor_kind text, from_state text, to_state text, event text, summary jsonb, seq bigint, at bigint';
/** Columns of `mandate_audit_entry`, as `AuditLog.append` writes them. */
const AUDIT_COLUMNS = [
  'seq',
  'at',
  'who_kind',
  'who_id',
  'action',
  'subject',
  'location',
  'why',
  'agent_id',
  'currency',
  'counterparty',
  'status',
  'data',
  'prev_hash',
  'hash',
  'entry_id',
] as const;
const AUDIT_TYPES: Record<(typeof AUDIT_COLUMNS)[number], string> = {
  seq: 'bigint',
  at: 'bigint',
  who_kind: 'text',
  who_id: 'text',
  action: 'text',
  subject: 'text',
  location: 'text',
  why: 'text',
  agent_id: 'text',
  currency: 'text',
  counterparty: 'text',
  status: 'text',
  data: 'jsonb',
  prev_hash: 'text',
  hash: 'text',
  entry_id: 'text',
};
const CHECKPOINT_TYPES = 'seq bigint, hash text, at bigint, signer text, signature text';

const typed = (names: readonly string[], types: Record<string, string>): string =>
  names.map((c) => `${c} ${types[c]}`).join(', ');
const DECISION_UPDATES = DECISION_NAMES.filter((c) => c !== 'id' && c !== 'created_at')
  .map((c) => `${c} = excluded.${c}`)
  .join(', ');
const GATED = 'where (select ok from gate)';

/** Which parts a batch holds (an absent part's CTE is left out of the statement). */
export interface OneStatementParts {
  decisions: boolean;
  snapshots: boolean;
  transitions: boolean;
  /** Audit entries, and whether a checkpoint is signed with them. */
  audit: boolean;
  checkpoint: boolean;
}

/**
 * The statement for a batch holding `parts`. Parameters, in order, for the parts present: the
 * expected head as `"<seq>:<hash>"` (with audit entries), then the JSON arrays of decisions,
 * snapshots (with `fence`), the snapshots' agent ids (text[]), transitions, audit entries and the
 * checkpoint. It returns one row: `ok` (false: the head moved, nothing was written) and `stale`,
 * the agents whose snapshots the fence refused (left unwritten, as `staleWrites` does).
 */
export function oneStatementSql(parts: OneStatementParts): string {
  // The lock is taken before the head is read from the statement's snapshot; a writer that
  // committed after that snapshot was taken makes the entry insert collide on seq, which aborts
  // the whole statement (the caller then reruns the batch in a transaction).
  const ctes = [
    parts.audit
      ? `gate as materialized (select (select count(*) from (${LOCK_SQL}) l) = 1 and coalesce((select seq::text || ':' || hash from mandate_audit_entry order by seq desc limit 1), '0:' || repeat('0', 64)) = ? as ok)`
      : 'gate as materialized (select true as ok)',
  ];
  if (parts.decisions)
    ctes.push(
      `d as (insert into mandate_decision (${DECISION_COLUMNS}) select ${DECISION_COLUMNS} from json_to_recordset(?::json) as r(${typed(DECISION_NAMES, DECISION_TYPES)}) ${GATED} on conflict (id) do update set ${DECISION_UPDATES})`,
    );
  if (parts.snapshots)
    ctes.push(
      `s as materialized (select * from json_to_recordset(?::json) as r(${SNAPSHOT_TYPES}))`,
      // As `staleWrites`: the fence rows locked FOR SHARE (a successor's raiseFence waits for this statement), in agent order.
      `f as materialized (select agent_id, token from mandate_fence where (select ok from gate) and agent_id = any(?::text[]) order by agent_id for share)`,
      `stale as materialized (select distinct s.agent_id from s left join f on f.agent_id = s.agent_id where f.token is distinct from s.fence)`,
      `si as (insert into mandate_snapshot (agent_id, seq, supervisor_id, state, snapshot, at) select agent_id, seq, supervisor_id, state, snapshot, at from s ${GATED} and agent_id not in (select agent_id from stale)
       on conflict (agent_id, seq) do update set supervisor_id = excluded.supervisor_id, state = excluded.state, snapshot = excluded.snapshot, at = excluded.at)`,
    );
  if (parts.transitions)
    ctes.push(
      `t as (insert into mandate_transition (${TRANSITION_COLUMNS}) select ${TRANSITION_COLUMNS} from json_to_recordset(?::json) as r(${TRANSITION_TYPES}) ${GATED})`,
    );
  if (parts.audit) {
    const columns = AUDIT_COLUMNS.join(', ');
    ctes.push(
      `a as (insert into mandate_audit_entry (${columns}) select ${columns} from json_to_recordset(?::json) as r(${typed(AUDIT_COLUMNS, AUDIT_TYPES)}) ${GATED})`,
    );
  }
  if (parts.checkpoint)
    ctes.push(
      `c as (insert into mandate_audit_checkpoint (seq, hash, at, signer, signature) select seq, hash, at, signer, signature from json_to_recordset(?::json) as r(${CHECKPOINT_TYPES}) ${GATED} on conflict (seq) do nothing)`,
    );
  const stale = parts.snapshots ? 'array(select agent_id from stale order by agent_id)' : `'{}'::text[]`;
  return `with ${ctes.join(',\n')}\nselect (select ok from gate) as ok, ${stale} as stale`;
}
