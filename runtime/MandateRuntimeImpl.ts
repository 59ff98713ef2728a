import type { Principal } from '../machines/index.ts';
import type { ParameterState } from '../actors/index.ts';
import type { ParameterChange } from './learning/Tuning.ts';
import type { AgentDefinition } from './agents/defineAgent.ts';
import type { Clock } from '../kernel/index.ts';
import { composeRuntime, type RuntimeServices } from './composeRuntime.ts';
import type { Gate } from './control/GateBoard.ts';
import type { GateChange } from './control/OperatorCommands.ts';
import type { KillScope } from './control/KillScopes.ts';
import type { AlertRecord, AlertStatus } from './alerts/AlertRecord.ts';
import type { AgentHost, AlertInput } from './host/AgentHost.ts';
import type { ApprovalRecord, InspectionEvent, TransitionEvent } from './inspection/InspectionEvent.ts';
import type {
  AgentDetail,
  AgentSummary,
  CapabilityInfo,
  MandateRuntime,
  ReadinessCheck,
  RuntimeMetrics,
  TaskResult,
  TreeNode,
} from './MandateRuntime.ts';
import { messagingEnvOf } from './messaging/messagingEnvOf.ts';
import { RuntimeMessaging } from './messaging/RuntimeMessaging.ts';
import { agentDetail, agentSummary, capabilityList, passivatedSummary, runtimeMetrics } from './readModels.ts';
import type { KillSwitchState, RuntimeStore } from './persistence/RuntimeStore.ts';
import type { RuntimeChain, RuntimeOptions } from './RuntimeOptions.ts';
import type { ApprovalAnswerInput } from './approvals/Approvals.ts';
import { agentReputationReport, type AgentReputationReport } from './reputation/agentReputation.ts';
import { registerAgent } from './host/registerAgent.ts';
import { drainPhases } from './host/settlePhases.ts';
import { spawnAgent } from './host/spawnAgent.ts';
import type { ClusterView } from './placement/Placement.ts';
import { startPlacement } from './placement/startPlacement.ts';
import { restoreFromStore } from './persistence/restoreFromStore.ts';
import type { AgentVersionInfo, RollbackRequest } from './versions/AgentVersion.ts';
import { AgentVersions } from './versions/AgentVersions.ts';
import { followActiveVersions } from './versions/followActiveVersions.ts';
import type { Retractor } from './control/Retraction.ts';
import { PeriodicJobs } from './metrics/PeriodicJobs.ts';
import type { PriceRevaluation, PriceTick } from './metrics/PositionPrices.ts';

/**
 * The runtime's one face ({@link MandateRuntime}) over its composed services: every method
 * validates and delegates; state lives in the services (see `composeRuntime`). Use
 * `createRuntime` rather than this class.
 */
export class MandateRuntimeImpl implements MandateRuntime {
  readonly #s: RuntimeServices;
  readonly #versions: AgentVersions;
  #started: Promise<void> | undefined;
  readonly #jobs: PeriodicJobs;
  #stopFollowing: (() => void) | undefined;

  constructor(options: RuntimeOptions = {}) {
    const s = (this.#s = composeRuntime(options));
    this.#jobs = new PeriodicJobs(s); // checks the metricSeries settings before anything starts
    const env = { ...s, alert: s.alerts.raise.bind(s.alerts), messaging: () => s.messaging };
    const placed = (id: string) => s.placement?.definitions.get(id);
    this.#versions = new AgentVersions({ ...env, register: (h) => registerAgent(s, h), placed });
  }

  get mode(): 'dry-run' | 'live' {
    return this.#s.mode;
  }
  get nodeId(): string {
    return this.#s.nodeId;
  }
  get clock(): Clock {
    return this.#s.clock;
  }
  get store(): RuntimeStore | undefined {
    return this.#s.options.store;
  }
  get chain(): RuntimeChain | undefined {
    return this.#s.options.chain;
  }
  // ---- lifecycle ----------------------------------------------------------------------------

  start(): Promise<void> {
    this.#started ??= this.#start();
    return this.#started;
  }

  async #start(): Promise<void> {
    const s = this.#s;
    if (s.options.store !== undefined) await restoreFromStore(s, s.options.store);
    if (s.options.messaging !== undefined)
      s.messaging = await RuntimeMessaging.connect(messagingEnvOf(s), s.options.messaging);
    this.#jobs.start();
    if (s.options.placement === undefined) return;
    const register = (host: AgentHost) => registerAgent(s, host);
    s.placement = await startPlacement(s, s.options.placement, { register, resolve: (d) => this.#versions.admit(d) });
    const [versions, alert] = [this.#versions, (a: AlertInput) => this.alert(a)];
    const [agents, active] = [() => s.tree.agents(), () => versions.activeVersions()];
    const follow = { ...s, agents, active, apply: (h: AgentHost) => versions.applyActive(h), alert };
    this.#stopFollowing = followActiveVersions(follow);
  }

  async shutdown(): Promise<void> {
    const s = this.#s;
    s.scheduler.stop();
    s.watchdog.stop();
    s.passivation.stop();
    s.approvals.close();
    this.#stopFollowing?.();
    // Graceful drain: every agent finishes its phase, is snapshotted and its lease released for a peer.
    await s.placement?.close();
    s.placement = undefined;
    // No new cycle starts now; the phases already running finish before the store and messaging close.
    await drainPhases(s.tree.agents(), (a) => this.alert(a));
    await this.#jobs.stop(); // the last interval's metric counts are stored before the store closes
    await s.alertBook.close(2_000);
    await s.tracing?.exporter.close();
    await s.messaging?.close();
    s.messaging = undefined;
    await this.flush();
    await Promise.all([...s.tree.agents()].map(async (h) => h.def.mcpClients?.close()));
    s.tree.halt();
    await s.stakes.close(); // a reputation change (and its stake's slash) of a halted agent's last phase is recorded before the store closes
    await s.options.store?.close();
  }

  async flush(): Promise<void> {
    await this.#s.writer?.flush();
  }

  readiness(): Record<string, ReadinessCheck> {
    const checks: Record<string, ReadinessCheck> = {};
    const [store, messaging] = [this.store, this.#s.messaging];
    if (store !== undefined) checks.database = () => store.ping();
    if (messaging !== undefined) checks.transport = () => messaging.transport.flush();
    return checks;
  }

  // ---- agents -------------------------------------------------------------------------------

  async spawn(def: AgentDefinition): Promise<void> {
    await spawnAgent(this.#s, { def, versions: this.#versions });
    if (def.stake !== undefined) await this.#s.stakes.post(def.id, def.stake);
  }

  agentVersions(agentId: string): Promise<AgentVersionInfo[]> {
    return this.#versions.list(agentId);
  }

  rollback(agentId: string, request: RollbackRequest): Promise<AgentVersionInfo> {
    return this.#versions.rollback(agentId, request);
  }

  agentReputation(agentId: string, options: { limit?: number } = {}): Promise<AgentReputationReport> {
    return agentReputationReport(this.#s, { agentId, limit: options.limit ?? 50 });
  }

  /** Nodes and placements as this node sees them; undefined without placement. */
  cluster(): ClusterView | undefined {
    return this.#s.placement?.placement.view();
  }

  listAgents(): AgentSummary[] {
    const passivated = [...this.#s.passivation.passivated()].map((d) => passivatedSummary(this.#s, d));
    return [...[...this.#s.tree.agents()].map((h) => agentSummary(this.#s, h)), ...passivated];
  }

  getAgent(id: string): AgentDetail | undefined {
    const h = this.#s.tree.get(id);
    return h === undefined ? undefined : agentDetail(this.#s, h);
  }

  tree(): TreeNode {
    return this.#s.tree.view();
  }

  recentTransitions(actorId?: string): TransitionEvent[] {
    return this.#s.journal.recent(actorId);
  }

  capabilities(): CapabilityInfo[] {
    return capabilityList(this.#s);
  }

  metrics(): RuntimeMetrics {
    return runtimeMetrics(this.#s);
  }
  priceUpdate(tick: PriceTick): PriceRevaluation {
    return this.#s.positionPrices.update(tick);
  }

  parameters(agentId: string): Promise<ParameterState[]> {
    return this.#s.tuning.parameters(agentId);
  }
  tuneParameter(agentId: string, change: ParameterChange): Promise<ParameterState> {
    return this.#s.tuning.change(agentId, change);
  }

  // ---- operator commands --------------------------------------------------------------------

  pause(agentId: string, by: Principal, why: string): Promise<void> {
    return this.#s.operator.pause(agentId, by, why);
  }
  resume(agentId: string, by: Principal, why: string): Promise<void> {
    return this.#s.operator.resume(agentId, by, why);
  }
  retry(agentId: string, by: Principal, why: string): Promise<void> {
    return this.#s.operator.retry(agentId, by, why);
  }
  stop(agentId: string, by: Principal, why: string): Promise<void> {
    return this.#s.operator.stop(agentId, by, why);
  }

  trigger(agentId: string, by: Principal, data?: Record<string, unknown>): Promise<boolean> {
    return this.#s.operator.trigger(agentId, by, data);
  }

  send(agentId: string, event: unknown): boolean | Promise<boolean> {
    return this.#s.operator.send(agentId, event);
  }

  setGate(change: GateChange): Promise<void> {
    return this.#s.operator.setGate(change);
  }

  gate(name: string): Gate | undefined {
    return this.#s.gates.get(name);
  }

  // ---- approvals ----------------------------------------------------------------------------

  listApprovals(status?: ApprovalRecord['status']): ApprovalRecord[] {
    return this.#s.approvals.list(status);
  }

  async approve(approvalId: string, by: Principal, answer?: string | ApprovalAnswerInput): Promise<void> {
    await this.#s.approvals.approve(approvalId, by, answer);
  }

  async reject(approvalId: string, by: Principal, reason: string): Promise<void> {
    await this.#s.approvals.reject(approvalId, by, reason);
  }

  // ---- kill switch --------------------------------------------------------------------------

  engageKillSwitch(scope: KillScope, by: Principal, why: string): Promise<void> {
    return this.#s.killSwitch.engage({ scope, by, why });
  }

  addRetractor(name: string, retractor: Retractor): void {
    this.#s.killSwitch.addRetractor(name, retractor);
  }

  releaseKillSwitch(scope: KillScope, by: Principal, why: string): Promise<void> {
    return this.#s.killSwitch.release({ scope, by, why });
  }

  killSwitchState(): KillSwitchState {
    return this.#s.killSwitch.state();
  }

  railKillSwitch(): { isEngaged(agentId: string, capabilities: string[]): boolean } {
    return this.#s.killSwitch.railView();
  }

  // ---- tasks and inspection -----------------------------------------------------------------

  submitTask(capability: string, input: Record<string, unknown>, by: Principal): Promise<TaskResult> {
    return this.#s.tasks.submit({ capability, input, by });
  }

  subscribe(listener: (event: InspectionEvent) => void): () => void {
    return this.#s.inspection.subscribe(listener);
  }

  alert(alert: AlertInput): void {
    this.#s.alerts.raise(alert);
  }

  listAlerts(query?: { status?: AlertStatus; limit?: number }): AlertRecord[] {
    return this.#s.alertBook.list(query);
  }

  acknowledgeAlert(id: string, by: Principal): Promise<AlertRecord> {
    return this.#s.alertBook.acknowledge(id, by);
  }

  // ---- not on the public face ---------------------------------------------------------------
  /**
   * The services behind the face, for this repository's own benchmarks and white-box tests
   * (e.g. `services().tree.get(id)` to read an agent's live context cheaply). Not a public API.
   */
  services(): RuntimeServices {
    return this.#s;
  }
}

/** Creates and starts a runtime (opening its store, restoring state and connecting messaging when configured). */
export async function createRuntime(options: RuntimeOptions = {}): Promise<MandateRuntime> {
  const runtime = new MandateRuntimeImpl(options);
  await runtime.start();
  return runtime;
}
