import type { ApprovalRecord, InspectionEvent, Principal, TransitionEvent } from './inspection/InspectionEvent.ts';
import type { KillScope } from './KillSwitch.ts';
import type { DecisionOutcome, KillSwitchState, PolicyVerdict, RuntimeStore } from './persistence/RuntimeStore.ts';

/** One agent as operators see it. */
export interface AgentSummary {
  id: string;
  did: string;
  capabilities: string[];
  state: string;
  parentId: string;
  group: string;
  reputation: number;
  mode: 'dry-run' | 'live';
  paused: boolean;
  killed: boolean;
  cycle: number;
}

/** A machine's states and transitions, for drawing. */
export interface MachineGraph {
  id: string;
  initial: string;
  states: Array<{ path: string; type: 'atomic' | 'compound' | 'final'; transitions: Array<{ event: string; targets: string[] }> }>;
}

/** An agent with its context, machine and recent transitions. */
export interface AgentDetail extends AgentSummary {
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
  agents: Array<{ id: string; cycles: number; failures: number; restarts: number; state: string }>;
  approvalsPending: number;
  payments: Record<string, number>;
  messages: { sent: number; received: number; rejected: number };
}

/** The runtime as the gateway, CLI and MCP server use it. */
export interface MandateRuntime {
  readonly mode: 'dry-run' | 'live';
  readonly nodeId: string;
  readonly store: RuntimeStore | undefined;
  listAgents(): AgentSummary[];
  getAgent(id: string): AgentDetail | undefined;
  tree(): TreeNode;
  pause(agentId: string, by: Principal, why: string): Promise<void>;
  resume(agentId: string, by: Principal, why: string): Promise<void>;
  stop(agentId: string, by: Principal, why: string): Promise<void>;
  engageKillSwitch(scope: KillScope, by: Principal, why: string): Promise<void>;
  releaseKillSwitch(scope: KillScope, by: Principal, why: string): Promise<void>;
  killSwitchState(): KillSwitchState;
  listApprovals(status?: ApprovalRecord['status']): ApprovalRecord[];
  approve(approvalId: string, by: Principal, reason?: string): Promise<void>;
  reject(approvalId: string, by: Principal, reason: string): Promise<void>;
  /** Runs one cycle of an idle agent holding `capability` with a user trigger carrying `input`; resolves after its learn phase. */
  submitTask(capability: string, input: Record<string, unknown>, by: Principal): Promise<TaskResult>;
  subscribe(listener: (event: InspectionEvent) => void): () => void;
  metrics(): RuntimeMetrics;
  capabilities(): Array<{ name: string; description: string; agents: string[]; inputSchema?: Record<string, unknown> }>;
}
