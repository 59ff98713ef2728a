import { and, assign } from 'xstate';
import { ErrorCode } from '../kernel/index.ts';
import { agentSetup, freshCycle, TIMEOUT } from './agentSetup.ts';
import type { Phase } from './types.ts';

/** Why an approval expired, as the outcome says it. */
const NO_ANSWER =
  'No approver answered in time; ask an approver to answer sooner, or raise the governance approvalTimeout';

export { phaseStep } from './agentContext.ts';
export type { AgentContext, AgentInput, AgentOutput } from './agentContext.ts';

/**
 * The transitions shared by perceive, decide and propose on a failure or a timeout: retry with
 * backoff while attempts remain, else fail (the supervisor sees the exit and may restart).
 */
function retryOrFail(phase: 'perceive' | 'decide' | 'propose') {
  return [
    {
      guard: and(['isCurrent', 'canRetry']),
      target: 'retrying',
      actions: { type: 'scheduleRetry', params: { phase } },
    },
    { guard: 'isCurrent', target: 'failed', actions: 'recordError' },
  ] as const;
}

/**
 * The agent cycle as an explicit statechart:
 * idle → perceive → decide → propose (→ awaitingApproval) → act → learn → idle,
 * plus paused, retrying (exponential backoff with jitter, bounded attempts),
 * killed (kill switch; left only by release), failed and stopped.
 *
 * Pure: the phases' work is done by the `startPhase` action, which this
 * definition leaves empty and the runtime supplies with `machine.provide`.
 * Time comes from the actor system's clock: retry backoff and the approval
 * timeout are XState `after` delays. Phase timeouts arrive as
 * `agent.phase.timeout` events carrying the phase's step: the runtime's
 * watchdog (one timer for all agents, on the same injected clock) sends them,
 * so a phase costs no timer of its own. A designer running this machine
 * without the runtime sends that event to enforce `limits.phaseTimeoutMs`.
 *
 * @example
 * const actor = createActor(agentMachine.provide({ actions: { startPhase: run } }), { input });
 */
export const agentMachine = agentSetup.createMachine({
  id: 'agent',
  initial: 'idle',
  context: ({ input }) => ({
    agentId: input.agentId,
    kind: input.kind,
    limits: input.limits,
    incarnation: input.incarnation,
    cycle: 0,
    trigger: null,
    ...freshCycle,
    retryDelayMs: 0,
    pauseRequested: false,
    rng: input.seed | 0,
    stopReason: null,
  }),
  output: ({ context }) =>
    context.stopReason !== null
      ? { exit: 'normal', kind: context.kind, reason: context.stopReason }
      : { exit: 'abnormal', kind: context.kind, error: context.lastError ?? TIMEOUT },
  on: {
    'agent.stop': { target: '.stopped', actions: assign({ stopReason: ({ event }) => event.reason ?? 'stopped' }) },
    'agent.kill': { target: '.killed', actions: 'abandonCycle' },
  },
  states: {
    idle: {
      on: {
        'agent.trigger': { target: 'perceive', actions: 'beginCycle' },
        'agent.pause': { target: 'paused' },
      },
    },
    perceive: {
      entry: { type: 'startPhase', params: { phase: 'perceive' } },
      on: {
        // The runtime's phase watchdog sends this when limits.phaseTimeoutMs has passed.
        'agent.phase.timeout': retryOrFail('perceive'),
        'agent.perceive.done': {
          guard: 'isCurrent',
          target: 'decide',
          actions: assign({ facts: ({ event }) => event.facts, attempts: 0 }),
        },
        'agent.perceive.failed': retryOrFail('perceive'),
        'agent.pause': { target: 'paused', actions: 'abandonCycle' },
      },
    },
    decide: {
      entry: { type: 'startPhase', params: { phase: 'decide' } },
      on: {
        // The runtime's phase watchdog sends this when limits.phaseTimeoutMs has passed.
        'agent.phase.timeout': retryOrFail('decide'),
        'agent.decide.done': [
          {
            guard: 'currentWithAction',
            target: 'propose',
            actions: assign({ decision: ({ event }) => event.decision, attempts: 0 }),
          },
          {
            guard: 'isCurrent',
            target: 'learn',
            actions: assign({ decision: ({ event }) => event.decision, outcome: { status: 'no-action' }, attempts: 0 }),
          },
        ],
        'agent.decide.failed': retryOrFail('decide'),
        'agent.pause': { target: 'paused', actions: 'abandonCycle' },
      },
    },
    propose: {
      entry: { type: 'startPhase', params: { phase: 'propose' } },
      on: {
        // The runtime's phase watchdog sends this when limits.phaseTimeoutMs has passed.
        'agent.phase.timeout': retryOrFail('propose'),
        'agent.propose.done': [
          {
            guard: and(['isCurrent', 'approvedWithGrant']),
            target: 'act',
            actions: assign({
              verdict: ({ event }) => event.verdict,
              grant: ({ event }) => event.verdict.grant ?? null,
              attempts: 0,
            }),
          },
          {
            guard: and(['isCurrent', 'isPending']),
            target: 'awaitingApproval',
            actions: assign({ verdict: ({ event }) => event.verdict, attempts: 0 }),
          },
          // Denied, or "approved" without a matching approval record: never reaches act.
          {
            guard: 'isCurrent',
            target: 'learn',
            actions: assign({
              verdict: ({ event }) => event.verdict,
              outcome: ({ event }) => ({
                status: 'denied',
                error: {
                  code: ErrorCode.MANDATE_ERR_PROPOSAL_DENIED,
                  message: `${event.verdict.by}: ${event.verdict.reason}`,
                },
              }),
              attempts: 0,
            }),
          },
        ],
        'agent.propose.failed': retryOrFail('propose'),
        'agent.pause': { target: 'paused', actions: 'abandonCycle' },
      },
    },
    awaitingApproval: {
      after: {
        approvalTimeout: {
          target: 'learn',
          actions: assign({
            outcome: {
              status: 'expired',
              error: { code: ErrorCode.MANDATE_ERR_APPROVAL_EXPIRED, message: NO_ANSWER },
            },
          }),
        },
      },
      on: {
        'governance.approval.granted': {
          guard: 'matchesApproval',
          target: 'act',
          actions: assign({
            grant: ({ context, event }) => ({
              approvalId: event.approvalId,
              decisionId: context.decision?.id ?? '',
              mode: 'manual' as const,
              by: event.by,
              at: event.at,
            }),
          }),
        },
        'governance.approval.rejected': {
          guard: 'matchesApproval',
          target: 'learn',
          actions: assign({
            outcome: ({ event }) => ({
              status: 'rejected',
              error: { code: ErrorCode.MANDATE_ERR_APPROVAL_REJECTED, message: event.reason },
            }),
          }),
        },
        'governance.approval.expired': {
          guard: 'matchesApproval',
          target: 'learn',
          actions: assign({
            outcome: {
              status: 'expired',
              error: { code: ErrorCode.MANDATE_ERR_APPROVAL_EXPIRED, message: NO_ANSWER },
            },
          }),
        },
        'agent.pause': { target: 'paused', actions: 'abandonCycle' },
      },
    },
    act: {
      // Entry is guarded by every transition into act (approvedWithGrant, matchesApproval,
      // retryAct on retry); the host checks the grant and the kill switch again before any effect.
      entry: { type: 'startPhase', params: { phase: 'act' } },
      on: {
        // The runtime's phase watchdog sends this when limits.phaseTimeoutMs has passed.
        'agent.phase.timeout': [
          {
            guard: and(['isCurrent', 'canRetry']),
            target: 'retrying',
            actions: { type: 'scheduleRetry', params: { phase: 'act' } },
          },
          { guard: 'isCurrent', target: 'learn', actions: 'recordActFailure' },
        ],
        'agent.act.done': {
          guard: 'isCurrent',
          target: 'learn',
          actions: assign({ outcome: ({ event }) => event.outcome, attempts: 0 }),
        },
        'agent.act.failed': [
          {
            guard: and(['isCurrent', 'retryableAct', 'canRetry']),
            target: 'retrying',
            actions: { type: 'scheduleRetry', params: { phase: 'act' } },
          },
          // A payment that could not be made is an outcome to learn from, not a crash.
          { guard: 'isCurrent', target: 'learn', actions: ['recordActFailure', 'recordError'] },
        ],
        // An effect in flight cannot be recalled: finish the cycle, then pause.
        'agent.pause': { actions: 'requestPause' },
      },
    },
    learn: {
      entry: { type: 'startPhase', params: { phase: 'learn' } },
      on: {
        // The runtime's phase watchdog sends this when limits.phaseTimeoutMs has passed.
        'agent.phase.timeout': [
          { guard: and(['isCurrent', 'pauseRequested']), target: 'paused', actions: 'recordError' },
          { guard: 'isCurrent', target: 'idle', actions: 'recordError' },
        ],
        'agent.learn.done': [
          { guard: and(['isCurrent', 'pauseRequested']), target: 'paused' },
          { guard: 'isCurrent', target: 'idle' },
        ],
        // Learning is best effort: a failure is recorded, never retried into a second effect.
        'agent.learn.failed': [
          { guard: and(['isCurrent', 'pauseRequested']), target: 'paused', actions: 'recordError' },
          { guard: 'isCurrent', target: 'idle', actions: 'recordError' },
        ],
        'agent.pause': { actions: 'requestPause' },
      },
    },
    retrying: {
      after: {
        retryDelay: [
          { guard: { type: 'retrying', params: { phase: 'perceive' } }, target: 'perceive' },
          { guard: { type: 'retrying', params: { phase: 'decide' } }, target: 'decide' },
          { guard: { type: 'retrying', params: { phase: 'propose' } }, target: 'propose' },
          { guard: 'retryAct', target: 'act' },
          { target: 'failed' },
        ],
      },
      on: {
        'agent.retry': [
          { guard: { type: 'retrying', params: { phase: 'perceive' } }, target: 'perceive' },
          { guard: { type: 'retrying', params: { phase: 'decide' } }, target: 'decide' },
          { guard: { type: 'retrying', params: { phase: 'propose' } }, target: 'propose' },
          { guard: 'retryAct', target: 'act' },
          { target: 'failed' },
        ],
        'agent.pause': { target: 'paused', actions: 'abandonCycle' },
      },
    },
    paused: {
      on: { 'agent.resume': { target: 'idle', actions: assign({ pauseRequested: false }) } },
    },
    killed: {
      on: { 'agent.release': { target: 'idle' } },
    },
    failed: { type: 'final' },
    stopped: { type: 'final' },
  },
});

/** The agent machine's type, for designers composing their own. */
export type AgentMachine = typeof agentMachine;

/** States in which the cycle is working on a phase the host must (re)start after a restore. */
export const WORKING_STATES = ['perceive', 'decide', 'propose', 'act', 'learn'] as const satisfies readonly Phase[];
