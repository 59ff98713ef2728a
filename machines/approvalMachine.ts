import { and, assign, setup } from 'xstate';
import type { Principal } from './types.ts';

/** What an approval actor is started with. */
export interface ApprovalInput {
  id: string;
  agentId: string;
  decisionId: string;
  /** How many distinct approvers must grant before the action may go ahead (1 unless policy asks for a quorum). */
  required: number;
  /**
   * Who may answer, as `kind:id` keys (`human:alice`) or roles (`role:treasurer`); empty means
   * anyone the caller already authorized (the gateway's approve permission).
   */
  approvers: readonly string[];
  /** Time left until the request expires, in ms of the actor system's clock. */
  timeoutMs: number;
}

/** One approver's answer. */
export interface ApprovalAnswer {
  by: Principal;
  at: number;
  reason?: string;
}

/** How the approval ended. */
export interface ApprovalOutcome {
  status: 'approved' | 'rejected' | 'expired';
  /** The answer that settled it (the last grant of a quorum, the rejection); undefined on expiry. */
  answer?: ApprovalAnswer;
  grants: ApprovalAnswer[];
}

/** The approval's state: who has granted so far, and how it ended once it has. */
export interface ApprovalContext extends ApprovalInput {
  grants: ApprovalAnswer[];
  rejection: ApprovalAnswer | null;
  status: 'open' | ApprovalOutcome['status'];
}

/**
 * Events an approval accepts. The caller has checked the answerer's right to approve at all
 * (RBAC); the machine checks whether this principal may answer this request and counts quorums.
 * `roles` are the answerer's roles, matched against `role:` entries of the approver list.
 */
export type ApprovalEvent =
  | { type: 'approval.grant'; by: Principal; roles?: readonly string[]; at: number; reason?: string }
  | { type: 'approval.reject'; by: Principal; roles?: readonly string[]; at: number; reason: string }
  | { type: 'approval.expire'; at: number }
  /** Withdrawn by the system whatever the approver list (the kill switch invalidating a proposal). */
  | { type: 'approval.cancel'; by: Principal; at: number; reason: string };

function principalKey(p: Principal): string {
  return `${p.kind}:${p.id}`;
}

/** Whether `by` (with `roles`) is on the approver list of `context` (an empty list admits anyone). */
export function mayAnswer(
  context: Pick<ApprovalContext, 'approvers'>,
  by: Principal,
  roles: readonly string[] = [],
): boolean {
  if (context.approvers.length === 0) return true;
  const key = principalKey(by);
  return context.approvers.some((a) => a === key || (a.startsWith('role:') && roles.includes(a.slice(5))));
}

/**
 * Whether a grant by `by` would complete the approval now: admitted, not a repeat, and the last
 * grant the quorum needs. Lets the host reserve budget before it sends the completing grant.
 */
export function grantCompletes(
  context: Pick<ApprovalContext, 'approvers' | 'grants' | 'required'>,
  by: Principal,
  roles: readonly string[] = [],
): boolean {
  return (
    mayAnswer(context, by, roles) &&
    !context.grants.some((g) => principalKey(g.by) === principalKey(by)) &&
    context.grants.length + 1 >= context.required
  );
}

function answerOf(event: { by: Principal; at: number; reason?: string }): ApprovalAnswer {
  return event.reason === undefined
    ? { by: event.by, at: event.at }
    : { by: event.by, at: event.at, reason: event.reason };
}

/**
 * One human/agent approval request as an explicit statechart:
 * open → approved (once `required` distinct approvers granted) | rejected (any approver said no) |
 * expired (nobody answered in `timeoutMs`, or an explicit `approval.expire`).
 *
 * Answers may come at any time while it is open — including before the requesting agent has
 * started to wait (an "early" answer): the machine does not know about the agent. Its host
 * hands the outcome over when the agent waits. A second grant by the same approver does not
 * count twice; an answer from someone off the approver list changes nothing.
 *
 * Pure: the timeout is an XState delay on the actor system's (injectable) clock.
 *
 * @example
 * const actor = createActor(approvalMachine, { input: { id, agentId, decisionId, required: 2, approvers: [], timeoutMs: 600_000 }, clock });
 * actor.start().send({ type: 'approval.grant', by: { kind: 'human', id: 'alice' }, at: clock.now() });
 */
export const approvalMachine = setup({
  types: {
    context: {} as ApprovalContext,
    events: {} as ApprovalEvent,
    input: {} as ApprovalInput,
    output: {} as ApprovalOutcome,
  },
  guards: {
    /** A grant from an admitted approver who has not granted yet. */
    newGrant: ({ context, event }) =>
      event.type === 'approval.grant' &&
      mayAnswer(context, event.by, event.roles) &&
      !context.grants.some((g) => principalKey(g.by) === principalKey(event.by)),
    /** That grant completes the quorum. */
    quorumReached: ({ context }) => context.grants.length + 1 >= context.required,
    admitted: ({ context, event }) =>
      event.type === 'approval.grant' || event.type === 'approval.reject'
        ? mayAnswer(context, event.by, event.roles)
        : false,
  },
  actions: {
    addGrant: assign({
      grants: ({ context, event }) =>
        event.type === 'approval.grant' ? [...context.grants, answerOf(event)] : context.grants,
    }),
    recordRejection: assign({
      rejection: ({ event }) =>
        event.type === 'approval.reject' || event.type === 'approval.cancel' ? answerOf(event) : null,
      status: 'rejected',
    }),
    markApproved: assign({ status: 'approved' }),
    markExpired: assign({ status: 'expired' }),
  },
  delays: {
    timeout: ({ context }) => Math.max(0, context.timeoutMs),
  },
}).createMachine({
  id: 'approval',
  initial: 'open',
  context: ({ input }) => ({
    ...input,
    approvers: [...input.approvers],
    required: Math.max(1, Math.floor(input.required)),
    grants: [],
    rejection: null,
    status: 'open',
  }),
  output: ({ context }) => {
    const status = context.status === 'open' ? 'expired' : context.status;
    const answer =
      status === 'approved'
        ? context.grants[context.grants.length - 1]
        : status === 'rejected'
          ? (context.rejection ?? undefined)
          : undefined;
    return answer === undefined ? { status, grants: context.grants } : { status, answer, grants: context.grants };
  },
  states: {
    open: {
      after: { timeout: { target: 'expired', actions: 'markExpired' } },
      on: {
        'approval.grant': [
          { guard: and(['newGrant', 'quorumReached']), target: 'approved', actions: ['addGrant', 'markApproved'] },
          { guard: 'newGrant', actions: 'addGrant' },
        ],
        'approval.reject': { guard: 'admitted', target: 'rejected', actions: 'recordRejection' },
        'approval.expire': { target: 'expired', actions: 'markExpired' },
        'approval.cancel': { target: 'rejected', actions: 'recordRejection' },
      },
    },
    approved: { type: 'final' },
    rejected: { type: 'final' },
    expired: { type: 'final' },
  },
});

/** The approval machine's type. */
export type ApprovalMachine = typeof approvalMachine;
