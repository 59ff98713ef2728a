import type { ApprovalOutcome } from '../../machines/index.ts';
import type { ApprovalRecord } from '../inspection/InspectionEvent.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import type { AuditInput, RuntimeStore } from '../persistence/RuntimeStore.ts';
import { GOVERNANCE } from './deliverOutcome.ts';
import { paymentFields } from './paymentFields.ts';

/** The record of a request once its approval machine has ended. */
export function decidedRecord(record: ApprovalRecord, outcome: ApprovalOutcome, now: number): ApprovalRecord {
  const answer = outcome.answer;
  const decided: ApprovalRecord = {
    ...record,
    status: outcome.status,
    decidedAt: answer?.at ?? now,
    decidedBy: answer?.by ?? GOVERNANCE,
  };
  const why = outcome.status === 'expired' ? 'no approver answered in time' : answer?.reason;
  if (why !== undefined) decided.decisionReason = why;
  return decided;
}

/** Persists, audits and publishes a decided request (in that order). */
export async function recordDecision(
  d: {
    store: RuntimeStore | undefined;
    audit(entry: AuditInput): Promise<void>;
    agent(id: string): AgentHost | undefined;
    publish(record: ApprovalRecord): void;
    clock: { now(): number };
  },
  decided: ApprovalRecord,
): Promise<void> {
  await d.store?.saveApproval(decided);
  // A review item's answer is `review.approved` / `review.rejected` / `review.expired`.
  const action =
    decided.kind === 'review'
      ? `review.${decided.status}`
      : decided.status === 'approved'
        ? 'approval.granted'
        : `approval.${decided.status}`;
  await d.audit({
    who: decided.decidedBy ?? GOVERNANCE,
    action,
    subject: decided.id,
    where: d.agent(decided.agentId)?.def.group ?? decided.agentId,
    why: decided.decisionReason ?? 'approved',
    data: {
      agentId: decided.agentId,
      action: decided.action,
      ...paymentFields(decided.action),
      ...(decided.signatures === undefined
        ? {}
        : {
            safeTxHash: decided.signatures.request.digest,
            signers: Object.fromEntries(Object.entries(decided.signatures.signatures).map(([k, v]) => [k, v.address])),
          }),
    },
    at: d.clock.now(),
  });
  d.publish(decided);
}
