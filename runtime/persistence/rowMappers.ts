import type { ReputationEvent } from './ReputationEvent.ts';
import type { AgentRow, DecisionRecord, IntentRow, SnapshotRow } from './RuntimeStore.ts';

/** What the driver returns for a BIGINT or NUMERIC column: a string, or a number for INTEGER. */
type DbNumber = string | number;

/** A `mandate_decision` row as the driver returns it (jsonb parsed, numbers maybe as strings). */
export interface DecisionDbRow {
  id: string;
  agent_id: string;
  cycle: DbNumber;
  trigger: DecisionRecord['trigger'];
  facts: DecisionRecord['facts'];
  rules_fired: DecisionRecord['rulesFired'];
  rationale: string;
  confidence: DbNumber;
  model: string | null;
  action: DecisionRecord['action'];
  verdict: DecisionRecord['verdict'];
  outcome: DecisionRecord['outcome'];
  trace_id: string | null;
  verdict_status: string | null;
  outcome_status: string | null;
  duration_ms: DbNumber | null;
  fee_amount: string | null;
  fee_asset: string | null;
  slippage_bps: DbNumber | null;
  created_at: DbNumber;
  updated_at: DbNumber;
}

/** A `mandate_agent` row as the driver returns it. */
export interface AgentDbRow {
  id: string;
  did: string;
  version: string;
  supervisor_id: string;
  definition: AgentRow['definition'];
  identity_sealed: string;
}

/** A `mandate_snapshot` row as the driver returns it. */
export interface SnapshotDbRow {
  agent_id: string;
  supervisor_id: string;
  snapshot: SnapshotRow['snapshot'];
  state: string;
  seq: DbNumber;
  at: DbNumber;
}

/** A `mandate_intent` row as the driver returns it. */
export interface IntentDbRow {
  key: string;
  agent_id: string;
  decision_id: string;
  params_hash: string;
  params: IntentRow['params'];
  status: IntentRow['status'];
  reference: string | null;
  receipt: NonNullable<IntentRow['receipt']> | null;
  error: NonNullable<IntentRow['error']> | null;
  attempts: DbNumber;
  created_at: DbNumber;
  updated_at: DbNumber;
}

/** A `mandate_reputation_event` row as the driver returns it. */
export interface ReputationDbRow {
  agent_id: string;
  kind: string;
  delta: DbNumber;
  score: DbNumber | null;
  reason: string;
  data: Record<string, unknown> | null;
  at: DbNumber;
}

/** A `mandate_decision` row as a {@link DecisionRecord}. */
export function decisionFromRow(r: DecisionDbRow): DecisionRecord {
  return {
    id: r.id,
    agentId: r.agent_id,
    cycle: Number(r.cycle),
    trigger: r.trigger,
    facts: r.facts,
    rulesFired: r.rules_fired,
    rationale: r.rationale,
    confidence: Number(r.confidence),
    model: r.model,
    action: r.action,
    verdict: r.verdict,
    outcome: r.outcome,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    // Absent when the cycle was not traced: a record saved without one reads back as it was saved.
    ...(r.trace_id === null ? {} : { traceId: r.trace_id }),
  };
}

/** Parameters of the decision upsert, in column order (see {@link DECISION_COLUMNS}). */
export function decisionParams(d: DecisionRecord): unknown[] {
  return [
    d.id,
    d.agentId,
    d.cycle,
    JSON.stringify(d.trigger),
    JSON.stringify(d.facts),
    JSON.stringify(d.rulesFired),
    d.rationale,
    d.confidence,
    d.model,
    d.action === null ? null : JSON.stringify(d.action),
    d.verdict === null ? null : JSON.stringify(d.verdict),
    d.verdict?.status ?? null,
    d.outcome === null ? null : JSON.stringify(d.outcome),
    d.outcome?.status ?? null,
    d.outcome?.durationMs ?? null,
    d.outcome?.fees?.value ?? null,
    d.outcome?.fees?.asset ?? null,
    d.outcome?.slippageBps ?? null,
    d.traceId ?? null,
    d.createdAt,
    d.updatedAt,
  ];
}

/** Columns of `mandate_decision` matching {@link decisionParams}; indexes of jsonb columns are cast. */
export const DECISION_COLUMNS =
  'id, agent_id, cycle, trigger, facts, rules_fired, rationale, confidence, model, action, verdict, verdict_status, outcome, outcome_status, duration_ms, fee_amount, fee_asset, slippage_bps, trace_id, created_at, updated_at';
/** jsonb casts of {@link DECISION_COLUMNS} by position. */
export const DECISION_CASTS: Record<number, string> = {
  3: 'jsonb',
  4: 'jsonb',
  5: 'jsonb',
  9: 'jsonb',
  10: 'jsonb',
  12: 'jsonb',
};

/** A `mandate_intent` row as an {@link IntentRow}. */
export function intentFromRow(r: IntentDbRow): IntentRow {
  const row: IntentRow = {
    key: r.key,
    agentId: r.agent_id,
    decisionId: r.decision_id,
    paramsHash: r.params_hash,
    params: r.params,
    status: r.status,
    attempts: Number(r.attempts),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
  if (r.reference !== null) row.reference = r.reference;
  if (r.receipt !== null) row.receipt = r.receipt;
  if (r.error !== null) row.error = r.error;
  return row;
}

/** A `mandate_reputation_event` row as a {@link ReputationEvent}. */
export function reputationFromRow(r: ReputationDbRow): ReputationEvent {
  const e: ReputationEvent = {
    agentId: r.agent_id,
    kind: r.kind,
    delta: Number(r.delta),
    reason: r.reason,
    at: Number(r.at),
  };
  if (r.data !== null) e.data = r.data;
  if (r.score !== null) e.score = Number(r.score);
  return e;
}
