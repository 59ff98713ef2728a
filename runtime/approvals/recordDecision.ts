import type { ApprovalOutcome, Principal } from '../../machines/index.ts';
import { parseAuditInput } from '../audit/auditEntry.ts';
import type { ApprovalRecord } from '../inspection/InspectionEvent.ts';
import type { AuditInput, RuntimeStore } from '../persistence/RuntimeStore.ts';
import { GOVERNANCE } from './deliverOutcome.ts';
import { paymentFields } from './paymentFields.ts';

/** The record of a request once it is decided by `outcome`. */
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

/** The audit entry recording a decided request (`approval.granted`, `.rejected`, `.expired`); refused here if it could not be stored. */
export function decisionEntry(decided: ApprovalRecord, where: string, at: number): AuditInput {
  return parseAuditInput({
    who: decided.decidedBy ?? GOVERNANCE,
    // A review item's answer is `review.approved` / `review.rejected` / `review.expired`.
    action:
      decided.kind === 'review'
        ? `review.${decided.status}`
        : decided.status === 'approved'
          ? 'approval.granted'
          : `approval.${decided.status}`,
    subject: decided.id,
    where,
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
    at,
  });
}

/** The audit entry recording one grant of a quorum, counted once it is stored; refused here if it could not be stored. */
export function countedEntry(
  record: ApprovalRecord,
  g: { by: Principal; where: string; reason?: string; grants: number; at: number },
): AuditInput {
  return parseAuditInput({
    who: g.by,
    action: 'approval.grant.counted',
    subject: record.id,
    where: g.where,
    why: g.reason ?? 'approved',
    data: { agentId: record.agentId, grants: g.grants },
    at: g.at,
  });
}

/**
 * Write-ahead of an approval change: the record and the audit entry recording it commit in one
 * transaction (without a store, the entry alone is written) before the change takes effect.
 */
export async function commitApproval(
  d: { store: RuntimeStore | undefined; audit(entry: AuditInput): Promise<void> },
  record: ApprovalRecord,
  entry: AuditInput,
): Promise<void> {
  if (d.store === undefined) await d.audit(entry);
  else await d.store.saveApproval(record, entry);
}
