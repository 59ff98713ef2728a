import { randomUUID } from 'node:crypto';
import { createActor } from 'xstate';
import { GovernancePolicy, ReputationPolicy, type ReputationChange, type SpendLimits } from '../actors/index.ts';
import type { AgentDefinition } from './agents/defineAgent.ts';
import { watchAlertRules } from './alerts/alertConditions.ts';
import { composeObservability, type Observability } from './composeObservability.ts';
import { Approvals } from './approvals/Approvals.ts';
import { codeOf, ErrorCode, systemClock, type Clock } from '../kernel/index.ts';
import { GateBoard } from './control/GateBoard.ts';
import { KillSwitch } from './control/KillSwitch.ts';
import { OperatorCommands } from './control/OperatorCommands.ts';
import { DecisionRecords } from './decisions/DecisionRecords.ts';
import { type AgentEnv, type AlertInput } from './host/AgentHost.ts';
import { AgentLogic } from './host/AgentLogic.ts';
import { MemoryIntentLog, type IntentLog } from './host/IntentLog.ts';
import { PhaseWatchdog } from './host/PhaseWatchdog.ts';
import { StateWriter } from './host/StateWriter.ts';
import { TransitionJournal } from './journal/TransitionJournal.ts';
import { overrideFacts } from './overrideFacts.ts';
import type { RuntimeMessaging } from './messaging/RuntimeMessaging.ts';
import type { RunningPlacement } from './placement/startPlacement.ts';
import type { AuditInput } from './persistence/RuntimeStore.ts';
import type { PhaseEnv } from './phases/PhaseEnv.ts';
import { onReputationChange } from './reputation/onReputationChange.ts';
import { StakeLedger } from './reputation/StakeLedger.ts';
import type { ReputationEvent } from './persistence/ReputationEvent.ts';
import { reportSandboxViolation } from './phases/reportSandboxViolation.ts';
import { PhaseRunner } from './phases/PhaseRunner.ts';
import { proposalOf } from './phases/proposalOf.ts';
import type { ProposalPipeline } from './proposals/ProposalPipeline.ts';
import { composePipeline } from './composePipeline.ts';
import type { RuntimeOptions } from './RuntimeOptions.ts';
import { FactBoard } from './scheduler/FactBoard.ts';
import { Scheduler } from './scheduler/Scheduler.ts';
import { Triggers } from './scheduler/Triggers.ts';
import { supervisorEnvOf } from './supervision/supervisorEnvOf.ts';
import { Passivation } from './passivation/Passivation.ts';
import { passivationOptions } from './passivation/passivationOptions.ts';
import { SupervisionTree } from './supervision/SupervisionTree.ts';
import { Tasks } from './tasks/Tasks.ts';
import { Tuning } from './learning/Tuning.ts';

/** The runtime's services, composed: who depends on whom is written once, here. */
export interface RuntimeServices extends Readonly<Omit<Observability, 'onAgentTransition'>> {
  readonly options: RuntimeOptions;
  readonly mode: 'dry-run' | 'live';
  readonly nodeId: string;
  readonly clock: Clock;
  audit(entry: AuditInput): Promise<void>;
  readonly writer: StateWriter | undefined;
  readonly journal: TransitionJournal;
  readonly killSwitch: KillSwitch;
  readonly gates: GateBoard;
  readonly facts: FactBoard;
  readonly scheduler: Scheduler;
  readonly watchdog: PhaseWatchdog;
  readonly tree: SupervisionTree;
  readonly triggers: Triggers;
  readonly pipeline: ProposalPipeline;
  readonly approvals: Approvals;
  readonly decisions: DecisionRecords;
  readonly operator: OperatorCommands;
  readonly tasks: Tasks;
  readonly phases: PhaseRunner;
  /** The tuners of the agents whose rules declare tunable parameters. */
  readonly tuning: Tuning;
  /** The write-ahead log of effects (the store's, or in memory without one). */
  readonly intents: IntentLog;
  readonly reputation: ReputationPolicy;
  /** Agents' stakes; it also records every reputation change, a slash with the stake's slash. */
  readonly stakes: StakeLedger;
  readonly governance: GovernancePolicy;
  /** Told of every trust score change (messaging publishes them to the registry). */
  readonly reputationListeners: Set<(change: ReputationChange) => void>;
  modeFor(def: AgentDefinition): 'dry-run' | 'live';
  /** Signed messaging, once `start()` connected it (when `options.messaging` asks for it). */
  messaging: RuntimeMessaging | undefined;
  /** Passivated agents (`passivation:`): snapshot in the store, no actor in memory, reactivated on demand. */
  readonly passivation: Passivation;
  /** Placement across nodes, once `start()` started it (when `options.placement` asks for it). */
  placement: RunningPlacement | undefined;
}

/**
 * Builds every service of a runtime from its options and wires them together. The services
 * reach each other only through the narrow dependencies they declare; this is the one place
 * that knows the whole graph (see docs/architecture.md).
 */
export function composeRuntime(options: RuntimeOptions): RuntimeServices {
  const mode = options.mode ?? 'dry-run';
  const nodeId = options.nodeId ?? `node-${randomUUID().slice(0, 8)}`;
  const clock = options.clock ?? systemClock;
  const store = options.store;
  const audit = async (entry: AuditInput): Promise<void> => void (await store?.appendAudit(entry));
  const obs = composeObservability(options, { nodeId, clock, audit });
  const { inspection, alerts, tracing } = obs;
  const alert = (a: AlertInput): void => void alerts.raise(a);
  const writer =
    store === undefined
      ? undefined
      : new StateWriter(store, clock, (error) =>
          alert({
            severity: 'critical',
            code: codeOf(error, ErrorCode.MANDATE_ERR_STORE),
            message: `persisting state failed, will retry: ${(error as Error).message}`,
          }),
        );
  const tracer = tracing?.tracer;
  const traceOf = tracer === undefined ? undefined : (id: string) => tracer.traceIdOf(id);
  const journal = new TransitionJournal({
    inspection,
    writer,
    clock,
    size: options.recentTransitions ?? 2_000,
    traceOf,
  });
  const [gates, facts] = [new GateBoard(), new FactBoard()];
  const { prefetchMs, warmBytes } = passivationOptions(options.passivation);
  const ahead = { ms: store === undefined ? 0 : prefetchMs, notify: (id: string) => late.passivation.prefetch(id) };
  const scheduler = new Scheduler(clock, ahead);
  const watchdog = new PhaseWatchdog(clock);
  const modeFor = (def: AgentDefinition): 'dry-run' | 'live' =>
    mode === 'live' && def.mode !== 'dry-run' ? 'live' : 'dry-run'; // an agent may stay in dry-run under a live runtime, never the other way round

  // Late-bound: the tree needs the agent env, whose callbacks reach services built after it.
  const late = {} as {
    tree: SupervisionTree;
    approvals: Approvals;
    tasks: Tasks;
    phases: PhaseRunner;
    passivation: Passivation;
  };
  const limitsOf = (id: string): SpendLimits | undefined => late.tree.get(id)?.def.limits;
  const reputationListeners = new Set<(change: ReputationChange) => void>();
  const stakes = new StakeLedger({ store: store?.stakes, reputation: store?.reputation, clock, nodeId, audit, alert });
  const record = (event: ReputationEvent, c: ReputationChange, audit: AuditInput) =>
    stakes.recordChange(event, { violation: c.violation, audit });
  const reputation = new ReputationPolicy({
    limitsOf,
    now: () => clock.now(),
    onChange: onReputationChange({ listeners: reputationListeners, alert, nodeId, record }),
  });
  const governance = new GovernancePolicy(
    options.governance ?? { approvalTimeout: 600_000, rules: [], groupBudgets: {} },
    limitsOf,
  );
  const killSwitch = new KillSwitch({
    nodeId,
    clock,
    store,
    audit,
    alert,
    agents: () => late.tree.agents(),
    agent: (id) => late.tree.get(id),
  });

  const logic = new AgentLogic((agentId, phase, context) => {
    const host = late.tree.get(agentId);
    if (host !== undefined) late.phases.start(host, phase, context);
  });
  const random = options.random ?? Math.random;
  const agentEnv: AgentEnv = {
    clock,
    newId: options.newId ?? randomUUID,
    random32: () => Math.floor(random() * 0x1_0000_0000) | 0,
    limitsFor: (def) => logic.limits(def),
    killed: (target) => killSwitch.covers(target),
    createActor: (host, input, snapshot) =>
      createActor(
        logic.for(host.def),
        snapshot === undefined
          ? { id: input.agentId, input, parent: host.parent.actor }
          : { id: input.agentId, input, parent: host.parent.actor, snapshot },
      ),
    startPhase: (host, phase, context) => late.phases.start(host, phase, context),
    onTransition: (host, change) => {
      obs.onAgentTransition(host, change);
      journal.agent(host, change);
      if (change.to === 'awaitingApproval') late.approvals.onAgentWaiting(host);
      late.tasks.onTransition(host, change.to);
      late.passivation.onTransition(host, change.to);
    },
    alert,
  };
  const triggers = new Triggers({
    scheduler,
    facts,
    gates,
    clock,
    killed: (target) => killSwitch.covers(target),
    agents: { get: (id) => late.tree.get(id) },
    dormant: { definition: (id) => late.passivation.definition(id), wake: (id) => late.passivation.wake(id) },
    alert,
    timeTriggers: options.timeTriggers ?? true,
  });
  const supervisorEnv = supervisorEnvOf({ clock, journal, unwire: (id) => triggers.unwire(id), alert });
  const tree = new SupervisionTree({
    agentEnv,
    supervisorEnv,
    groups: options.groups,
    capabilityCatalog: options.capabilityCatalog,
    alert,
  });
  const passivation = new Passivation({ clock, store, writer, tree, alert, prefetchMs, warmBytes });
  const approvals = new Approvals({
    clock,
    store,
    audit,
    alert,
    publish: (approval) => void inspection.publish({ type: 'approval', approval, at: clock.now() }),
    agent: (id) => tree.get(id),
    proposalOf: (host) => proposalOf(host, host.context, clock.now()),
    reserve: (proposal, reason) => governance.reserve(proposal, reason),
    live: (host) => modeFor(host.def) === 'live',
    killed: (host) => killSwitch.covers(host.target),
  });
  killSwitch.addRetractor('safe-proposals', (covers) =>
    approvals.retract(covers, { kind: 'system', id: 'kill-switch' }, 'engaged'),
  );
  watchAlertRules(obs.alertBook, { governance, approvals });
  const pipeline = composePipeline({
    options,
    tree,
    reputation,
    governance,
    approvals,
    obs,
    modeFor,
    env: { clock, audit, alert, nodeId },
  });
  const decisions = new DecisionRecords({
    store,
    clock,
    audit,
    alert,
    ...(traceOf === undefined ? {} : { traceIdOf: traceOf }),
  });
  const intents: IntentLog = store ?? new MemoryIntentLog();
  const tuning = new Tuning({
    clock,
    store,
    audit,
    alert,
    agent: async (id) => tree.get(id) ?? (await late.passivation.wake(id)),
  });
  const phaseEnv: PhaseEnv = {
    clock,
    facts,
    overrideFacts: (f) => overrideFacts(f, options.factOverrides),
    decisions,
    pipeline,
    intents,
    killed: (target) => killSwitch.covers(target),
    modeFor,
    alert,
    signaturesOf: async (approvalId) => (await approvals.lookup(approvalId))?.signatures,
    review: async (host, item) => void (await approvals.openReview(host, item)),
    ...(tracer === undefined ? {} : { span: (agentId, span) => tracer.span(agentId, span) }),
    sandboxViolation: (host, phase, error) =>
      reportSandboxViolation({ audit, alert, reputation, clock, nodeId }, { host, phase, error }),
    afterLearn: (host, decision, outcome) => tuning.afterLearn(host, decision, outcome),
  };
  const phases = new PhaseRunner(phaseEnv, watchdog);
  const tasks = new Tasks({ clock, agents: () => tree.agents(), triggers, audit, dormant: passivation });
  Object.assign(late, { tree, approvals, tasks, phases, passivation });
  const operator = new OperatorCommands({ nodeId, clock, tree, triggers, gates, audit, dormant: passivation });
  return {
    ...obs,
    options,
    mode,
    nodeId,
    clock,
    audit,
    writer,
    journal,
    killSwitch,
    gates,
    facts,
    scheduler,
    watchdog,
    tree,
    triggers,
    pipeline,
    approvals,
    decisions,
    operator,
    tasks,
    phases,
    tuning,
    passivation,
    intents,
    reputation,
    stakes,
    governance,
    reputationListeners,
    modeFor,
    messaging: undefined,
    placement: undefined,
  };
}
