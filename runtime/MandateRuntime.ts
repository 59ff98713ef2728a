import type { Principal } from '../machines/index.ts';
import type { ParameterState } from '../actors/index.ts';
import type { ParameterChange } from './learning/Tuning.ts';
import type { AgentDefinition } from './agents/defineAgent.ts';
import type { AgentVersionInfo, RollbackRequest } from './versions/AgentVersion.ts';
import type { HealthScore } from './health/healthScore.ts';
import type { AgentReputation, AgentReputationReport } from './reputation/agentReputation.ts';
import type { Clock } from '../kernel/index.ts';
import type { Gate } from './control/GateBoard.ts';
import type { GateChange } from './control/OperatorCommands.ts';
import type { ApprovalAnswerInput } from './approvals/Approvals.ts';
import type { Retractor } from './control/Retraction.ts';
import type { RuntimeChain } from './chain/RuntimeChain.ts';
import type { ClusterView } from './placement/Placement.ts';
import type { KillScope } from './control/KillScopes.ts';
import type { AlertRecord, AlertStatus } from './alerts/AlertRecord.ts';
import type { AlertInput } from './host/AgentHost.ts';
import type { FamilySnapshot } from './metrics/MetricFamily.ts';
import type { PriceRevaluation, PriceTick } from './metrics/PositionPrices.ts';
import type { AgentTrend } from './metrics/AgentTrends.ts';
import type { ApprovalRecord, InspectionEvent, TransitionEvent } from './inspection/InspectionEvent.ts';
import type { DecisionOutcome, KillSwitchState, PolicyVerdict, RuntimeStore } from './persistence/RuntimeStore.ts';

/** One agent as operators see it. */
export interface AgentSummary {
  id: string;
  /** The node hosting the agent (this one: a node lists the agents it runs). */
  node: string;
  did: string;
  capabilities: string[];
  state: string;
  parentId: string;
  group: string;
  /** Gates it runs only while open. */
  dependsOn: string[];
  reputation: number;
  /** 0–100 from error rate, phase latency, reputation and sandbox CPU use, with its components (docs/health.md). */
  health: HealthScore;
  /** The stored definition version it runs (`GET /api/agents/:id/versions` lists them all). */
  version?: { number: number; hash: string; label: string };
  mode: 'dry-run' | 'live';
  paused: boolean;
  killed: boolean;
  cycle: number;
  /** Cycles started across restarts. */
  cycles: number;
  restarts: number;
  failures: number;
  /** The agent's own account on the runtime's chain (CAIP-2 chain id and address), when it has one. */
  wallet?: { chain: string; address: string };
}

/** A machine's states and transitions, for drawing. */
export interface MachineGraph {
  id: string;
  initial: string;
  states: Array<{
    path: string;
    type: 'atomic' | 'compound' | 'final';
    transitions: Array<{ event: string; targets: string[] }>;
  }>;
}

/** An agent with its context, machine and recent transitions. */
export interface AgentDetail extends AgentSummary {
  /** The reputation's dimensions, limit factor and standing (docs/reputation.md); `reputation` is its overall score. */
  reputationScore: AgentReputation;
  context: Record<string, unknown>;
  machine: MachineGraph;
  recent: TransitionEvent[];
}

/** A node of the supervision tree. */
export interface TreeNode {
  id: string;
  kind: 'supervisor' | 'agent';
  role?: 'governance' | 'reputation' | 'sandbox';
  state: string;
  children: TreeNode[];
}

/** The result of a task submitted for a capability (by an operator, an MCP client or a peer). */
export interface TaskResult {
  decisionId: string;
  agentId: string;
  verdict: PolicyVerdict | null;
  outcome: DecisionOutcome | null;
}

/** Counters for `/metrics`. */
export interface RuntimeMetrics {
  /** Per agent; `health` is the health score (docs/health.md). */
  agents: Array<{ id: string; cycles: number; failures: number; restarts: number; state: string; health: number }>;
  approvalsPending: number;
  /** Payments (`payment.send` actions only) by status, dry-run and live together; by mode and rail in `families`. */
  payments: Record<string, number>;
  /** Kept alerts (the newest 1,000 and every unresolved one) counted by status and severity. */
  alerts: Array<{ status: string; severity: string; count: number }>;
  /** Every settled action by status. */
  actions: Record<string, number>;
  /** Histograms and labelled counters (`mandate_phase_duration_seconds`, `mandate_payments_total`, …). */
  families: FamilySnapshot[];
  /** Per-agent EWMA trends of cycle duration and error rate, with a forecast and a recommendation. */
  trends: AgentTrend[];
  messages: { sent: number; received: number; rejected: number };
  /** Agents on this node: in memory, and passivated (snapshot in the store only) — what an autoscaler sizes nodes by. */
  hosted: { active: number; passivated: number };
  /** Work waiting on this node: agents inside a phase (or waiting to retry one), and snapshots and journal entries not yet written. */
  queues: { phases: number; persistence: number };
}

/** A capability the runtime's agents hold, with who holds it. */
export interface CapabilityInfo {
  name: string;
  description: string;
  agents: string[];
  inputSchema?: Record<string, unknown>;
}

/** A named readiness check: resolves when the dependency answers, throws otherwise. */
export type ReadinessCheck = () => Promise<void>;

/**
 * The runtime, as everything outside it sees it: the CLI, the examples, the gateway, the MCP
 * server, and systems built on the `mandate` package. Created by `createRuntime(options)`.
 *
 * @example
 * const runtime = await createRuntime({ store: await openStore({ dataDir: '.mandate/data' }) });
 * await runtime.spawn(defineAgent({ id: 'payables', capabilities: ['payments.send'], perceive, decide, act }));
 * await runtime.pause('payables', { kind: 'human', id: 'alice' }, 'month-end freeze');
 * await runtime.shutdown();
 */
export interface MandateRuntime {
  /** `dry-run` (the default) records external effects instead of making them; `live` makes them. */
  readonly mode: 'dry-run' | 'live';
  readonly nodeId: string;
  /** The injected clock every schedule, timeout and record uses. */
  readonly clock: Clock;
  /** The store state and the audit trail live in; undefined when the runtime keeps nothing. */
  readonly store: RuntimeStore | undefined;
  /** The chain live payments go to (`openChain`), when the runtime has one. */
  readonly chain: RuntimeChain | undefined;

  // ---- lifecycle ----
  /** Opens the store and restores the kill switch, identities, snapshots and pending approvals; connects messaging. Idempotent. */
  start(): Promise<void>;
  /** Stops schedules and actors, flushes pending writes, disconnects messaging and closes the store. */
  shutdown(): Promise<void>;
  /** Writes queued snapshots and journal entries to the store. */
  flush(): Promise<void>;
  /** Checks of the runtime's dependencies by name (`database`, `transport`) for a readiness probe. */
  readiness(): Record<string, ReadinessCheck>;

  // ---- agents ----
  /**
   * Starts an agent under its group's sandbox supervisor (resuming its snapshot and identity),
   * persists its definition and attaches it to messaging. Refused with a coded error (duplicate
   * id, unknown capability) before anything starts.
   */
  spawn(def: AgentDefinition): Promise<void>;
  /** The agents this node hosts: active ones, then passivated ones (state `passivated`, no actor in memory). */
  listAgents(): AgentSummary[];
  getAgent(id: string): AgentDetail | undefined;
  /** An agent's stored definition versions, oldest first, the one it runs marked `active`. */
  agentVersions(agentId: string): Promise<AgentVersionInfo[]>;
  /**
   * Restarts a hosted agent on a stored version (`to`: its number, or 8+ hex digits of its hash)
   * with its identity, counters and snapshot (when that version's machine can resume it); audited
   * as `config.agent.rolledback`, and it sticks across restarts until a new definition is deployed.
   */
  rollback(agentId: string, request: RollbackRequest): Promise<AgentVersionInfo>;
  /** An agent's reputation (dimensions, limit factor, standing) with its newest `limit` stored changes (default 50); unknown agents are `MANDATE_ERR_NOT_FOUND`. */
  agentReputation(agentId: string, options?: { limit?: number }): Promise<AgentReputationReport>;
  /** The supervision tree. */
  tree(): TreeNode;
  /** The newest transitions, oldest first (optionally of one actor). Kept while somebody listens or a store is attached. */
  recentTransitions(actorId?: string): TransitionEvent[];
  capabilities(): CapabilityInfo[];
  metrics(): RuntimeMetrics;
  /**
   * An oracle price (`{ pair, price, updatedAt, source }`, a `PriceObservation` as it is) for a
   * pair declared in `positionPrices`: re-values at once the strategy positions holding its base
   * in its quote — their value and unrealized P&L, in `metrics()` and `/metrics` — without a
   * treasury step. A NaN, zero or negative price, a stale or future timestamp, one older than the
   * pair's last accepted price, or an undeclared pair is refused with `MANDATE_ERR_ORACLE_INVALID`
   * naming what was wrong, and nothing changes.
   */
  priceUpdate(tick: PriceTick): PriceRevaluation;
  /** Nodes and agent placements as this node sees them (`GET /api/cluster`); undefined without placement. */
  cluster(): ClusterView | undefined;

  // ---- learning ----
  /** An agent's rule parameters (`params:`) with their values now, bounds and freezes ([] when it has none). */
  parameters(agentId: string): Promise<ParameterState[]>;
  /** Freezes, unfreezes or reverts a tunable parameter, audited first (`learn.frozen`, `learn.unfrozen`, `learn.reverted`). */
  tuneParameter(agentId: string, change: ParameterChange): Promise<ParameterState>;

  // ---- operator commands (validated, audited with who and why) ----
  pause(agentId: string, by: Principal, why: string): Promise<void>;
  resume(agentId: string, by: Principal, why: string): Promise<void>;
  /** Retries a retrying agent's phase now. */
  retry(agentId: string, by: Principal, why: string): Promise<void>;
  /** Stops an agent for good (it is not restarted). */
  stop(agentId: string, by: Principal, why: string): Promise<void>;
  /** Starts a cycle with a user trigger; resolves whether it started (idle, not killed, gates open). */
  trigger(agentId: string, by: Principal, data?: Record<string, unknown>): Promise<boolean>;
  /**
   * Sends a validated external event (`agent.trigger`, `agent.pause`, …) to an agent; a promise when the
   * agent is passivated (it is reactivated first, unless a trigger could not start a cycle anyway).
   */
  send(agentId: string, event: unknown): boolean | Promise<boolean>;
  /** Opens or closes a dependency gate. */
  setGate(change: GateChange): Promise<void>;
  gate(name: string): Gate | undefined;

  // ---- approvals ----
  listApprovals(status?: ApprovalRecord['status']): ApprovalRecord[];
  /**
   * Grants an approval. `answer` is the reason, or `{ reason, signature }`: an approval that is a
   * Safe quorum needs the approver's EIP-712 signature of its transaction (made in their wallet).
   */
  approve(approvalId: string, by: Principal, answer?: string | ApprovalAnswerInput): Promise<void>;
  reject(approvalId: string, by: Principal, reason: string): Promise<void>;

  // ---- kill switch ----
  engageKillSwitch(scope: KillScope, by: Principal, why: string): Promise<void>;
  releaseKillSwitch(scope: KillScope, by: Principal, why: string): Promise<void>;
  killSwitchState(): KillSwitchState;
  /**
   * Registers what the kill switch takes back when it engages (e.g. signed-but-unsettled EIP-3009
   * authorizations): every item it reports is audited. Pending Safe proposals are withdrawn by
   * the approvals themselves.
   */
  addRetractor(name: string, retractor: Retractor): void;
  /** The kill switch as rails and signers ask it, where keys sign. */
  railKillSwitch(): { isEngaged(agentId: string, capabilities: string[]): boolean };

  // ---- tasks ----
  /** Runs one cycle of an idle agent holding `capability` with `input`; resolves after its learn phase. */
  submitTask(capability: string, input: Record<string, unknown>, by: Principal): Promise<TaskResult>;

  // ---- inspection ----
  /** Every transition, approval and alert; returns the function that unsubscribes. */
  subscribe(listener: (event: InspectionEvent) => void): () => void;
  /** Raises an operator alert with a code from docs/errors.md (kept, deduplicated and sent to the sinks by the alert book). */
  alert(alert: AlertInput): void;
  /** Kept alerts, newest first (default 200), optionally by status; they survive restarts with a store. */
  listAlerts(query?: { status?: AlertStatus; limit?: number }): AlertRecord[];
  /** Marks an alert seen (persisted before it resolves); an unknown id is `MANDATE_ERR_NOT_FOUND`. */
  acknowledgeAlert(id: string, by: Principal): Promise<AlertRecord>;
}
