import type { ReputationChange } from '../../actors/index.ts';
import type { RequestDone } from '../../transport/index.ts';
import type { KillSwitch } from '../control/KillSwitch.ts';
import type { AgentHost, AlertInput } from '../host/AgentHost.ts';
import type { InspectionEvent } from '../inspection/InspectionEvent.ts';
import type { TaskResult } from '../MandateRuntime.ts';
import type { AuditInput } from '../persistence/RuntimeStore.ts';
import type { TaskSubmission } from '../tasks/Tasks.ts';

/** What messaging needs from the runtime it connects. */
export interface MessagingEnv {
  readonly nodeId: string;
  readonly clock: { now(): number };
  agents(): Iterable<AgentHost>;
  agent(id: string): AgentHost | undefined;
  killed(host: AgentHost): boolean;
  /** Could the agent start a cycle now (idle, not paused, killed or gated)? */
  canStart(host: AgentHost): boolean;
  reputationOf(agentId: string): number;
  /** Trust score changes, published to the registry with heartbeats. */
  readonly reputationListeners: Set<(change: ReputationChange) => void>;
  subscribe(listener: (event: InspectionEvent) => void): () => void;
  /** A peer's task request; `traceparent` (the request's header) makes the cycle continue the peer's trace. */
  submitTask(task: Omit<TaskSubmission, 'host'>): Promise<TaskResult>;
  /** The W3C `traceparent` of the agent's running cycle (tracing on), for the messages it sends. */
  traceparentOf?(agentId: string): string | undefined;
  /** One governed cycle of this agent (a contract-net award it won). */
  runTaskOn(task: TaskSubmission): Promise<TaskResult>;
  /** Sends a validated external event to an agent (message triggers); a promise when the agent is reactivated first. */
  send(agentId: string, event: unknown): boolean | Promise<boolean>;
  /** Applies orders from other nodes and carries this node's orders to them. */
  readonly killSwitch: Pick<KillSwitch, 'engage' | 'release' | 'broadcastWith'>;
  alert(alert: AlertInput): void;
  /** A request of an agent here ended (the request/reply histogram). */
  requestDone?(done: RequestDone): void;
  audit(entry: AuditInput): Promise<void>;
  /** The agent's own accounts by CAIP-2 chain id, published in its registry descriptor. */
  walletsOf?(agentId: string): Record<string, string> | undefined;
}
