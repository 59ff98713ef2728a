import type { Requirements } from '../transport/index.ts';
import type { Bid } from './contractNetMessages.ts';

/** One unit of work for one capability holder. */
export interface SubtaskSpec {
  id: string;
  capability: string;
  input: unknown;
  requirements?: Requirements;
  /** Subtasks whose outputs this one needs; they are passed as `input.dependencies[id]`. */
  dependsOn?: string[];
}

/** How one award ended. */
export type AwardEnd = 'succeeded' | 'failed' | 'timeout' | 'silent';

/** What happened to one subtask. */
export interface SubtaskOutcome {
  subtaskId: string;
  /** Who delivered the result. */
  by: string;
  /** 1 when the first winner delivered, 2+ when a backup did. */
  attempt: number;
  output: unknown;
  /** Every award made, in order, with why it ended. */
  awards: Array<{ did: string; awardId: string; ended: AwardEnd }>;
}

/** A subtask between its call for proposals and its result: enough to go on after the manager restarts. */
export interface SubtaskProgress {
  /** Bids, best first. */
  bids: Array<{ did: string; rank: number; bid: Extract<Bid, { decision: 'bid' }> }>;
  awards: SubtaskOutcome['awards'];
  /** The award waiting for its result; `sent` once the durable award was stored. */
  current?: { did: string; awardId: string; attempt: number; deadline: number; sent: boolean };
}

/** A manager's task as persisted: written before every award goes out and when every result comes in. */
export interface TaskRecord {
  id: string;
  /** The manager's did: only that manager resumes it. */
  manager: string;
  subtasks: SubtaskSpec[];
  /** `adopted`: another manager identity took it over (`adoptedBy`) and runs it as its own record. */
  status: 'open' | 'completed' | 'failed' | 'adopted';
  /** On an adopted copy: the manager it was taken over from. */
  adoptedFrom?: string;
  /** On the original, once adopted: the manager that took it over. */
  adoptedBy?: string;
  done: Record<string, SubtaskOutcome>;
  running: Record<string, SubtaskProgress>;
  error?: { code: string; message: string };
  updatedAt: number;
}

/**
 * Where a contract-net manager keeps its tasks, so that a manager that dies resumes its open tasks on
 * restart (same identity) without awarding any work twice. {@link MemoryContractNetStore} (tests, the
 * in-process bus, where awards do not outlive the process either) and `NatsKvContractNetStore` (JetStream KV,
 * beside the durable awards and results it coordinates).
 */
export interface ContractNetStore {
  /** The manager's open tasks. */
  open(manager: string): Promise<TaskRecord[]>;
  /** Stores the record (whole; the newest write wins). */
  save(record: TaskRecord): Promise<void>;
  /** A task by id (any status), or undefined. */
  get(manager: string, taskId: string): Promise<TaskRecord | undefined>;
  /**
   * The records of manager `from` that manager `by` may adopt: those still open, and those already closed as
   * adopted by `by` (a crash between closing one and writing `by`'s copy is finished by adopting again). Reading
   * writes nothing.
   */
  adoptable(from: string, by: string): Promise<TaskRecord[]>;
  /**
   * Closes `record` (another manager's, as {@link adoptable} read it) as `adopted` by `by`, compare-and-set on
   * the version read: while a write by someone else lands first and leaves it open, it is read again and retried.
   * Exactly one adopter wins a record; it writes its own copy only after. Adopting one's own adoption again wins.
   */
  adopt(record: TaskRecord, by: string, at: number): Promise<AdoptOutcome>;
}

/** What {@link ContractNetStore.adopt} found: won (with the record as it was taken over), or closed by someone else. */
export type AdoptOutcome =
  | { won: true; record: TaskRecord }
  | { won: false; status: TaskRecord['status'] | 'missing'; holder: string | undefined };

/** The step of {@link ContractNetStore.adopt} on the record as last read (undefined: deleted). */
export function adoptStep(
  current: TaskRecord | undefined,
  by: string,
  at: number,
): { done: AdoptOutcome } | { write: TaskRecord } {
  if (current === undefined) return { done: { won: false, status: 'missing', holder: undefined } };
  if (current.status === 'adopted' && current.adoptedBy === by) {
    const { adoptedBy: _mine, ...open } = current;
    return { done: { won: true, record: { ...open, status: 'open' } } };
  }
  if (current.status !== 'open') return { done: { won: false, status: current.status, holder: current.adoptedBy } };
  return { write: { ...current, status: 'adopted', adoptedBy: by, updatedAt: at } };
}

/** {@link ContractNetStore} in memory: as durable as the process. */
export class MemoryContractNetStore implements ContractNetStore {
  readonly #records = new Map<string, string>();

  async open(manager: string): Promise<TaskRecord[]> {
    return [...this.#records.values()]
      .map((r) => JSON.parse(r) as TaskRecord)
      .filter((r) => r.manager === manager && r.status === 'open');
  }

  async save(record: TaskRecord): Promise<void> {
    this.#records.set(`${record.manager}\n${record.id}`, JSON.stringify(record));
  }

  async get(manager: string, taskId: string): Promise<TaskRecord | undefined> {
    const r = this.#records.get(`${manager}\n${taskId}`);
    return r === undefined ? undefined : (JSON.parse(r) as TaskRecord);
  }

  async adoptable(from: string, by: string): Promise<TaskRecord[]> {
    return [...this.#records.values()]
      .map((r) => JSON.parse(r) as TaskRecord)
      .filter((r) => r.manager === from && (r.status === 'open' || (r.status === 'adopted' && r.adoptedBy === by)));
  }

  async adopt(record: TaskRecord, by: string, at: number): Promise<AdoptOutcome> {
    // Read and write with no await between: one adopter at a time, as the compare-and-set does in NATS KV.
    const key = `${record.manager}\n${record.id}`;
    const stored = this.#records.get(key);
    const current = stored === undefined ? undefined : (JSON.parse(stored) as TaskRecord);
    const step = adoptStep(current, by, at);
    if ('done' in step) return step.done;
    this.#records.set(key, JSON.stringify(step.write));
    return { won: true, record: current! };
  }
}
