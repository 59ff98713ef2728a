import type { Proposal } from '../../actors/index.ts';
import { parseAuditInput } from '../audit/auditEntry.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import type { ApprovalRecord } from '../inspection/InspectionEvent.ts';
import type { AuditInput } from '../persistence/RuntimeStore.ts';
import { paymentFields } from './paymentFields.ts';

/** The pending record of a new request for `proposal`, open for `timeoutMs` from `now`. */
export function requestRecord(
  proposal: Proposal,
  o: { reason: string; now: number; timeoutMs: number },
): ApprovalRecord {
  return {
    id: `apr-${proposal.decision.id}`,
    agentId: proposal.agentId,
    decisionId: proposal.decision.id,
    action: proposal.action as unknown as Record<string, unknown>,
    reason: o.reason,
    status: 'pending',
    requestedAt: o.now,
    expiresAt: o.now + o.timeoutMs,
  };
}

/** The audit entry recording a new request (`approval.requested`); refused here if it could not be stored. */
export function requestedEntry(host: AgentHost, record: ApprovalRecord): AuditInput {
  return parseAuditInput({
    who: { kind: 'agent', id: host.identity.did },
    action: 'approval.requested',
    subject: record.id,
    where: host.def.group,
    why: record.reason,
    data: { agentId: host.id, action: record.action, ...paymentFields(record.action) },
    at: record.requestedAt,
  });
}
