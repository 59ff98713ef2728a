import type { AnyStateMachine } from 'xstate';
import { agentMachine, type AgentContext, type AgentLimits, type Phase } from '../../machines/index.ts';
import type { AgentDefinition } from '../agents/defineAgent.ts';

/** Starts the work of a phase for the agent with this id (the phase runner, via the tree). */
export type StartPhase = (agentId: string, phase: Phase, context: AgentContext) => void;

/**
 * The machine logic of each agent definition: the stock agent machine, or the designer's own,
 * with its `startPhase` action bound to the phase runner. Made once per definition and shared by
 * its agents, as are the machine-facing limits.
 */
export class AgentLogic {
  readonly #base: AnyStateMachine;
  readonly #startPhase: StartPhase;
  readonly #logic = new WeakMap<AgentDefinition, AnyStateMachine>();
  readonly #limits = new WeakMap<AgentDefinition, AgentLimits>();

  constructor(startPhase: StartPhase) {
    this.#startPhase = startPhase;
    this.#base = agentMachine.provide({
      actions: { startPhase: ({ context }, params) => startPhase(context.agentId, params.phase, context) },
    });
  }

  /** The logic an agent of `def` runs. */
  for(def: AgentDefinition): AnyStateMachine {
    if (def.machine === undefined) return this.#base;
    let logic = this.#logic.get(def);
    if (logic === undefined) {
      const start = this.#startPhase;
      logic = def.machine.provide({
        actions: {
          startPhase: ({ context }: { context: AgentContext }, params: { phase: Phase }) =>
            start(context.agentId, params.phase, context),
        },
      } as never);
      this.#logic.set(def, logic);
    }
    return logic;
  }

  /** The machine-facing limits of `def`. */
  limits(def: AgentDefinition): AgentLimits {
    let l = this.#limits.get(def);
    if (l === undefined) {
      const d = def.limits;
      l = {
        maxAttempts: d.maxAttempts,
        baseDelayMs: d.baseDelay,
        maxDelayMs: d.maxDelay,
        phaseTimeoutMs: d.phaseTimeout,
        approvalTimeoutMs: d.approvalTimeout,
      };
      this.#limits.set(def, l);
    }
    return l;
  }
}
