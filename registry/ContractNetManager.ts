import { codeOf, ErrorCode, systemClock, type Clock } from '../kernel/index.ts';
import type {
  AgentEndpoint,
  AgentIdentity,
  AttachOptions,
  CapabilityRegistry,
  InboundMessage,
} from '../transport/index.ts';
import {
  ContractNetType,
  ProgressSchema,
  TaskResultSchema,
  type Progress,
  type TaskResult,
} from './contractNetMessages.ts';
import {
  MemoryContractNetStore,
  type AwardEnd,
  type ContractNetStore,
  type SubtaskOutcome,
  type SubtaskProgress,
  type SubtaskSpec,
  type TaskRecord,
} from './ContractNetStore.ts';
import { TaskFailedError } from './errors.ts';
import { succeeded, SubtaskRunner } from './SubtaskRunner.ts';

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
  /** How {@link ContractNetManager.runGoal} decomposes goals. */
  decompose?: TaskDecomposer;
}

interface Waiter {
  did: string;
  capability: string;
  resolve: (end: 'result' | AwardEnd) => void;
  /** Progress from the awardee: restart the silence timer. */
  touch: () => void;
}

/**
 * The manager side of a contract-net exchange: for each subtask it discovers capable agents, calls for
 * proposals (request/reply, bids by deadline), awards the best bid durably (JetStream), waits for the result,
 * and re-awards to the next bidder when the winner fails, sends no result within `resultTimeoutMs`, or (with
 * `silenceTimeoutMs`) stops sending progress beats. Every step is persisted in its {@link ContractNetStore}
 * before it happens; a result is acknowledged only once recorded. A manager restarted with the same identity
 * and store {@link ContractNetManager.resume}s its open tasks: the results that arrived meanwhile wait in its
 * durable inbox, and no award is made twice.
 *
 * @example
 * const manager = await ContractNetManager.attach({ identity, registry, bus, store });
 * const outcomes = await manager.run({ id: 't1', subtasks: [{ id: 'quote', capability: 'fx.quote', input: { pair: 'EURUSD' } }] });
 */
export class ContractNetManager {
  readonly #options: ContractNetManagerOptions;
  readonly #store: ContractNetStore;
  readonly #open = new Map<string, TaskRecord>();
  readonly #waiters = new Map<string, Waiter>();
  readonly #saving = new Map<string, Promise<void>>();
  readonly #runner: SubtaskRunner;
  #endpoint!: AgentEndpoint;

  private constructor(options: ContractNetManagerOptions) {
    this.#options = options;
    this.#store = options.store ?? new MemoryContractNetStore();
    this.#runner = new SubtaskRunner({
      endpoint: () => this.#endpoint,
      registry: options.registry,
      clock: options.clock ?? systemClock,
      timings: {
        bidTimeoutMs: options.bidTimeoutMs ?? 2_000,
        resultTimeoutMs: options.resultTimeoutMs ?? 30_000,
        silenceTimeoutMs: options.silenceTimeoutMs,
        maxAwards: options.maxAwards ?? 3,
      },
      save: (r) => this.#save(r),
      wait: (award, capability, ms) => this.#wait(award, capability, ms),
    });
  }

  /** Loads the manager's open tasks, then attaches it (durable inbox for results) to the bus. */
  static async attach(options: ContractNetManagerOptions): Promise<ContractNetManager> {
    const m = new ContractNetManager(options);
    for (const r of await m.#store.open(options.identity.did)) m.#open.set(r.id, r);
    m.#endpoint = await options.bus.attach({
      identity: options.identity,
      accepts: {
        [ContractNetType.result]: { body: TaskResultSchema },
        [ContractNetType.progress]: { body: ProgressSchema },
      },
      handler: (msg) => m.#onResult(msg),
      durable: true,
      ...(options.descriptor === undefined ? {} : { descriptor: options.descriptor }),
    });
    return m;
  }

  /** The manager's did. */
  get did(): string {
    return this.#endpoint.did;
  }

  /** The open tasks found in the store at attach, each continuing where its record left off. */
  resume(): Array<{ id: string; done: Promise<Map<string, SubtaskOutcome>> }> {
    return [...this.#open.values()].map((r) => ({ id: r.id, done: this.#execute(r) }));
  }

  /** Decomposes `goal` with the configured {@link TaskDecomposer} and runs the resulting task. */
  async runGoal(goal: Goal): Promise<Map<string, SubtaskOutcome>> {
    const decompose = this.#options.decompose;
    if (decompose === undefined)
      throw new TaskFailedError(
        `Goal "${goal.id}" cannot be decomposed: give the manager a decompose function, or call run() with explicit subtasks.`,
        { details: { goalId: goal.id } },
      );
    const subtasks = decompose(goal);
    if (subtasks.length === 0)
      throw new TaskFailedError(
        `Goal "${goal.id}" (${goal.kind}) decomposed into no subtasks; the decomposer does not handle this kind.`,
        { details: { goalId: goal.id, kind: goal.kind } },
      );
    return this.run({ id: goal.id, subtasks });
  }

  /** Runs every subtask (in dependency order, independent ones in parallel); rejects with `MANDATE_ERR_TASK_FAILED` if one cannot be completed. */
  async run(task: TaskSpec): Promise<Map<string, SubtaskOutcome>> {
    const ids = new Set(task.subtasks.map((s) => s.id));
    for (const s of task.subtasks)
      for (const d of s.dependsOn ?? [])
        if (!ids.has(d))
          throw new TaskFailedError(
            `Subtask "${s.id}" of task "${task.id}" depends on unknown subtask "${d}"; list it in the task.`,
            { details: { taskId: task.id } },
          );
    if (this.#open.has(task.id))
      throw new TaskFailedError(`Task "${task.id}" is already running on this manager; use a new task id.`, {
        details: { taskId: task.id },
      });
    const record: TaskRecord = {
      id: task.id,
      manager: this.#options.identity.did,
      subtasks: task.subtasks,
      status: 'open',
      done: {},
      running: {},
      updatedAt: (this.#options.clock ?? systemClock).now(),
    };
    this.#open.set(task.id, record);
    await this.#save(record);
    return this.#execute(record);
  }

  async #execute(record: TaskRecord): Promise<Map<string, SubtaskOutcome>> {
    try {
      for (;;) {
        const pending = record.subtasks.filter((s) => record.done[s.id] === undefined);
        if (pending.length === 0) break;
        const ready = pending.filter((s) => (s.dependsOn ?? []).every((d) => record.done[d] !== undefined));
        if (ready.length === 0)
          throw new TaskFailedError(
            `Task "${record.id}" has a dependency cycle among ${pending.map((s) => s.id).join(', ')}.`,
            { details: { taskId: record.id } },
          );
        await Promise.all(
          ready.map((s) => {
            const deps = Object.fromEntries((s.dependsOn ?? []).map((d) => [d, record.done[d]!.output]));
            const input = s.dependsOn?.length
              ? { ...(s.input as Record<string, unknown>), dependencies: deps }
              : s.input;
            return this.#runner.run(record, { ...s, input });
          }),
        );
      }
      record.status = 'completed';
      return new Map(Object.entries(record.done));
    } catch (err) {
      record.status = 'failed';
      record.error = {
        code: codeOf(err, ErrorCode.MANDATE_ERR_TASK_FAILED),
        message: String((err as Error).message),
      };
      throw err;
    } finally {
      this.#open.delete(record.id);
      await this.#save(record);
    }
  }

  /** Detaches the manager agent. */
  async detach(): Promise<void> {
    await this.#endpoint.detach();
  }

  /** Saves the record after any save already under way for the task: the newest state is written last. */
  #save(record: TaskRecord): Promise<void> {
    record.updatedAt = (this.#options.clock ?? systemClock).now();
    const snapshot = structuredClone(record);
    const next = (this.#saving.get(record.id) ?? Promise.resolve()).then(() => this.#store.save(snapshot));
    this.#saving.set(
      record.id,
      next.catch(() => undefined),
    );
    return next;
  }

  #wait(award: NonNullable<SubtaskProgress['current']>, capability: string, ms: number): Promise<'result' | AwardEnd> {
    const silenceMs = this.#options.silenceTimeoutMs;
    return new Promise((resolve) => {
      let silence: ReturnType<typeof setTimeout> | undefined;
      const end = (r: 'result' | AwardEnd) => {
        clearTimeout(hard);
        clearTimeout(silence);
        this.#waiters.delete(award.awardId);
        resolve(r);
      };
      const hard = setTimeout(() => end('timeout'), ms);
      const touch = () => {
        if (silenceMs === undefined) return;
        clearTimeout(silence);
        silence = setTimeout(() => end('silent'), silenceMs);
      };
      touch();
      this.#waiters.set(award.awardId, { did: award.did, capability, resolve: end, touch });
    });
  }

  /** Finds the open subtask whose current award is `awardId`. */
  #current(awardId: string): { record: TaskRecord; subtaskId: string; p: SubtaskProgress } | undefined {
    for (const record of this.#open.values())
      for (const [subtaskId, p] of Object.entries(record.running))
        if (p.current?.awardId === awardId) return { record, subtaskId, p };
    return undefined;
  }

  async #onResult(msg: InboundMessage): Promise<void> {
    const r = msg.body as TaskResult | Progress;
    const found = this.#current(r.awardId);
    const cap = found?.record.subtasks.find((s) => s.id === found.subtaskId)?.capability;
    // Anything about a withdrawn award, or from anyone but the awardee under the awarded capability, is dropped (and acked).
    if (found === undefined || msg.envelope.from !== found.p.current!.did || msg.envelope.cap !== cap) return;
    if (msg.envelope.type === ContractNetType.progress) {
      this.#waiters.get(r.awardId)?.touch();
      return;
    }
    const { record, subtaskId, p } = found;
    const result = r as TaskResult;
    if (result.ok) {
      record.done[subtaskId] = succeeded(p, subtaskId, result);
      delete record.running[subtaskId];
    } else {
      p.awards.push({ did: p.current!.did, awardId: r.awardId, ended: 'failed' });
      delete p.current;
    }
    this.#waiters.get(r.awardId)?.resolve('result');
    // Acknowledged (this returns) only once recorded: a crash before that redelivers the result.
    await this.#save(record);
  }
}
