import { and, assign, setup } from 'xstate';
import type { AgentEvent } from './agentEvents.ts';
import { nextRandom, retryDelay } from './retryDelay.ts';
import type { AgentLimits, ApprovalGrant, Decision, Outcome, Phase, PhaseError, RestartKind, Trigger, Verdict } from './types.ts';

/** What an agent actor is started with. */
export interface AgentInput {
  agentId: string;
  kind: RestartKind;
  limits: AgentLimits;
  /** Seed of the jitter PRNG (any 32-bit integer). */
  seed: number;
  /** Random id of this spawn; decision ids (and so idempotency keys) derive from it and the cycle. */
  incarnation: string;
}

/** The agent's working memory. Kept small: 100,000 idle agents must fit in one process. */
export interface AgentContext {
  agentId: string;
  kind: RestartKind;
  limits: AgentLimits;
  incarnation: string;
  /** Cycles started since spawn. Together with `attempts` it names the running phase: see {@link phaseStep}. */
  cycle: number;
  trigger: Trigger | null;
  facts: Record<string, unknown> | null;
  decision: Decision | null;
  verdict: Verdict | null;
  /** The approval record `act` requires. */
  grant: ApprovalGrant | null;
  outcome: Outcome | null;
  /** Failed attempts of the current phase. */
  attempts: number;
  retryPhase: Phase | null;
  retryDelayMs: number;
  lastError: PhaseError | null;
  /** A pause that arrived during act/learn: honoured when the cycle ends. */
  pauseRequested: boolean;
  rng: number;
  /** Set by `agent.stop`: the actor ended normally. */
  stopReason: string | null;
}

/** How an agent actor ended; its supervisor reads it to decide on a restart. */
export interface AgentOutput {
  exit: 'normal' | 'abnormal';
  kind: RestartKind;
  error?: PhaseError;
  reason?: string;
}

type FailureEvent = Extract<AgentEvent, { error: PhaseError }>;

const TIMEOUT: PhaseError = { code: 'MANDATE_ERR_PHASE_TIMEOUT', message: 'The phase did not finish within limits.phaseTimeoutMs' };

/** Attempts of one phase are bounded well below this (limits allow at most 100). */
const ATTEMPT_SPAN = 1 << 20;

/**
 * The step a phase result must carry to be accepted: which cycle, which attempt. Each phase has
 * its own result events, and a phase is entered once per (cycle, attempt), so a late result from an
 * abandoned phase (after pause, kill, timeout or a retry) never matches. Derived rather than
 * counted, so entering a phase costs no context update.
 */
export function phaseStep(context: Pick<AgentContext, 'cycle' | 'attempts'>): number {
  return context.cycle * ATTEMPT_SPAN + context.attempts;
}

/** Context reset at the start of every cycle. */
const freshCycle = {
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
 * The transitions shared by perceive, decide and propose on a failure or a timeout: retry with
 * backoff while attempts remain, else fail (the supervisor sees the exit and may restart).
 */
function retryOrFail(phase: 'perceive' | 'decide' | 'propose') {
  return [
    { guard: and(['isCurrent', 'canRetry']), target: 'retrying', actions: { type: 'scheduleRetry', params: { phase } } },
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
export const agentMachine = setup({
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
        lastError: 'error' in event ? (event as FailureEvent).error : TIMEOUT,
      };
    }),
    recordError: assign({ lastError: ({ event }) => ('error' in event ? (event as FailureEvent).error : TIMEOUT) }),
    recordActFailure: assign({
      outcome: ({ event }) => ({ status: 'failed', error: 'error' in event ? (event as FailureEvent).error : TIMEOUT }) as Outcome,
    }),
  },
  guards: {
    isCurrent: ({ context, event }) => 'step' in event && event.step === phaseStep(context),
    /** The hot path of a rules-only cycle, as one guard rather than `and([...])`. */
    currentWithAction: ({ context, event }) => event.type === 'agent.decide.done' && event.step === phaseStep(context) && event.decision.action !== null,
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
    retryAct: ({ context }) => context.retryPhase === 'act' && context.grant !== null && context.grant.decisionId === context.decision?.id,
  },
  delays: {
    retryDelay: ({ context }) => context.retryDelayMs,
    approvalTimeout: ({ context }) => context.limits.approvalTimeoutMs,
  },
}).createMachine({
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
        'agent.perceive.done': { guard: 'isCurrent', target: 'decide', actions: assign({ facts: ({ event }) => event.facts, attempts: 0 }) },
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
          { guard: 'currentWithAction', target: 'propose', actions: assign({ decision: ({ event }) => event.decision, attempts: 0 }) },
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
            actions: assign({ verdict: ({ event }) => event.verdict, grant: ({ event }) => event.verdict.grant ?? null, attempts: 0 }),
          },
          { guard: and(['isCurrent', 'isPending']), target: 'awaitingApproval', actions: assign({ verdict: ({ event }) => event.verdict, attempts: 0 }) },
          // Denied, or "approved" without a matching approval record: never reaches act.
          {
            guard: 'isCurrent',
            target: 'learn',
            actions: assign({
              verdict: ({ event }) => event.verdict,
              outcome: ({ event }) => ({
                status: 'denied',
                error: { code: 'MANDATE_ERR_PROPOSAL_DENIED', message: `${event.verdict.by}: ${event.verdict.reason}` },
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
          actions: assign({ outcome: { status: 'expired', error: { code: 'MANDATE_ERR_APPROVAL_EXPIRED', message: 'No approver answered in time' } } }),
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
          actions: assign({ outcome: ({ event }) => ({ status: 'rejected', error: { code: 'MANDATE_ERR_APPROVAL_REJECTED', message: event.reason } }) }),
        },
        'governance.approval.expired': {
          guard: 'matchesApproval',
          target: 'learn',
          actions: assign({ outcome: { status: 'expired', error: { code: 'MANDATE_ERR_APPROVAL_EXPIRED', message: 'No approver answered in time' } } }),
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
          { guard: and(['isCurrent', 'canRetry']), target: 'retrying', actions: { type: 'scheduleRetry', params: { phase: 'act' } } },
          { guard: 'isCurrent', target: 'learn', actions: 'recordActFailure' },
        ],
        'agent.act.done': { guard: 'isCurrent', target: 'learn', actions: assign({ outcome: ({ event }) => event.outcome, attempts: 0 }) },
        'agent.act.failed': [
          { guard: and(['isCurrent', 'retryableAct', 'canRetry']), target: 'retrying', actions: { type: 'scheduleRetry', params: { phase: 'act' } } },
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
        'agent.learn.done': [{ guard: and(['isCurrent', 'pauseRequested']), target: 'paused' }, { guard: 'isCurrent', target: 'idle' }],
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
