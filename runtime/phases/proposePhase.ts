import type { AgentContext, Verdict } from '../../machines/index.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import type { PhaseEnv } from './PhaseEnv.ts';
import { proposalOf } from './proposalOf.ts';

/** Propose: the decision's action goes through the proposal pipeline; the verdict is recorded with the decision. */
export async function proposePhase(env: PhaseEnv, host: AgentHost, ctx: AgentContext): Promise<Verdict> {
  const verdict = await env.pipeline.propose(host, proposalOf(host, ctx, env.clock.now()));
  await env.decisions.record({ host, context: ctx, decision: ctx.decision!, verdict, outcome: null });
  return verdict;
}
