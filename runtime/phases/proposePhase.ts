import type { AgentContext, Decision, Verdict } from '../../machines/index.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import { paramsHash } from '../host/IntentLog.ts';
import { actKeyOf } from './actKeyOf.ts';
import type { PhaseEnv } from './PhaseEnv.ts';
import { proposalOf } from './proposalOf.ts';

/** The verdict's `by` when an action replays an effect the intent log already settled. */
export const SETTLED_BY = 'intent-log';

/**
 * Propose: the decision's action goes through the proposal pipeline; the verdict is recorded with the decision.
 *
 * An action whose business key (`params.idempotencyKey`) already has a finished intent with the same
 * parameters is not proposed again: act would only return the recorded outcome, so asking a human
 * to approve it again (after a restart the agent's own view of what is paid may be gone) would be
 * a question whose answer changes nothing. It goes to act with a grant naming the intent log, and
 * act replays the recorded outcome without sending anything.
 */
export async function proposePhase(env: PhaseEnv, host: AgentHost, ctx: AgentContext): Promise<Verdict> {
  const decision = ctx.decision!;
  const verdict =
    (await settledVerdict(env, host, decision)) ??
    (await env.pipeline.propose(host, proposalOf(host, ctx, env.clock.now())));
  await env.decisions.record({ host, context: ctx, decision, verdict, outcome: null });
  return verdict;
}

async function settledVerdict(env: PhaseEnv, host: AgentHost, decision: Decision): Promise<Verdict | undefined> {
  const action = decision.action;
  if (action === null || typeof action.params.idempotencyKey !== 'string') return undefined;
  const key = actKeyOf(host.id, decision);
  const intent = await env.intents.findIntent(key);
  if (intent === undefined || (intent.status !== 'succeeded' && intent.status !== 'failed')) return undefined;
  // Other parameters under the same key are a conflict act refuses: that goes the normal way.
  if (intent.paramsHash !== paramsHash(action)) return undefined;
  const at = env.clock.now();
  return {
    status: 'approved',
    by: SETTLED_BY,
    reason: `idempotency key "${key}" already ${intent.status} (decision ${intent.decisionId}${intent.reference === undefined ? '' : `, reference ${intent.reference}`}): its recorded outcome is replayed, nothing is sent again`,
    grant: {
      approvalId: `settled-${key}`,
      decisionId: decision.id,
      mode: 'auto',
      by: { kind: 'system', id: SETTLED_BY },
      at,
    },
  };
}
