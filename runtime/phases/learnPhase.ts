import type { AgentContext, Outcome } from '../../machines/index.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import type { PhaseEnv } from './PhaseEnv.ts';
import { proposalOf } from './proposalOf.ts';

/**
 * Learn: the supervisors settle the action (budgets kept or released, trust updated, audited),
 * the agent's learner sees the outcome and may flag it for review, and the decision record is
 * completed with the outcome — even when the learner throws.
 */
export async function learnPhase(env: PhaseEnv, host: AgentHost, ctx: AgentContext): Promise<void> {
  const outcome: Outcome = ctx.outcome ?? { status: 'no-action' };
  try {
    if (ctx.decision?.action != null) await env.pipeline.settle(host, proposalOf(host, ctx, env.clock.now()), outcome);
    const report = await host.def.learn?.({
      agentId: host.id,
      facts: ctx.facts ?? {},
      decision: ctx.decision,
      outcome,
    });
    if (report?.flags !== undefined && report.flags.length > 0 && ctx.decision !== null) {
      await env.decisions.flag(host, ctx.decision, report.flags);
      await env.review?.(host, { decision: ctx.decision, outcome, flags: report.flags });
    }
  } finally {
    if (ctx.decision !== null)
      await env.decisions.record({ host, context: ctx, decision: ctx.decision, verdict: ctx.verdict, outcome });
  }
  // Once the outcome is recorded the tuner may read it; it never fails the cycle (it alerts instead).
  await env.afterLearn?.(host, ctx.decision, outcome);
}
