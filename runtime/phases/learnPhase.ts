import { describeAction } from '../../actors/index.ts';
import type { AgentContext, Decision, Outcome } from '../../machines/index.ts';
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
    // A candidate (shadow) policy that decided otherwise is a flag too: an operator judges the difference.
    const flags = [...(report?.flags ?? []), ...shadowFlags(ctx.decision)];
    if (flags.length > 0 && ctx.decision !== null) {
      await env.decisions.flag(host, ctx.decision, flags);
      await env.review?.(host, { decision: ctx.decision, outcome, flags });
    }
  } finally {
    if (ctx.decision !== null)
      await env.decisions.record({ host, context: ctx, decision: ctx.decision, verdict: ctx.verdict, outcome });
  }
  // Once the outcome is recorded the tuner may read it; it never fails the cycle (it alerts instead).
  await env.afterLearn?.(host, ctx.decision, outcome);
}

/** The review flag of a decision its agent's shadow policy disagreed with (none when it agreed or there is none). */
function shadowFlags(decision: Decision | null): string[] {
  const s = decision?.shadow;
  if (s === undefined) return [];
  if (s.kind === 'failed') return [`shadow policy ${s.policy} failed on these facts: ${s.rationale}`];
  const live = describeAction(decision!.action) ?? 'no action';
  const fired = s.rulesFired.join(', ') || '(none)';
  return [
    `shadow policy ${s.policy} ${s.kind}: ${describeAction(s.action) ?? 'no action'} instead of ${live} (fired ${fired}, confidence ${s.confidence})`,
  ];
}
