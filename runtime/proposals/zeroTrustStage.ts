import { ZeroTrustPolicy } from '../../actors/index.ts';
import { ErrorCode } from '../../kernel/index.ts';
import type { AlertInput } from '../host/AgentHost.ts';
import type { SupervisionTree } from '../supervision/SupervisionTree.ts';
import type { ProposalStage } from './ProposalStage.ts';

/** What the zero-trust stage needs from the runtime. */
export interface ZeroTrustStageDeps {
  tree: Pick<SupervisionTree, 'get'>;
  alert(alert: AlertInput): void;
  utcOffsetMinutes?: number;
}

/**
 * The zero-trust stage, owned by the governance supervisor and run before governance: an agent
 * must be one this runtime hosts and not killed; its behaviour is judged against its own history
 * (`ZeroTrustPolicy`). A critical verdict pauses the agent and raises `MANDATE_ZERO_TRUST_INCIDENT`.
 */
export function zeroTrustStage(deps: ZeroTrustStageDeps): ProposalStage & { policy: ZeroTrustPolicy } {
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
  });
  return {
    name: 'zero-trust',
    role: 'governance',
    policy,
    evaluate: (p) => policy.evaluate(p),
    settle: (p, o) => policy.settle(p, o),
  };
}
