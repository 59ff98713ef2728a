import { mayAnswer, type ApprovalContext, type Principal } from '../../machines/index.ts';
import { StateConflictError } from '../errors.ts';
import { checkInput, principalSchema, reasonSchema } from '../control/checkInput.ts';
import { signatureSchema } from './ApprovalEntry.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import type { ApprovalRecord } from '../inspection/InspectionEvent.ts';

/**
 * Refuses an answer the request cannot take: the agent no longer waits for it (it is neither
 * waiting nor about to), `by` is off the approver list, or `by` already granted it.
 */
export function checkAnswerable({
  record,
  context,
  host,
  by,
}: {
  record: ApprovalRecord;
  /** The approval machine's context of the request. */
  context: ApprovalContext;
  host: AgentHost;
  by: Principal;
}): void {
  const id = record.id;
  // Still in propose: the request was opened for this decision and the agent is about to wait for it.
  const waiting = host.state === 'awaitingApproval' && host.context.verdict?.approvalId === id;
  const arriving = host.state === 'propose' && host.context.decision?.id === record.decisionId;
  if (!waiting && !arriving)
    throw new StateConflictError(`Agent "${record.agentId}" is ${host.state} and no longer waits for "${id}".`, {
      approvalId: id,
      state: host.state,
    });
  checkApprover(context, by, id);
  if (context.grants.some((g) => g.by.kind === by.kind && g.by.id === by.id))
    throw new StateConflictError(
      `${by.kind} "${by.id}" has already approved "${id}"; it needs ${context.required - context.grants.length} more distinct approver(s).`,
      { approvalId: id },
    );
}

/** Refuses an answer by `by` when it is off the approver list of request `id`. */
export function checkApprover(context: Pick<ApprovalContext, 'approvers'>, by: Principal, id: string): void {
  if (!mayAnswer(context, by))
    throw new StateConflictError(
      `${by.kind} "${by.id}" is not among the approvers of "${id}" (${context.approvers.join(', ')}).`,
      { approvalId: id },
    );
}

/**
 * The four-eyes rule: the agent's owner (`owner:` in its definition, a principal as `kind:id`)
 * cannot approve a request of their own agent; someone else must.
 */
export function checkFourEyes(record: ApprovalRecord, host: AgentHost, by: Principal): void {
  if (host.def.owner !== undefined && host.def.owner === `${by.kind}:${by.id}`)
    throw new StateConflictError(
      `${by.kind} "${by.id}" owns agent "${record.agentId}" and cannot approve its request "${record.id}" (four-eyes rule); another approver must.`,
      { approvalId: record.id, rule: 'four-eyes' },
    );
}

/** Refuses a malformed answer (who, why, signature) before anything changes: `MANDATE_ERR_EVENT_INVALID` naming it. */
export function checkAnswerInput(by: Principal, reason: string | undefined, signature: string | undefined): void {
  checkInput(principalSchema, by, 'principal');
  if (reason !== undefined) checkInput(reasonSchema, reason, 'approval reason');
  if (signature !== undefined) checkInput(signatureSchema, signature, 'approval signature');
}
