import { randomBytes } from 'node:crypto';
import type { Actor, AnyStateMachine, Snapshot } from 'xstate';
import type { Proposal } from '../../actors/index.ts';
import { phaseStep, WORKING_STATES, type AgentContext, type AgentEvent, type AgentInput, type Decision, type Outcome, type Phase, type PhaseError as PhaseErr, type Verdict } from '../../machines/index.ts';
import { MandateError } from '../../kernel/index.ts';
import type { AgentDefinition } from '../agents/defineAgent.ts';
import { AgentIdentity } from '../../transport/index.ts';
import type { SupervisorHost } from './SupervisorHost.ts';
import { actPhase } from './actPhase.ts';
import { stopActor } from './stopActor.ts';
import type { RuntimeCore } from './RuntimeCore.ts';

/** Coded, JSON-safe form of anything a phase threw. */
export function toPhaseError(phase: string, error: unknown): PhaseErr {
  if (error instanceof MandateError) return { code: error.code, message: error.message };
  return { code: `MANDATE_ERR_${phase.toUpperCase()}_FAILED`, message: error instanceof Error ? error.message : String(error) };
}

const WORKING: ReadonlySet<string> = new Set(WORKING_STATES);

function isWorking(state: string): state is Phase {
  return WORKING.has(state);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * The runtime side of one agent: its XState actor (whose parent is its sandbox
 * supervisor's actor), its identity, and the work of each phase. The actor
 * decides *what* happens; the host does the I/O and reports back with events.
 * Kept lean: 100,000 of these must fit in one process.
 */
export class AgentHost {
  readonly def: AgentDefinition;
  readonly core: RuntimeCore;
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
  /** Resolvers waiting for a cycle to finish (submitTask). */
  waiters: Array<{ cycle: number; resolve: (ctx: AgentContext) => void }> | undefined;
  /** Deadline of the running phase on the runtime clock (read by the phase watchdog); undefined between phases. */
  phaseDeadline: number | undefined;
  /** Step of the running phase (what its result, or its timeout, must carry). */
  #phaseStep = 0;

  constructor(def: AgentDefinition, core: RuntimeCore, parent: SupervisorHost, seed?: Uint8Array) {
    this.def = def;
    this.core = core;
    this.parent = parent;
    this.#seed = seed;
  }

  /** 32-byte Ed25519 seed, made on first use (idle agents that never sign or get listed carry none). */
  get seed(): Uint8Array {
    this.#seed ??= randomBytes(32);
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
    const input: AgentInput = {
      agentId: this.def.id,
      kind: this.def.restart,
      limits: this.core.limitsFor(this.def),
      seed: this.core.random32(),
      incarnation: this.core.newId(),
    };
    this.actor = this.core.createAgentActor(this, input, snapshot);
    const value = this.actor.getSnapshot().value;
    const top = typeof value === 'string' ? value : Object.keys((value ?? {}) as object)[0];
    if (snapshot !== undefined && (top === undefined || !(top in (this.actor.logic as { root: { states: object } }).root.states))) {
      throw new MandateError('MANDATE_ERR_SNAPSHOT_INCOMPATIBLE', `snapshot state ${JSON.stringify((snapshot as { value?: unknown }).value)} is not a state of this agent's machine`);
    }
    this.lastState = String(value);
    this.actor.subscribe({ next: (s) => this.#onSnapshot(s), error: () => {} });
    this.actor.start();
    if (snapshot !== undefined) this.#resume();
    else if (this.core.killSwitch.covers(this.target)) this.deliver({ type: 'agent.kill' });
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
  get target(): { id: string; group: string; capabilities: readonly string[] } {
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

  #onSnapshot(snapshot: { value: unknown; status: string }): void {
    const to = String(snapshot.value);
    const from = this.lastState;
    if (to === from) return;
    this.lastState = to;
    if (this.phaseDeadline !== undefined && !isWorking(to)) this.phaseDeadline = undefined;
    this.snapshotSeq++;
    if (to === 'failed') this.failures++;
    if (to === 'perceive' && from === 'idle') this.cycles++;
    this.core.onAgentTransition(this, from, to, this.lastEvent ?? 'xstate.after');
    if (this.waiters !== undefined && (to === 'idle' || to === 'paused' || to === 'killed' || to === 'stopped' || to === 'failed')) {
      const ctx = this.context;
      const ready = this.waiters.filter((w) => w.cycle <= ctx.cycle);
      this.waiters = this.waiters.filter((w) => w.cycle > ctx.cycle);
      if (this.waiters.length === 0) this.waiters = undefined;
      for (const w of ready) w.resolve(ctx);
    }
  }

  /** After a restore the phase that was in flight is started again (act goes through reconciliation). */
  #resume(): void {
    const state = this.lastState;
    if (isWorking(state)) {
      this.runPhase(state, this.context);
    } else if (state === 'retrying') {
      this.deliver({ type: 'agent.retry' });
    }
    if (this.core.killSwitch.covers(this.target) && state !== 'killed') this.deliver({ type: 'agent.kill' });
  }

  /**
   * Called by the machine's `startPhase` action. Never throws: failures come back as events. The
   * phase watchdog is told the deadline; the result is delivered only to the actor that asked for
   * it (after a restart the new actor's cycle counter starts again, so its steps could collide).
   */
  runPhase(phase: Phase, ctx: AgentContext): void {
    const step = phaseStep(ctx);
    this.#phaseStep = step;
    this.phaseDeadline = this.core.clock.now() + ctx.limits.phaseTimeoutMs;
    this.core.watchdog.watch(this);
    void this.#run(phase, ctx, step, this.actor);
  }

  /** The watchdog's call: the running phase outlived `limits.phaseTimeoutMs`. */
  phaseTimedOut(): void {
    this.core.alert('warning', 'MANDATE_ERR_PHASE_TIMEOUT', `${this.id} ${this.lastState}: no result within ${this.context.limits.phaseTimeoutMs} ms`, this.id);
    this.deliver({ type: 'agent.phase.timeout', step: this.#phaseStep });
  }

  #report(actor: Actor<AnyStateMachine>, event: AgentEvent): void {
    if (actor === this.actor) this.deliver(event);
  }

  async #run(phase: Phase, ctx: AgentContext, step: number, actor: Actor<AnyStateMachine>): Promise<void> {
    await null; // never report back inside the transition that started the phase
    try {
      switch (phase) {
        case 'perceive':
          return this.#report(actor, { type: 'agent.perceive.done', step, facts: await this.#perceive(ctx) });
        case 'decide':
          return this.#report(actor, { type: 'agent.decide.done', step, decision: await this.#decide(ctx) });
        case 'propose':
          return this.#report(actor, { type: 'agent.propose.done', step, verdict: await this.#propose(ctx) });
        case 'act':
          return this.#report(actor, { type: 'agent.act.done', step, outcome: await actPhase(this, ctx) });
        case 'learn':
          await this.#learn(ctx);
          return this.#report(actor, { type: 'agent.learn.done', step });
      }
    } catch (error) {
      const err = toPhaseError(phase, error);
      this.core.alert('warning', err.code, `${this.id} ${phase}: ${err.message}`, this.id);
      const retryable = !(error instanceof MandateError) || (error.status >= 500 && error.code !== 'MANDATE_ERR_ACT_UNRECONCILED');
      const event = phase === 'act' ? { type: 'agent.act.failed' as const, step, error: err, retryable } : ({ type: `agent.${phase}.failed`, step, error: err } as AgentEvent);
      this.#report(actor, event);
    }
  }

  async #perceive(ctx: AgentContext): Promise<Record<string, unknown>> {
    const trigger = ctx.trigger ?? { kind: 'user', name: 'unknown', at: this.core.clock.now() };
    const facts = await this.def.perceive({ agentId: this.id, now: this.core.clock.now(), trigger: trigger as unknown as Record<string, unknown> });
    if (!isPlainObject(facts)) throw new MandateError('MANDATE_ERR_PERCEIVE_FAILED', `perceive of "${this.id}" returned ${typeof facts}, not a plain object of facts.`);
    const forced = this.core.overrideFacts(facts);
    this.core.facts.publish(forced);
    return trigger.data === undefined ? forced : { ...forced, input: trigger.data };
  }

  async #decide(ctx: AgentContext): Promise<Decision> {
    const draft = await this.def.decide.decide(ctx.facts ?? {});
    if (!isPlainObject(draft) || typeof draft.confidence !== 'number' || typeof draft.rationale !== 'string' || !Array.isArray(draft.rulesFired)) {
      throw new MandateError('MANDATE_ERR_DECIDE_FAILED', `decide of "${this.id}" returned an invalid decision; expected { action, confidence, rationale, rulesFired, model }.`);
    }
    const decision: Decision = { id: `${ctx.incarnation}:${ctx.cycle}`, ...draft };
    await this.core.recordDecision(this, ctx, decision, null, null);
    return decision;
  }

  /** The proposal as it travels up the chain. */
  proposal(ctx: AgentContext): Proposal {
    return {
      agentId: this.id,
      group: this.def.group,
      capabilities: this.def.capabilities,
      decision: ctx.decision!,
      action: ctx.decision!.action!,
      facts: ctx.facts ?? {},
      at: this.core.clock.now(),
    };
  }

  async #propose(ctx: AgentContext): Promise<Verdict> {
    const proposal = this.proposal(ctx);
    const verdict = await this.core.proposeUpChain(this, proposal);
    await this.core.recordDecision(this, ctx, ctx.decision!, verdict, null);
    return verdict;
  }

  async #learn(ctx: AgentContext): Promise<void> {
    const outcome: Outcome = ctx.outcome ?? { status: 'no-action' };
    try {
      if (ctx.decision?.action != null) await this.core.settle(this, this.proposal(ctx), outcome);
      const report = await this.def.learn?.({ agentId: this.id, facts: ctx.facts ?? {}, decision: ctx.decision, outcome });
      if (report?.flags !== undefined && report.flags.length > 0 && ctx.decision !== null) await this.core.flagForReview(this, ctx.decision, report.flags);
    } finally {
      if (ctx.decision !== null) await this.core.recordDecision(this, ctx, ctx.decision, ctx.verdict, outcome);
    }
  }
}
