import { assign, setup } from 'xstate';
import { ErrorCode } from '../kernel/index.ts';
import type { AgentContext, AgentInput, AgentOutput } from './agentContext.ts';
import { phaseStep } from './agentContext.ts';
import type { AgentEvent } from './agentEvents.ts';
import { nextRandom, retryDelay } from './retryDelay.ts';
import type { Phase, PhaseError } from './types.ts';

/** The error a phase timeout records. */
export const TIMEOUT: PhaseError = {
  code: ErrorCode.MANDATE_ERR_PHASE_TIMEOUT,
  message:
    "The phase did not finish within the agent's limits.phaseTimeout; make the phase faster or raise limits.phaseTimeout",
};

/** Context reset at the start of every cycle. */
export const freshCycle = {
  facts: null,
  decision: null,
  verdict: null,
  grant: null,
  outcome: null,
  attempts: 0,
  retryPhase: null,
  lastError: null,
} as const;

/**
 * The agent machine's types, actions, guards and delays (its states are in `agentMachine.ts`).
 * `startPhase` is left empty: the runtime host supplies it with `machine.provide`.
 */
export const agentSetup = setup({
  types: {
    context: {} as AgentContext,
    events: {} as AgentEvent,
    input: {} as AgentInput,
    output: {} as AgentOutput,
  },
  actions: {
    /** Starts the work of a phase; supplied by the runtime host. */
    startPhase: (_args, _params: { phase: Phase }) => {},
    beginCycle: assign(({ context, event }) => ({
      ...freshCycle,
      cycle: context.cycle + 1,
      trigger: event.type === 'agent.trigger' ? event.trigger : null,
      pauseRequested: false,
    })),
    abandonCycle: assign({ ...freshCycle, trigger: null, pauseRequested: false }),
    requestPause: assign({ pauseRequested: true }),
    scheduleRetry: assign(({ context, event }, params: { phase: Phase }) => {
      const r = nextRandom(context.rng);
      const attempts = context.attempts + 1;
      return {
        attempts,
        retryPhase: params.phase,
        rng: r.state,
        retryDelayMs: retryDelay(attempts, context.limits, r.value),
        lastError: 'error' in event ? event.error : TIMEOUT,
      };
    }),
    recordError: assign({ lastError: ({ event }) => ('error' in event ? event.error : TIMEOUT) }),
    recordActFailure: assign({
      outcome: ({ event }) => ({ status: 'failed', error: 'error' in event ? event.error : TIMEOUT }),
    }),
  },
  guards: {
    isCurrent: ({ context, event }) => 'step' in event && event.step === phaseStep(context),
    /** The hot path of a rules-only cycle, as one guard rather than `and([...])`. */
    currentWithAction: ({ context, event }) =>
      event.type === 'agent.decide.done' && event.step === phaseStep(context) && event.decision.action !== null,
    canRetry: ({ context }) => context.attempts + 1 < context.limits.maxAttempts,
    /** Approved, and the approval record belongs to this decision. */
    approvedWithGrant: ({ context, event }) =>
      event.type === 'agent.propose.done' &&
      event.verdict.status === 'approved' &&
      event.verdict.grant !== undefined &&
      event.verdict.grant.decisionId === context.decision?.id,
    isPending: ({ event }) => event.type === 'agent.propose.done' && event.verdict.status === 'pending',
    matchesApproval: ({ context, event }) => 'approvalId' in event && event.approvalId === context.verdict?.approvalId,
    retryableAct: ({ event }) => event.type === 'agent.act.failed' && event.retryable,
    pauseRequested: ({ context }) => context.pauseRequested,
    retrying: ({ context }, params: { phase: Phase }) => context.retryPhase === params.phase,
    retryAct: ({ context }) =>
      context.retryPhase === 'act' && context.grant !== null && context.grant.decisionId === context.decision?.id,
  },
  delays: {
    retryDelay: ({ context }) => context.retryDelayMs,
    approvalTimeout: ({ context }) => context.limits.approvalTimeoutMs,
  },
});
