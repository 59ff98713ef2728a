import type { AgentContext, Decision } from '../../machines/index.ts';
import { MandateError } from '../../kernel/index.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import { isPlainObject } from './isPlainObject.ts';
import type { PhaseEnv } from './PhaseEnv.ts';

/** Decide: the agent's decider turns facts into one explainable decision, recorded before anything else happens. */
export async function decidePhase(env: PhaseEnv, host: AgentHost, ctx: AgentContext): Promise<Decision> {
  const draft = await host.def.decide.decide(ctx.facts ?? {});
  if (
    !isPlainObject(draft) ||
    typeof draft.confidence !== 'number' ||
    typeof draft.rationale !== 'string' ||
    !Array.isArray(draft.rulesFired)
  ) {
    throw new MandateError(
      'MANDATE_ERR_DECIDE_FAILED',
      `decide of "${host.id}" returned an invalid decision; expected { action, confidence, rationale, rulesFired, model }.`,
    );
  }
  const decision: Decision = { id: `${ctx.incarnation}:${ctx.cycle}`, ...draft };
  await env.decisions.record(host, ctx, decision, null, null);
  return decision;
}
