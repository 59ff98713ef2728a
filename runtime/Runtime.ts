import { randomUUID } from 'node:crypto';
import { createActor, type Actor, type AnyStateMachine, type Snapshot } from 'xstate';
import { GovernancePolicy, ReputationPolicy, SandboxPolicy, type GovernanceConfig, type Proposal, type ReputationChange, type SpendLimits } from '../actors/index.ts';
import { agentMachine, type AgentContext, type AgentInput, type AgentLimits, type Decision, type Outcome, type RestartStrategy, type Verdict } from '../machines/index.ts';
import type { AgentDefinition } from './agents/defineAgent.ts';
import { ApprovalBook } from './ApprovalBook.ts';
import { systemClock, type Clock } from '../kernel/index.ts';
import { DuplicateIdError, UnknownCapabilityError } from './errors.ts';
import { GateBoard } from './GateBoard.ts';
import { AgentHost } from './host/AgentHost.ts';
import { MemoryIntentLog, type IntentLog } from './host/IntentLog.ts';
import { PhaseWatchdog } from './host/PhaseWatchdog.ts';
import type { RuntimeCore } from './host/RuntimeCore.ts';
import { proposeUpChain, settleChain } from './host/proposalChain.ts';
import { StateWriter } from './host/StateWriter.ts';
import { SupervisorHost, type SupervisorEnv } from './host/SupervisorHost.ts';
import type { ApprovalRecord, TransitionEvent } from './inspection/InspectionEvent.ts';
import { InspectionStream } from './inspection/InspectionStream.ts';
import { KillSwitch } from './KillSwitch.ts';
import type { AuditInput, RuntimeStore, SnapshotRow } from './persistence/RuntimeStore.ts';
import { FactBoard } from './scheduler/FactBoard.ts';
import { Scheduler } from './scheduler/Scheduler.ts';
import { wireTriggers } from './scheduler/wireTriggers.ts';

/** Supervision settings of one sandbox group. */
export interface GroupOptions {
  strategy?: RestartStrategy;
  maxRestarts?: number;
  periodMs?: number;
}

/** Options of {@link Runtime}. Everything has a safe default: dry-run, no store, wall clock. */
export interface RuntimeOptions {
  /** `dry-run` (default) performs every step except external effects; `live` must be asked for. */
  mode?: 'dry-run' | 'live';
  clock?: Clock;
  store?: RuntimeStore;
  nodeId?: string;
  governance?: GovernanceConfig;
  groups?: Record<string, GroupOptions>;
  /** Capabilities that may be declared; others are refused at spawn (`MANDATE_ERR_CAPABILITY_UNKNOWN`). */
  capabilityCatalog?: ReadonlyMap<string, string>;
  newId?: () => string;
  random?: () => number;
  /** How many recent transitions to keep for inspection (default 2,000). */
  recentTransitions?: number;
  /** What-if simulation: facts forced after every perceive, by dot path (`gas.gwei: 80`). */
  factOverrides?: Readonly<Record<string, unknown>>;
}

/**
 * The actor system host: a governance supervisor at the root, a reputation
 * supervisor under it, one sandbox supervisor per group under that, and the
 * agents under their sandbox. Hosts the scheduler, kill switch, approvals,
 * gates, write-ahead log and the inspection stream.
 */
export class RuntimeBase implements RuntimeCore, SupervisorEnv {
  readonly mode: 'dry-run' | 'live';
  readonly nodeId: string;
  readonly clock: Clock;
  readonly store: RuntimeStore | undefined;
  readonly inspection = new InspectionStream();
  readonly killSwitch = new KillSwitch();
  readonly gates = new GateBoard();
  readonly facts = new FactBoard();
  readonly scheduler: Scheduler;
  readonly watchdog: PhaseWatchdog;
  readonly approvals: ApprovalBook;
  readonly intents: IntentLog;
  readonly agents = new Map<string, AgentHost>();
  readonly governance: SupervisorHost;
  readonly reputation: SupervisorHost;
  readonly reputationPolicy: ReputationPolicy;
  readonly governancePolicy: GovernancePolicy;
  readonly sandboxes = new Map<string, SupervisorHost>();
  /** Told of every trust score change (the registry publishes them to peers). */
  readonly reputationListeners = new Set<(change: ReputationChange) => void>();
  readonly #recent: Array<TransitionEvent | undefined>;
  #recentNext = 0;
  readonly outcomes: Record<string, number> = {};
  readonly options: RuntimeOptions;
  protected readonly restored = new Map<string, SnapshotRow>();
  protected readonly seeds = new Map<string, Uint8Array>();
  readonly #limits = new WeakMap<AgentDefinition, AgentLimits>();
  readonly #logic = new WeakMap<AgentDefinition, AnyStateMachine>();
  readonly #baseLogic: AnyStateMachine;
  readonly #writer: StateWriter | undefined;

  constructor(options: RuntimeOptions = {}) {
    this.options = options;
    this.#recent = new Array<TransitionEvent | undefined>(options.recentTransitions ?? 2_000);
    this.mode = options.mode ?? 'dry-run';
    this.nodeId = options.nodeId ?? `node-${randomUUID().slice(0, 8)}`;
    this.clock = options.clock ?? systemClock;
    this.store = options.store;
    this.intents = options.store ?? new MemoryIntentLog();
    this.#writer =
      options.store === undefined
        ? undefined
        : new StateWriter(options.store, this.clock, (error) =>
            this.alert('critical', (error as { code?: string }).code ?? 'MANDATE_ERR_STORE', `persisting state failed, will retry: ${(error as Error).message}`),
          );
    this.scheduler = new Scheduler(this.clock);
    this.watchdog = new PhaseWatchdog(this.clock);
    this.approvals = new ApprovalBook(this.clock, (r) => void this.expireApproval(r));
    const limitsOf = (id: string): SpendLimits | undefined => this.agents.get(id)?.def.limits;
    this.reputationPolicy = new ReputationPolicy({
      limitsOf,
      onChange: (c) => {
        for (const listener of this.reputationListeners) listener(c);
        void this.audit({ who: { kind: 'system', id: 'reputation' }, action: 'reputation.changed', subject: c.agentId, where: this.nodeId, why: c.reason, data: { agentId: c.agentId, before: c.before, after: c.after }, at: c.at });
      },
    });
    this.governancePolicy = new GovernancePolicy(options.governance ?? { approvalTimeout: 600_000, rules: [], groupBudgets: {} }, limitsOf);
    this.governance = new SupervisorHost(
      { id: 'governance', role: 'governance', policy: this.governancePolicy, strategy: 'one_for_one', intensity: { maxRestarts: 3, periodMs: 60_000 }, kind: 'permanent' },
      undefined,
      this,
    );
    this.reputation = new SupervisorHost(
      { id: 'reputation', role: 'reputation', policy: this.reputationPolicy, strategy: 'one_for_one', intensity: { maxRestarts: 3, periodMs: 60_000 }, kind: 'permanent' },
      this.governance,
      this,
    );
    this.governance.start();
    this.governance.adopt(this.reputation);
    this.reputation.start();
    this.#baseLogic = agentMachine.provide({
      actions: { startPhase: ({ context }, params) => this.agents.get((context as AgentContext).agentId)?.runPhase(params.phase, context as AgentContext) },
    });
  }

  // ---- RuntimeCore -------------------------------------------------------------------------

  newId(): string {
    return this.options.newId?.() ?? randomUUID();
  }

  overrideFacts(facts: Record<string, unknown>): Record<string, unknown> {
    const overrides = this.options.factOverrides;
    if (overrides === undefined) return facts;
    const out = structuredClone(facts);
    for (const [path, value] of Object.entries(overrides)) {
      const keys = path.split('.');
      let node: Record<string, unknown> = out;
      for (const k of keys.slice(0, -1)) {
        const next = node[k];
        node = (node[k] = next !== null && typeof next === 'object' ? next : {}) as Record<string, unknown>;
      }
      node[keys[keys.length - 1]!] = value;
    }
    return out;
  }

  random32(): number {
    return Math.floor((this.options.random?.() ?? Math.random()) * 0x1_0000_0000) | 0;
  }

  limitsFor(def: AgentDefinition): AgentLimits {
    let l = this.#limits.get(def);
    if (l === undefined) {
      const d = def.limits;
      l = { maxAttempts: d.maxAttempts, baseDelayMs: d.baseDelay, maxDelayMs: d.maxDelay, phaseTimeoutMs: d.phaseTimeout, approvalTimeoutMs: d.approvalTimeout };
      this.#limits.set(def, l);
    }
    return l;
  }

  modeFor(def: AgentDefinition): 'dry-run' | 'live' {
    // An agent can stay in dry-run under a live runtime, never the other way round.
    return this.mode === 'live' && def.mode !== 'dry-run' ? 'live' : 'dry-run';
  }

  createAgentActor(host: AgentHost, input: AgentInput, snapshot?: Snapshot<unknown>): Actor<AnyStateMachine> {
    const logic = this.#logicFor(host.def);
    return createActor(logic, snapshot === undefined ? { id: input.agentId, input, parent: host.parent.actor } : { id: input.agentId, input, parent: host.parent.actor, snapshot });
  }

  #logicFor(def: AgentDefinition & { machine?: AnyStateMachine }): AnyStateMachine {
    if (def.machine === undefined) return this.#baseLogic;
    let logic = this.#logic.get(def);
    if (logic === undefined) {
      logic = def.machine.provide({
        actions: { startPhase: ({ context }: { context: AgentContext }, params: { phase: AgentContext['retryPhase'] }) => this.agents.get(context.agentId)?.runPhase(params.phase!, context) },
      } as never);
      this.#logic.set(def, logic);
    }
    return logic;
  }

  onAgentTransition(host: AgentHost, from: string, to: string, event: string): void {
    this.#writer?.snapshot(host);
    if (to === 'awaitingApproval') this.#deliverEarlyDecision(host);
    if (!this.inspection.active && this.#writer === undefined) return;
    const ctx = host.context;
    const summary: Record<string, unknown> = { cycle: ctx.cycle };
    if (ctx.decision?.action) summary.action = ctx.decision.action.type;
    if (ctx.outcome !== null) summary.outcome = ctx.outcome.status;
    if (ctx.lastError !== null) summary.error = ctx.lastError.code;
    if (ctx.attempts > 0) summary.attempts = ctx.attempts;
    this.#transition({ type: 'transition', actorId: host.id, parentId: host.parent.id, actorKind: 'agent', from, to, event, summary, at: this.clock.now() });
  }

  /**
   * An approver can answer while the agent is still finishing its propose
   * step (the approval is published before the agent waits): the answer is
   * kept in the approval book and handed over as soon as the agent waits.
   */
  #deliverEarlyDecision(host: AgentHost): void {
    const id = host.context.verdict?.approvalId;
    if (id === undefined) return;
    const record = this.approvals.list().find((r) => r.id === id);
    if (record === undefined || record.status === 'pending') return;
    const at = record.decidedAt ?? this.clock.now();
    const by = record.decidedBy ?? { kind: 'system' as const, id: 'governance' };
    queueMicrotask(() => {
      if (record.status === 'approved') host.deliver({ type: 'governance.approval.granted', approvalId: id, by, at });
      else if (record.status === 'rejected') host.deliver({ type: 'governance.approval.rejected', approvalId: id, by, reason: record.decisionReason ?? 'rejected', at });
      else host.deliver({ type: 'governance.approval.expired', approvalId: id, at });
    });
  }

  onSupervisorTransition(host: SupervisorHost, from: string, to: string, event: string): void {
    const ctx = host.actor.getSnapshot().context;
    const summary = { restarts: ctx.restarts.length, lastExit: ctx.lastExit?.childId ?? null };
    this.#transition({ type: 'transition', actorId: host.id, parentId: host.parent?.id, actorKind: 'supervisor', from, to, event, summary, at: this.clock.now() });
    if (to === 'escalated') this.alert('critical', 'MANDATE_ERR_SUPERVISOR_ESCALATED', `${host.id} exceeded its restart intensity and escalates`, host.id);
  }

  onRestart(host: SupervisorHost, failedId: string, restarted: string[], reason: string): void {
    this.alert('warning', 'MANDATE_ERR_ACTOR_CRASHED', `${host.id} restarts ${restarted.join(', ')} (${host.spec.strategy}) after ${failedId} failed: ${reason}`, host.id);
  }

  onEscalatedRoot(host: SupervisorHost): void {
    this.alert('critical', 'MANDATE_ERR_SUPERVISOR_ESCALATED', `root supervisor ${host.id} gave up: every agent is stopped`, host.id);
  }

  onChildEnded(_host: SupervisorHost, childId: string, exit: 'normal' | 'abnormal'): void {
    this.scheduler.remove(childId);
    this.alert('info', 'MANDATE_CHILD_ENDED', `${childId} ended (${exit}) and is not restarted`, childId);
  }

  #transition(e: Omit<TransitionEvent, 'seq'>): void {
    const published = this.inspection.publish(e) as TransitionEvent;
    // A ring: the newest transitions for inspection, at O(1) per transition.
    this.#recent[this.#recentNext] = published;
    this.#recentNext = (this.#recentNext + 1) % this.#recent.length;
    this.#writer?.journal(published);
  }

  /** The most recent transitions, oldest first (optionally of one actor). */
  recentTransitions(actorId?: string): TransitionEvent[] {
    const ring = this.#recent;
    const out: TransitionEvent[] = [];
    for (let i = 0; i < ring.length; i++) {
      const t = ring[(this.#recentNext + i) % ring.length];
      if (t !== undefined && (actorId === undefined || t.actorId === actorId)) out.push(t);
    }
    return out;
  }

  alert(severity: 'info' | 'warning' | 'critical', code: string, message: string, actorId?: string): void {
    const e = { type: 'alert' as const, severity, code, message, at: this.clock.now() };
    this.inspection.publish(actorId === undefined ? e : { ...e, actorId });
  }

  proposeUpChain(host: AgentHost, proposal: Proposal): Promise<Verdict> {
    return proposeUpChain(this, host, proposal);
  }

  settle(host: AgentHost, proposal: Proposal, outcome: Outcome): Promise<void> {
    return settleChain(this, host, proposal, outcome);
  }

  async recordDecision(host: AgentHost, ctx: AgentContext, decision: Decision, verdict: Verdict | null, outcome: Outcome | null): Promise<void> {
    if (this.store === undefined) return;
    const now = this.clock.now();
    await this.store.saveDecision({
      id: decision.id,
      agentId: host.id,
      cycle: ctx.cycle,
      trigger: (ctx.trigger ?? {}) as unknown as Record<string, unknown>,
      facts: ctx.facts ?? {},
      rulesFired: decision.rulesFired,
      rationale: decision.rationale,
      confidence: decision.confidence,
      model: decision.model,
      action: decision.action as unknown as Record<string, unknown> | null,
      verdict: verdict === null ? null : { status: verdict.status, by: verdict.by, reason: verdict.reason, ...(verdict.approvalId === undefined ? {} : { approvalId: verdict.approvalId }) },
      outcome,
      createdAt: ctx.trigger?.at ?? now,
      updatedAt: now,
    });
  }

  async flagForReview(host: AgentHost, decision: Decision, flags: string[]): Promise<void> {
    this.alert('warning', 'MANDATE_REVIEW_FLAGGED', `${host.id} ${decision.action?.type ?? 'decision'} ${decision.id} flagged for review: ${flags.join('; ')}`, host.id);
    await this.audit({ who: { kind: 'agent', id: host.identity.did }, action: 'learn.flagged', subject: decision.id, where: host.def.group, why: flags.join('; '), data: { agentId: host.id, flags }, at: this.clock.now() });
  }

  /** Appends to the audit trail (the store's hash chain when there is one). */
  async audit(entry: AuditInput): Promise<void> {
    await this.store?.appendAudit(entry);
  }

  protected async expireApproval(record: ApprovalRecord): Promise<void> {
    const decided = this.approvals.decide(record.id, 'expired', { kind: 'system', id: 'governance' }, 'no approver answered in time');
    await this.store?.saveApproval(decided);
    this.inspection.publish({ type: 'approval', approval: decided, at: this.clock.now() });
    this.agents.get(record.agentId)?.deliver({ type: 'governance.approval.expired', approvalId: record.id, at: this.clock.now() });
  }

  // ---- spawning ------------------------------------------------------------------------------

  /** The sandbox supervisor of a group, created on first use. */
  sandbox(group: string): SupervisorHost {
    let sup = this.sandboxes.get(group);
    if (sup === undefined) {
      const g = this.options.groups?.[group] ?? {};
      sup = new SupervisorHost(
        {
          id: `sandbox:${group}`,
          role: 'sandbox',
          policy: new SandboxPolicy(group, (id) => this.agents.get(id)?.def.permissions),
          strategy: g.strategy ?? 'one_for_one',
          intensity: { maxRestarts: g.maxRestarts ?? 5, periodMs: g.periodMs ?? 60_000 },
          kind: 'permanent',
        },
        this.reputation,
        this,
      );
      this.reputation.adopt(sup);
      sup.start();
      this.sandboxes.set(group, sup);
    }
    return sup;
  }

  /**
   * Starts an agent under its group's sandbox supervisor, resuming its
   * persisted snapshot and identity when the store has them.
   */
  spawn(def: AgentDefinition): AgentHost {
    if (this.agents.has(def.id)) throw new DuplicateIdError('agent', def.id);
    const catalog = this.options.capabilityCatalog;
    if (catalog !== undefined) for (const c of def.capabilities) if (!catalog.has(c)) throw new UnknownCapabilityError(c, [...catalog.keys()]);
    const sandbox = this.sandbox(def.group);
    const host = new AgentHost(def, this, sandbox, this.seeds.get(def.id));
    this.agents.set(def.id, host);
    sandbox.adopt(host);
    const row = this.restored.get(def.id);
    this.restored.delete(def.id);
    try {
      host.start(row?.snapshot as Snapshot<unknown> | undefined);
    } catch (error) {
      if (row === undefined) throw error;
      // A snapshot this definition cannot resume (its machine changed): start fresh, loudly. The
      // write-ahead intents still guard any effect that was in flight.
      host.halt();
      this.alert('critical', 'MANDATE_ERR_SNAPSHOT_INCOMPATIBLE', `${def.id}: persisted snapshot (state ${row.state}) cannot be resumed by version ${def.version}; started fresh: ${(error as Error).message}`, def.id);
      host.start();
    }
    wireTriggers(this, host);
    return host;
  }

  // ---- persistence ---------------------------------------------------------------------------

  /** Writes queued snapshots and journal entries to the store (no-op without one). */
  async flush(): Promise<void> {
    await this.#writer?.flush();
  }

  /** Whether an agent may start a cycle now. */
  canStart(host: AgentHost): boolean {
    return host.state === 'idle' && !this.killSwitch.covers(host.target);
  }
}
