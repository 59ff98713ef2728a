import { z } from 'zod';
import type { SqlExecutor } from '../audit/SqlExecutor.ts';
import type { DecisionOutcome, DecisionRecord } from './RuntimeStore.ts';
import { decisionFromRow, type DecisionDbRow } from './rowMappers.ts';
import { parseInput } from './storeSchemas.ts';

/** Filter of {@link queryOutcomes}. */
export interface OutcomeQuery {
  agentId?: string;
  /** Decisions created at or after this epoch ms. */
  since?: number;
  /** Only outcomes of these statuses (e.g. `succeeded` and `failed`: what was executed). */
  statuses?: DecisionOutcome['status'][];
  limit: number;
}

/** A decision with its outcome, flattened for the learning layer. */
export interface OutcomeRow {
  decisionId: string;
  agentId: string;
  cycle: number;
  action: Record<string, unknown> | null;
  confidence: number;
  rulesFired: string[];
  model: string | null;
  verdict: string | null;
  status: DecisionOutcome['status'];
  succeeded: boolean;
  durationMs: number | null;
  fees: { value: string; asset: string } | null;
  slippageBps: number | null;
  /** The rule parameters the decision was taken with (its recorded `param:<rule>.<name>` facts). */
  params: Record<string, number>;
  createdAt: number;
}

const querySchema = z.object({
  agentId: z.string().min(1).optional(),
  since: z.number().int().nonnegative().optional(),
  statuses: z
    .array(z.enum(['succeeded', 'failed', 'denied', 'rejected', 'expired', 'no-action', 'would-have-sent', 'refused']))
    .min(1)
    .optional(),
  limit: z.number().int().min(1).max(10_000),
});

/** Past decisions that have an outcome, newest first (success/fail, duration, fees, slippage). */
export async function queryOutcomes(db: SqlExecutor, query: OutcomeQuery): Promise<OutcomeRow[]> {
  const q = parseInput(querySchema, query, 'outcome query');
  const { where, params } = filterOf(
    q,
    q.statuses === undefined
      ? 'outcome_status is not null'
      : `outcome_status in (${q.statuses.map(() => '?').join(', ')})`,
  );
  if (q.statuses !== undefined) params.unshift(...q.statuses);
  const rows = (await db.execute(`select * from mandate_decision where ${where} order by created_at desc, id limit ?`, [
    ...params,
    q.limit,
  ])) as (DecisionDbRow & { outcome_status: DecisionOutcome['status'] })[];
  return rows.map((r) => ({
    decisionId: r.id,
    agentId: r.agent_id,
    cycle: Number(r.cycle),
    action: r.action,
    confidence: Number(r.confidence),
    rulesFired: r.rules_fired,
    model: r.model,
    verdict: r.verdict_status,
    status: r.outcome_status,
    succeeded: r.outcome_status === 'succeeded',
    durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    fees: r.fee_amount === null ? null : { value: r.fee_amount, asset: r.fee_asset ?? '' },
    slippageBps: r.slippage_bps === null ? null : Number(r.slippage_bps),
    params: paramsOf(r.facts),
    createdAt: Number(r.created_at),
  }));
}

/** Recorded decisions with their facts, oldest first: what shadow mode replays through new rules. */
export async function queryDecisionRecords(db: SqlExecutor, query: OutcomeQuery): Promise<DecisionRecord[]> {
  const q = parseInput(querySchema, query, 'decision query');
  const { where, params } = filterOf(q, 'true');
  const rows = (await db.execute(`select * from mandate_decision where ${where} order by created_at, id limit ?`, [
    ...params,
    q.limit,
  ])) as DecisionDbRow[];
  return rows.map(decisionFromRow);
}

/** The recorded `param:<rule>.<name>` facts of a decision, by parameter key. */
function paramsOf(facts: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(facts))
    if (k.startsWith('param:') && typeof v === 'number' && Number.isFinite(v)) out[k.slice(6)] = v;
  return out;
}

/** The `where` clause of a query: `base`, then the agent and the lower time bound when given. */
function filterOf(q: { agentId?: string; since?: number }, base: string): { where: string; params: unknown[] } {
  const where = [base];
  const params: unknown[] = [];
  if (q.agentId !== undefined) {
    where.push('agent_id = ?');
    params.push(q.agentId);
  }
  if (q.since !== undefined) {
    where.push('created_at >= ?');
    params.push(q.since);
  }
  return { where: where.join(' and '), params };
}
