import type { Principal } from '../../machines/index.ts';
import { ErrorCode } from '../../kernel/index.ts';
import type { AgentHost, AlertInput } from '../host/AgentHost.ts';
import type { ApprovalRecord } from '../inspection/InspectionEvent.ts';

/** Who decides when no person did (an expiry, a budget gone while waiting). */
export const GOVERNANCE: Principal = { kind: 'system', id: 'governance' };

/**
 * Hands a decided approval to its agent as the matching `governance.approval.*` event — only if
 * the agent is waiting for exactly this request. Returns whether it was delivered.
 */
export function deliverOutcome(host: AgentHost | undefined, r: ApprovalRecord, now: number): boolean {
  if (host === undefined || host.state !== 'awaitingApproval' || host.context.verdict?.approvalId !== r.id)
    return false;
  const at = r.decidedAt ?? now;
  const by = r.decidedBy ?? GOVERNANCE;
  if (r.status === 'approved') host.deliver({ type: 'governance.approval.granted', approvalId: r.id, by, at });
  else if (r.status === 'rejected') {
    host.deliver({
      type: 'governance.approval.rejected',
      approvalId: r.id,
      by,
      reason: r.decisionReason ?? 'rejected',
      at,
    });
  } else if (r.status === 'expired') host.deliver({ type: 'governance.approval.expired', approvalId: r.id, at });
  else return false;
  return true;
}

/** The alert when the answer to an agent's request could not be looked up in the store (the agent waits until its deadline). */
export function recallFailed(approvalId: string, agentId: string, error: Error): AlertInput {
  return {
    severity: 'warning',
    code: ErrorCode.MANDATE_ERR_STORE,
    message: `the answer to approval ${approvalId} could not be looked up in the store: ${error.message}; the agent waits until its deadline`,
    actorId: agentId,
  };
}
