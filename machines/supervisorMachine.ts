import { assign, emit, setup } from 'xstate';
import { ErrorCode, type Clock } from '../kernel/index.ts';
import type { AgentOutput } from './agentMachine.ts';
import { recordRestart, shouldRestart, type RestartIntensity, type RestartStrategy } from './supervision.ts';
import type { PhaseError, RestartKind } from './types.ts';

/** The three supervisor roles; an agent's proposals travel sandbox → reputation → governance. */
export type SupervisorRole = 'governance' | 'reputation' | 'sandbox';

/** What a supervisor actor is started with. */
export interface SupervisorInput {
  id: string;
  role: SupervisorRole;
  strategy: RestartStrategy;
  intensity: RestartIntensity;
  /** How this supervisor is restarted by its own parent. */
  kind: RestartKind;
  clock: Pick<Clock, 'now'>;
}

/** A supervisor's state: intensity bookkeeping and proposal counters (children live in the runtime host). */
export interface SupervisorContext extends Omit<SupervisorInput, 'clock'> {
  clock: Pick<Clock, 'now'>;
  restarts: number[];
  proposals: number;
  denied: number;
  lastExit: { childId: string; exit: 'normal' | 'abnormal'; error?: PhaseError } | null;
}

/** Events a supervisor accepts. `xstate.done.actor.*` / `xstate.error.actor.*` come from its children. */
export type SupervisorEvent =
  | { type: `xstate.done.actor.${string}`; output: AgentOutput | SupervisorOutput }
  | { type: `xstate.error.actor.${string}`; error: unknown }
  | {
      type: 'supervisor.proposal.checked';
      agentId: string;
      decisionId: string;
      status: 'approved' | 'denied' | 'pending';
      reason: string;
    }
  | { type: 'supervisor.stop' };

/** Emitted for the runtime host, which owns the child actors and applies the strategy. */
export type SupervisorEmitted =
  | { type: 'supervisor.restart'; childId: string; strategy: RestartStrategy }
  | { type: 'supervisor.child.ended'; childId: string; exit: 'normal' | 'abnormal' }
  | { type: 'supervisor.escalated'; childId: string; restarts: number };

/** How a supervisor ended; its own parent treats it like any child's exit. */
export interface SupervisorOutput {
  exit: 'normal' | 'abnormal';
  kind: RestartKind;
  error?: PhaseError;
}

function childIdOf(type: string): string {
  // `xstate.done.actor.<id>` / `xstate.error.actor.<id>`; ids may contain dots.
  return type.slice('xstate.done.actor.'.length);
}

function exitOf(event: SupervisorEvent): {
  childId: string;
  exit: 'normal' | 'abnormal';
  kind: RestartKind;
  error?: PhaseError;
} {
  if (event.type.startsWith('xstate.done.actor.')) {
    const output = (event as { output: AgentOutput | SupervisorOutput }).output;
    const result = { childId: childIdOf(event.type), exit: output.exit, kind: output.kind };
    return output.error === undefined ? result : { ...result, error: output.error };
  }
  const error = (event as { error: unknown }).error;
  // An actor that threw is a crash; its kind is unknown here, so treat it as permanent.
  return {
    childId: childIdOf(event.type),
    exit: 'abnormal',
    kind: 'permanent',
    error: {
      code: ErrorCode.MANDATE_ERR_ACTOR_CRASHED,
      message: error instanceof Error ? error.message : String(error),
    },
  };
}

const ESCALATED: PhaseError = {
  code: ErrorCode.MANDATE_ERR_SUPERVISOR_ESCALATED,
  message: 'restart intensity exceeded: its children failed more often than its restart limits allow',
};

/**
 * A supervisor in the Erlang/OTP sense, as an XState actor that is the parent
 * of its children. It decides whether an exited child is restarted (by kind)
 * and whether the restart intensity is exceeded, in which case it ends
 * abnormally and so escalates to its own parent. The runtime host, listening
 * to its emitted events, stops and starts the actual child actors.
 */
export const supervisorMachine = setup({
  types: {
    context: {} as SupervisorContext,
    events: {} as SupervisorEvent,
    input: {} as SupervisorInput,
    output: {} as SupervisorOutput,
    emitted: {} as SupervisorEmitted,
  },
  guards: {
    needsRestart: ({ event }) => {
      const e = exitOf(event);
      return shouldRestart(e.kind, e.exit);
    },
    intensityExceeded: ({ context }) =>
      recordRestart(context.restarts, context.clock.now(), context.intensity).exceeded,
  },
}).createMachine({
  id: 'supervisor',
  initial: 'running',
  context: ({ input }) => ({ ...input, restarts: [], proposals: 0, denied: 0, lastExit: null }),
  output: ({ context }) =>
    context.lastExit === null || context.lastExit.exit === 'normal'
      ? { exit: 'normal', kind: context.kind }
      : { exit: 'abnormal', kind: context.kind, error: ESCALATED },
  states: {
    running: {
      on: {
        'xstate.done.actor.*': [
          { guard: 'needsRestart', target: 'restarting' },
          {
            actions: emit(({ event }) => ({
              type: 'supervisor.child.ended' as const,
              childId: exitOf(event).childId,
              exit: exitOf(event).exit,
            })),
          },
        ],
        'xstate.error.actor.*': { target: 'restarting' },
        'supervisor.proposal.checked': {
          actions: assign({
            proposals: ({ context }) => context.proposals + 1,
            denied: ({ context, event }) => context.denied + (event.status === 'denied' ? 1 : 0),
          }),
        },
        'supervisor.stop': { target: 'stopped' },
      },
    },
    // An eventless step that records the exit and decides: restart (back to running) or escalate.
    // It passes within one macrostep, so the runtime reports restarts from the emitted event.
    restarting: {
      entry: assign({ lastExit: ({ event }) => exitOf(event) }),
      always: [
        {
          guard: 'intensityExceeded',
          target: 'escalated',
          actions: [
            assign({
              restarts: ({ context }) =>
                recordRestart(context.restarts, context.clock.now(), context.intensity).history,
            }),
            emit(({ context }) => ({
              type: 'supervisor.escalated' as const,
              childId: context.lastExit?.childId ?? '',
              restarts: context.restarts.length,
            })),
          ],
        },
        {
          target: 'running',
          actions: [
            assign({
              restarts: ({ context }) =>
                recordRestart(context.restarts, context.clock.now(), context.intensity).history,
            }),
            emit(({ context }) => ({
              type: 'supervisor.restart' as const,
              childId: context.lastExit?.childId ?? '',
              strategy: context.strategy,
            })),
          ],
        },
      ],
    },
    escalated: { type: 'final' },
    stopped: { type: 'final', entry: assign({ lastExit: null }) },
  },
});

/** The supervisor machine's type. */
export type SupervisorMachine = typeof supervisorMachine;
