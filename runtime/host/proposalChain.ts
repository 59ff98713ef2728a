import { PolicyEvaluationError, type Proposal } from '../../actors/index.ts';
import type { Outcome, Verdict } from '../../machines/index.ts';
import type { RuntimeBase } from '../Runtime.ts';
import type { AgentHost } from './AgentHost.ts';
import type { SupervisorHost } from './SupervisorHost.ts';

/**
 * The proposal chain: a proposal travels from the agent's parent up —
 * sandbox, reputation, governance — and each supervisor's policy answers.
 * The first denial ends it; a pending answer (governance) opens an approval
 * the agent waits for; approval by all yields the approval record (grant)
 * that `act` requires.
 */
export async function proposeUpChain(runtime: RuntimeBase, host: AgentHost, proposal: Proposal): Promise<Verdict> {
  for (let sup: SupervisorHost | undefined = host.parent; sup !== undefined; sup = sup.parent) {
    let result;
    try {
      result = await sup.policy.evaluate(proposal);
    } catch (cause) {
      // Not approved, and not denied either: the propose phase fails and is retried.
      throw new PolicyEvaluationError(sup.spec.role, (cause as Error).message, { cause });
    }
    sup.actor.send({ type: 'supervisor.proposal.checked', agentId: host.id, decisionId: proposal.decision.id, status: result.status, reason: result.reason });
    if (result.status === 'denied') return { status: 'denied', by: sup.spec.role, reason: result.reason };
    if (result.status === 'pending') {
      const timeout = result.approvalTimeoutMs ?? host.def.limits.approvalTimeout;
      const record = runtime.approvals.open(`apr-${proposal.decision.id}`, proposal, result.reason, timeout);
      await runtime.store?.saveApproval(record);
      runtime.inspection.publish({ type: 'approval', approval: record, at: runtime.clock.now() });
      await runtime.audit({ who: { kind: 'agent', id: host.identity.did }, action: 'approval.requested', subject: record.id, where: host.def.group, why: result.reason, data: { agentId: host.id, action: proposal.action }, at: runtime.clock.now() });
      return { status: 'pending', by: sup.spec.role, reason: result.reason, approvalId: record.id, expiresAt: record.expiresAt };
    }
  }
  const now = runtime.clock.now();
  return {
    status: 'approved',
    by: 'governance',
    reason: 'approved by sandbox, reputation and governance',
    grant: { approvalId: `auto-${proposal.decision.id}`, decisionId: proposal.decision.id, mode: 'auto', by: { kind: 'system', id: runtime.governance.id }, at: now },
  };
}

/** Tells every supervisor up the chain how it ended (budgets kept or released, trust updated) and audits the action. */
export async function settleChain(runtime: RuntimeBase, host: AgentHost, proposal: Proposal, outcome: Outcome): Promise<void> {
  for (let sup: SupervisorHost | undefined = host.parent; sup !== undefined; sup = sup.parent) await sup.policy.settle?.(proposal, outcome);
  runtime.outcomes[outcome.status] = (runtime.outcomes[outcome.status] ?? 0) + 1;
  const a = proposal.action;
  await runtime.audit({
    who: { kind: 'agent', id: host.identity.did },
    action: `agent.${a.type}.${outcome.status}`,
    subject: proposal.decision.id,
    where: `${host.def.group}/${a.account ?? '-'}`,
    why: proposal.decision.rationale,
    data: {
      agentId: host.id,
      status: outcome.status,
      ...(a.amount === undefined ? {} : { amount: a.amount.value, currency: a.amount.asset }),
      ...(a.counterparty === undefined ? {} : { counterparty: a.counterparty }),
      ...(outcome.receipt === undefined ? {} : { receipt: outcome.receipt }),
      ...(outcome.error === undefined ? {} : { error: outcome.error }),
    },
    at: runtime.clock.now(),
  });
}
