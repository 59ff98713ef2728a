import { createActor, type Actor } from 'xstate';
import {
  restartSet,
  supervisorMachine,
  type RestartIntensity,
  type RestartKind,
  type RestartStrategy,
  type SupervisorRole,
} from '../../machines/index.ts';
import type { Clock } from '../../kernel/index.ts';
import type { StateChange } from '../host/StateChange.ts';
import { stopActor } from '../host/stopActor.ts';

/** How a supervisor is configured. Its checks on proposals are stages of the proposal pipeline that name its role. */
export interface SupervisorSpec {
  id: string;
  role: SupervisorRole;
  strategy: RestartStrategy;
  intensity: RestartIntensity;
  kind: RestartKind;
}

/** What a supervisor needs of a child (an agent host or a supervisor host) to restart it. */
export interface Supervised {
  readonly id: string;
  restarts: number;
  /** Stops the child's actor without a done event. */
  halt(): void;
  /** Starts a fresh actor for the child under the current parent actor. */
  restart(): void;
}

/** What supervisor hosts report to the runtime. */
export interface SupervisorEnv {
  clock: Clock;
  onSupervisorTransition(host: SupervisorHost, change: StateChange): void;
  onEscalatedRoot(host: SupervisorHost): void;
  onChildEnded(host: SupervisorHost, childId: string, exit: 'normal' | 'abnormal'): void;
  onRestart(host: SupervisorHost, restart: { failedId: string; restarted: string[]; reason: string }): void;
}

/**
 * The runtime side of a supervisor: its XState actor (whose parent is the
 * next supervisor up) and its children in start order. It carries out what
 * the supervisor machine decides: restart one child, all, or the rest; on
 * escalation it stops its children, and its own parent restarts the subtree.
 */
export class SupervisorHost implements Supervised {
  readonly spec: SupervisorSpec;
  readonly parent: SupervisorHost | undefined;
  readonly children = new Map<string, Supervised>();
  actor!: Actor<typeof supervisorMachine>;
  lastState = '';
  restarts = 0;
  readonly #env: SupervisorEnv;

  constructor(spec: SupervisorSpec, parent: SupervisorHost | undefined, env: SupervisorEnv) {
    this.spec = spec;
    this.parent = parent;
    this.#env = env;
  }

  get id(): string {
    return this.spec.id;
  }

  /** Starts the supervisor actor (not its children). */
  start(): void {
    const { id, role, strategy, intensity, kind } = this.spec;
    const input = { id, role, strategy, intensity, kind, clock: this.#env.clock };
    this.actor = createActor(
      supervisorMachine,
      this.parent === undefined ? { id, input, clock: this.#env.clock } : { id, input, parent: this.parent.actor },
    );
    this.lastState = String(this.actor.getSnapshot().value);
    this.actor.subscribe({
      next: (s) => {
        const to = String(s.value);
        if (to === this.lastState) return;
        const from = this.lastState;
        this.lastState = to;
        this.#env.onSupervisorTransition(this, {
          from,
          to,
          event: to === 'running' && from === 'restarting' ? 'xstate.done.actor' : 'supervisor.event',
        });
        if (to === 'escalated') this.#escalate();
      },
      error: () => {},
    });
    // Deferred: the restart must not run inside the transition that reported the exit.
    this.actor.on('supervisor.restart', (e) => queueMicrotask(() => this.restartChildren(e.childId, e.strategy)));
    this.actor.on('supervisor.child.ended', (e) => this.#env.onChildEnded(this, e.childId, e.exit));
    this.actor.start();
  }

  /** Adds a child supervisor or agent host (it is started by the caller). */
  adopt(child: Supervised): void {
    this.children.set(child.id, child);
  }

  /** Carries out a restart decision for `failedId` under `strategy`. */
  restartChildren(failedId: string, strategy: RestartStrategy): void {
    const ids = restartSet(strategy, [...this.children.keys()], failedId);
    const exit = this.actor.getSnapshot().context.lastExit;
    this.#env.onRestart(this, {
      failedId,
      restarted: ids.filter((id) => this.children.has(id)),
      reason: exit?.error?.message ?? 'exit',
    });
    // Stop in reverse start order, start in start order, as OTP does.
    for (const id of [...ids].reverse()) this.children.get(id)?.halt();
    for (const id of ids) {
      const child = this.children.get(id);
      if (child === undefined) continue;
      child.restarts++;
      child.restart();
    }
  }

  /** Stops this supervisor's actor and every descendant (no restarts, no done events). */
  halt(): void {
    for (const child of [...this.children.values()].reverse()) child.halt();
    if (this.parent === undefined) this.actor.stop();
    else stopActor(this.actor);
  }

  /** Restarts this supervisor with fresh state and restarts its subtree under it. */
  restart(): void {
    this.start();
    for (const child of this.children.values()) {
      child.restarts++;
      child.restart();
    }
  }

  #escalate(): void {
    // Our children die with us; our parent (XState relays our done event) restarts the subtree.
    for (const child of [...this.children.values()].reverse()) child.halt();
    if (this.parent === undefined) this.#env.onEscalatedRoot(this);
  }
}
