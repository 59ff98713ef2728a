import { randomBytes } from 'node:crypto';
import type { Actor, AnyStateMachine, Snapshot } from 'xstate';
import {
  WORKING_STATES,
  type AgentContext,
  type AgentEvent,
  type AgentInput,
  type AgentLimits,
  type Phase,
} from '../../machines/index.ts';
import { ErrorCode } from '../../kernel/index.ts';
import { SnapshotIncompatibleError } from '../errors.ts';
import { AgentIdentity } from '../../transport/index.ts';
import type { AgentDefinition } from '../agents/defineAgent.ts';
import type { KillTarget } from '../control/KillScopes.ts';
import type { SupervisorHost, Supervised } from '../supervision/SupervisorHost.ts';
import type { StateChange } from './StateChange.ts';
import { stopActor } from './stopActor.ts';

/** Severity of an operator alert. */
export type AlertSeverity = 'info' | 'warning' | 'critical';

/** One alert to raise: how urgent, its stable code (docs/errors.md), what happened, and the actor it is about. */
export interface AlertInput {
  severity: AlertSeverity;
  code: ErrorCode;
  message: string;
  /** The agent or supervisor the alert is about, if any. */
  actorId?: string;
}

/**
 * What an agent host needs from the runtime around it: nothing more. The composition root
 * (`composeRuntime`) implements it; tests can implement it directly.
 */
export interface AgentEnv {
  readonly clock: { now(): number };
  /** A fresh id (the actor's incarnation). */
  newId(): string;
  /** A 32-bit seed for the actor's jitter PRNG. */
  random32(): number;
  /** The machine-facing limits of a definition (shared by its agents, not copied per agent). */
  limitsFor(def: AgentDefinition): AgentLimits;
  /** Whether the kill switch covers this agent now. */
  killed(target: KillTarget): boolean;
  /** Creates the agent's actor (its logic, its parent's actor, an optional snapshot to resume). */
  createActor(host: AgentHost, input: AgentInput, snapshot?: Snapshot<unknown>): Actor<AnyStateMachine>;
  /** Starts the work of a phase (after a restore; during a cycle the machine's `startPhase` action does it). */
  startPhase(host: AgentHost, phase: Phase, context: AgentContext): void;
  /** Told of every state change: journal, snapshots, approvals waiting, tasks waiting. */
  onTransition(host: AgentHost, change: StateChange): void;
  alert(alert: AlertInput): void;
}

const WORKING: ReadonlySet<string> = new Set(WORKING_STATES);

/** Whether `state` is one of the phases a host runs work for. */
export function isWorking(state: string): state is Phase {
  return WORKING.has(state);
}

/**
 * The runtime side of one agent: its XState actor (whose parent is its sandbox supervisor's
 * actor), its identity, and a few counters. The actor decides *what* happens; the phase runner
 * does the I/O and reports back with events. Kept lean: 100,000 of these must fit in one process.
 */
export class AgentHost implements Supervised {
  readonly def: AgentDefinition;
  readonly #env: AgentEnv;
  parent: SupervisorHost;
  actor!: Actor<AnyStateMachine>;
  #seed: Uint8Array | undefined;
  #identity: AgentIdentity | undefined;
  lastState = '';
  lastEvent: string | undefined;
  snapshotSeq = 0;
  restarts = 0;
  failures = 0;
  /** Cycles started across restarts (the machine's own counter starts again at each spawn). */
  cycles = 0;
  /** The closed gate the last trigger waited on (to alert once per change). */
  blockedBy: string | undefined;
  /** Deadline of the running phase on the runtime clock (read by the phase watchdog); undefined between phases. */
  phaseDeadline: number | undefined;
  /** Step of the running phase (what its result, or its timeout, must carry). */
  phaseStep = 0;
  /** Phase errors (entries to `retrying`) plus failed cycles, for the health score. */
  errors = 0;
  /** Time spent in phases (ms) and how many ran, for the health score's latency. */
  phaseMs = 0;
  phasesRun = 0;
  #phaseStart = 0;
  /** The stored definition version it runs (runtime/versions), once recorded. */
  version: { number: number; hash: string; label: string } | undefined;
  /** The fencing token of the lease this node runs the agent under (placement); carried into its intents and snapshots. */
  fence: number | undefined;

  constructor({
    def,
    env,
    parent,
    seed,
  }: {
    def: AgentDefinition;
    env: AgentEnv;
    parent: SupervisorHost;
    /** 32-byte Ed25519 seed of the agent's identity (restored); made on first use when absent. */
    seed?: Uint8Array;
  }) {
    this.def = def;
    this.#env = env;
    this.parent = parent;
    this.#seed = seed;
  }

  /** 32-byte Ed25519 seed, made on first use (idle agents that never sign or get listed carry none). */
  get seed(): Uint8Array {
    this.#seed ??= randomBytes(32);
    return this.#seed;
  }

  /** The seed if one was given or made (a passivated agent keeps it without making one). */
  get storedSeed(): Uint8Array | undefined {
    return this.#seed;
  }

  get id(): string {
    return this.def.id;
  }

  get identity(): AgentIdentity {
    this.#identity ??= AgentIdentity.fromSeed(this.seed);
    return this.#identity;
  }

  /** Starts (or restarts) the actor; `snapshot` resumes a persisted one. */
  start(snapshot?: Snapshot<unknown>): void {
    const env = this.#env;
    const input: AgentInput = {
      agentId: this.def.id,
      kind: this.def.restart,
      limits: env.limitsFor(this.def),
      seed: env.random32(),
      incarnation: env.newId(),
    };
    this.actor = env.createActor(this, input, snapshot);
    const value: unknown = this.actor.getSnapshot().value;
    const top = typeof value === 'string' ? value : Object.keys(value ?? {})[0];
    if (
      snapshot !== undefined &&
      (top === undefined || !(top in (this.actor.logic as { root: { states: object } }).root.states))
    ) {
      throw new SnapshotIncompatibleError(
        `snapshot state ${JSON.stringify((snapshot as { value?: unknown }).value)} is not a state of this agent's machine`,
      );
    }
    this.lastState = String(value);
    this.actor.subscribe(new AgentHost.#Observer(this));
    this.actor.start();
    if (snapshot !== undefined) this.#resume();
    else if (env.killed(this.target)) this.deliver({ type: 'agent.kill' });
  }

  /** Stops the actor without a done event (its supervisor is restarting it or going down). */
  halt(): void {
    this.phaseDeadline = undefined;
    stopActor(this.actor);
  }

  /** Starts a fresh actor (new incarnation, same identity) under the current parent actor. */
  restart(): void {
    this.halt();
    this.start();
  }

  /** The kill switch's view of this agent. */
  get target(): KillTarget {
    return { id: this.def.id, group: this.def.group, capabilities: this.def.capabilities };
  }

  get context(): AgentContext {
    return this.actor.getSnapshot().context as AgentContext;
  }

  get state(): string {
    return this.lastState;
  }

  /** Sends an event to the actor, remembering its type for the transition stream. */
  deliver(event: AgentEvent): void {
    this.lastEvent = event.type;
    this.actor.send(event);
    this.lastEvent = undefined;
  }

  /** The watchdog's call: the running phase outlived `limits.phaseTimeoutMs`. */
  phaseTimedOut(): void {
    this.#env.alert({
      severity: 'warning',
      code: ErrorCode.MANDATE_ERR_PHASE_TIMEOUT,
      message: `${this.id} ${this.lastState}: no result within ${this.context.limits.phaseTimeoutMs} ms`,
      actorId: this.id,
    });
    this.deliver({ type: 'agent.phase.timeout', step: this.phaseStep });
  }

  /**
   * The actor's observer: its methods live on one prototype, so a host pays for no closures of its
   * own (an idle agent is mostly its actor; 10⁵ of them should not carry two functions each).
   * Errors are the supervisor's business (the machine's failure states), not the observer's.
   */
  static readonly #Observer = class {
    readonly #host: AgentHost;
    constructor(host: AgentHost) {
      this.#host = host;
    }
    next(snapshot: { value: unknown; status: string }): void {
      this.#host.#onSnapshot(snapshot);
    }
    error(): void {}
  };

  #onSnapshot(snapshot: { value: unknown; status: string }): void {
    const to = String(snapshot.value);
    const from = this.lastState;
    if (to === from) return;
    this.lastState = to;
    if (this.phaseDeadline !== undefined && !isWorking(to)) this.phaseDeadline = undefined;
    this.snapshotSeq++;
    const now = this.#env.clock.now();
    if (isWorking(from)) {
      this.phaseMs += now - this.#phaseStart;
      this.phasesRun++;
    }
    if (isWorking(to)) this.#phaseStart = now;
    if (to === 'failed') this.failures++;
    if (to === 'failed' || to === 'retrying') this.errors++;
    if (to === 'perceive' && from === 'idle') this.cycles++;
    this.#env.onTransition(this, { from, to, event: this.lastEvent ?? 'xstate.after' });
  }

  /** After a restore the phase that was in flight is started again (act goes through reconciliation). */
  #resume(): void {
    const state = this.lastState;
    if (isWorking(state)) this.#env.startPhase(this, state, this.context);
    else if (state === 'retrying') this.deliver({ type: 'agent.retry' });
    if (this.#env.killed(this.target) && state !== 'killed') this.deliver({ type: 'agent.kill' });
  }
}
