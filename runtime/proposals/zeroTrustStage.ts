import { ZeroTrustPolicy, type BehaviourFact } from '../../actors/index.ts';
import { ErrorCode } from '../../kernel/index.ts';
import type { AlertInput } from '../host/AgentHost.ts';
import type { BehaviourStore } from '../persistence/BehaviourStore.ts';
import type { SupervisionTree } from '../supervision/SupervisionTree.ts';
import type { ProposalStage } from './ProposalStage.ts';
import { reperceive, type ReperceiveDeps } from './reperceive.ts';

/** How many facts of each kind per agent a baseline keeps (and a restart replays). */
const HISTORY_LIMIT = 10_000;

/** What the zero-trust stage needs from the runtime. */
export interface ZeroTrustStageDeps extends ReperceiveDeps {
  tree: Pick<SupervisionTree, 'get'>;
  alert(alert: AlertInput): void;
  utcOffsetMinutes?: number;
  /** Where the baselines are kept across restarts; in memory only without one. */
  store?: BehaviourStore;
}

/**
 * The zero-trust stage, owned by the governance supervisor and run before governance: an agent
 * must be one this runtime hosts and not killed; its behaviour is judged against its own history
 * (`ZeroTrustPolicy`). A flagged (medium) verdict is verified by a re-perceive ({@link reperceive}):
 * approved when the facts still hold, else it waits for a human approval. A critical verdict pauses
 * the agent and raises `MANDATE_ZERO_TRUST_INCIDENT`.
 * With a store, every fact the baselines learn is appended to it (in order) and `restore()` replays
 * the newest 10,000 of each kind per agent, so a restart does not forget what normal looks like.
 */
export function zeroTrustStage(deps: ZeroTrustStageDeps): ProposalStage & { policy: ZeroTrustPolicy } {
  const { store } = deps;
  // Submitted at once (the store's writer commits in submission order), so a shutdown's flush includes it.
  const learned = (fact: BehaviourFact): void => {
    if (store === undefined) return;
    store.append(fact).catch((e: Error) =>
      deps.alert({
        severity: 'warning',
        code: ErrorCode.MANDATE_ERR_STORE,
        message: `zero-trust history of ${fact.agentId} not stored (${fact.kind} at ${fact.at}): ${e.message}`,
        actorId: fact.agentId,
      }),
    );
  };
  const policy = new ZeroTrustPolicy({
    ...(deps.utcOffsetMinutes === undefined ? {} : { utcOffsetMinutes: deps.utcOffsetMinutes }),
    identityOf: (agentId) => {
      const host = deps.tree.get(agentId);
      if (host === undefined) return { ok: false, reason: `${agentId} is not an agent of this runtime` };
      if (host.state === 'killed') return { ok: false, reason: `${agentId} is killed` };
      return { ok: true };
    },
    onCritical: (agentId, verdict) => {
      deps.alert({
        severity: 'critical',
        code: ErrorCode.MANDATE_ZERO_TRUST_INCIDENT,
        message: `${agentId}: ${verdict.reasons.join('; ')}`,
        actorId: agentId,
      });
      // After the denial is delivered: the agent then stops until an operator resumes it.
      queueMicrotask(() => deps.tree.get(agentId)?.deliver({ type: 'agent.pause' }));
    },
    onLearned: learned,
    verifyFlagged: (p) => reperceive(deps, p),
  });
  return {
    name: 'zero-trust',
    role: 'governance',
    policy,
    evaluate: (p) => policy.evaluate(p),
    settle: (p, o) => policy.settle(p, o),
    restore: async () => {
      if (store === undefined) return;
      for (const fact of await store.load(HISTORY_LIMIT)) policy.restore(fact);
    },
  };
}
