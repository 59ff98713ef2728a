import type { Decision, Outcome } from '../../machines/index.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import type { ApprovalRecord } from '../inspection/InspectionEvent.ts';
import type { AuditInput } from '../persistence/RuntimeStore.ts';
import { paymentFields } from './paymentFields.ts';

/** How long a review item waits for an operator before it expires (7 days). */
export const REVIEW_TTL_MS = 7 * 86_400_000;

/** An action a learner flagged after it ran (slippage above the bound, fees, slowness, low confidence, failure). */
export interface ReviewItem {
  decision: Decision;
  outcome: Outcome;
  flags: readonly string[];
}

/** The id of the review item of decision `decisionId` (one per decision). */
export function reviewId(decisionId: string): string {
  return `rev-${decisionId}`;
}

/** The review item to return instead of a new one: the agent's open one (one at a time), or this decision's. */
export function knownReview(
  records: ApprovalRecord[],
  agentId: string,
  decisionId: string,
): ApprovalRecord | undefined {
  return (
    records.find((r) => r.kind === 'review' && r.status === 'pending' && r.agentId === agentId) ??
    records.find((r) => r.id === reviewId(decisionId))
  );
}

/**
 * The approvals-queue record of a review item: `kind: "review"`, the action as decided, the flags as the
 * reason and the outcome's status beside them. Approving it says the action was acceptable, rejecting it
 * that it was not; neither reaches the agent, which acted long ago.
 */
export function reviewRecord(host: AgentHost, item: ReviewItem, now: number): ApprovalRecord {
  return {
    id: reviewId(item.decision.id),
    kind: 'review',
    agentId: host.id,
    decisionId: item.decision.id,
    action: (item.decision.action ?? {}) as unknown as Record<string, unknown>,
    reason: `review (${item.outcome.status}): ${item.flags.join('; ')}`.slice(0, 2000),
    status: 'pending',
    requestedAt: now,
    expiresAt: now + REVIEW_TTL_MS,
  };
}

/** The audit entry of a filed review item (`review.requested`). */
export function reviewAudit(host: AgentHost, record: ApprovalRecord, item: ReviewItem): AuditInput {
  return {
    who: { kind: 'agent', id: host.identity.did },
    action: 'review.requested',
    subject: record.id,
    where: host.def.group,
    why: record.reason,
    data: {
      agentId: host.id,
      decisionId: item.decision.id,
      flags: [...item.flags],
      outcome: item.outcome.status,
      confidence: item.decision.confidence,
      action: item.decision.action,
      // A shadow policy's disagreement: what the candidate would have done instead, and why.
      ...(item.decision.shadow === undefined ? {} : { shadow: item.decision.shadow }),
      ...paymentFields(record.action),
    },
    at: record.requestedAt,
  };
}
