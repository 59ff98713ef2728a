import type { Clock } from '../kernel/index.ts';
import type { AgentEndpoint, AgentIdentity, AttachOptions, CapabilityRegistry } from '../transport/index.ts';
import type { AdoptionEvent } from './adoptTasks.ts';
import type { ContractNetStore, SubtaskSpec } from './ContractNetStore.ts';
import type { TaskLease } from './NatsKvTaskLease.ts';

/** A task, decomposed into subtasks. */
export interface TaskSpec {
  id: string;
  subtasks: SubtaskSpec[];
}

/** A goal before decomposition: what the manager's {@link TaskDecomposer} splits into subtasks. */
export interface Goal {
  id: string;
  kind: string;
  input: unknown;
}

/** Splits a goal into subtasks (each for one capability, with dependencies); pure and deterministic. */
export type TaskDecomposer = (goal: Goal) => SubtaskSpec[];

/** Timeouts and limits of the exchange. */
export interface ContractNetManagerOptions {
  identity: AgentIdentity;
  registry: CapabilityRegistry;
  /** The bus to attach to (a {@link MessageBus}). */
  bus: { attach(options: AttachOptions): Promise<AgentEndpoint> };
  descriptor?: AttachOptions['descriptor'];
  /** Where tasks are persisted (default: memory). With `NatsKvContractNetStore`, a restarted manager resumes its open tasks. */
  store?: ContractNetStore;
  /**
   * With standby managers holding the same identity on other nodes: {@link ContractNetManager.attach} waits until
   * this process holds the lease (`NatsKvTaskLease`), and the manager stops (`MANDATE_ERR_TASK_FENCED`) when it is lost.
   */
  lease?: TaskLease;
  clock?: Pick<Clock, 'now'>;
  /** How long bidders have to answer a call for proposals. Default 2 s. */
  bidTimeoutMs?: number;
  /** How long an awardee has to deliver before the award goes to the next bidder. Default 30 s. */
  resultTimeoutMs?: number;
  /**
   * If set, an awardee that sends neither progress (`task.progress`) nor its result for this long is presumed
   * dead and the award goes to the next bidder, without waiting for `resultTimeoutMs`. Contractors beat every second.
   */
  silenceTimeoutMs?: number;
  /** At most this many awards per subtask (winner + backups). Default 3. */
  maxAwards?: number;
  /** Receives every step of an adoption of another manager's tasks (`ContractNetManager.adopt`), for the audit trail. */
  onAudit?: (event: AdoptionEvent) => void;
  /** How {@link ContractNetManager.runGoal} decomposes goals. */
  decompose?: TaskDecomposer;
}
