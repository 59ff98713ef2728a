import type { AgentContext, Decision } from '../../machines/index.ts';
import { ErrorCode } from '../../kernel/index.ts';
import { PhaseError } from '../errors.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import { isPlainObject } from './isPlainObject.ts';
import type { PhaseEnv } from './PhaseEnv.ts';

/** Decide: the agent's decider turns facts into one explainable decision, recorded before anything else happens. */
export async function decidePhase(env: PhaseEnv, host: AgentHost, ctx: AgentContext): Promise<Decision> {
  const tunable = host.def.decide.tunable?.parameters();
  const draft = await host.def.decide.decide(ctx.facts ?? {});
  const wrong = invalidField(draft);
  if (wrong !== undefined) {
    throw new PhaseError(
      'decide',
      host.id,
      `its decider returned ${wrong}; return { action, confidence: number, rationale: string, rulesFired: string[], model }.`,
    );
  }
  const decision: Decision = { id: `${ctx.incarnation}:${ctx.cycle}`, ...draft };
  if (tunable !== undefined && tunable.length > 0)
    decision.params = Object.fromEntries(tunable.map((p) => [p.key, p.value]));
  if (decision.conflict !== undefined)
    env.alert({
      severity: 'warning',
      code: ErrorCode.MANDATE_DECISION_CONFLICT,
      message: `${host.id} took no action: conflicting ${decision.conflict.kind} (${decision.conflict.detail})`,
      actorId: host.id,
    });
  if (decision.modelFallback !== undefined)
    env.alert({
      severity: 'warning',
      code: ErrorCode.MANDATE_DECISION_MODEL_FALLBACK,
      message: `${host.id}: ${decision.modelFallback}`,
      actorId: host.id,
    });
  await env.decisions.record({ host, context: ctx, decision, verdict: null, outcome: null });
  return decision;
}

/** What is wrong with a decider's answer, quoting it; undefined when it has the shape of a decision. */
function invalidField(draft: unknown): string | undefined {
  if (!isPlainObject(draft)) return draft === null ? 'null' : `a ${typeof draft}, not an object`;
  if (typeof draft.confidence !== 'number') return `confidence ${String(draft.confidence)}, not a number`;
  if (typeof draft.rationale !== 'string') return `rationale ${String(draft.rationale)}, not a string`;
  if (!Array.isArray(draft.rulesFired)) return `rulesFired ${String(draft.rulesFired)}, not an array`;
  return undefined;
}
