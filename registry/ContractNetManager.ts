import { codeOf, ErrorCode, systemClock } from '../kernel/index.ts';
import type { AgentEndpoint, InboundMessage } from '../transport/index.ts';
import {
  ContractNetType,
  ProgressSchema,
  TaskResultSchema,
  type Progress,
  type TaskResult,
} from './contractNetMessages.ts';
import {
  MemoryContractNetStore,
  type ContractNetStore,
  type SubtaskOutcome,
  type SubtaskProgress,
  type TaskRecord,
} from './ContractNetStore.ts';
import { adoptTasks } from './adoptTasks.ts';
import { AwardWaiters } from './AwardWaiters.ts';
import { TaskFailedError, TaskFencedError } from './errors.ts';
import type { ContractNetManagerOptions, Goal, TaskSpec } from './ContractNetManagerOptions.ts';
import { succeeded, SubtaskRunner } from './SubtaskRunner.ts';

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
  readonly #waiters: AwardWaiters;
  #fenced: TaskFencedError | undefined;
  readonly #saving = new Map<string, Promise<void>>();
  readonly #runner: SubtaskRunner;
  #endpoint!: AgentEndpoint;

  private constructor(options: ContractNetManagerOptions) {
    this.#options = options;
    this.#store = options.store ?? new MemoryContractNetStore();
    this.#waiters = new AwardWaiters(options.silenceTimeoutMs);
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
      wait: (award, capability, ms) => this.#waiters.wait(award, capability, ms),
    });
  }

  /** Acquires the lease (if any; waits while another holder keeps it), loads the open tasks, then attaches the manager (durable inbox for results). */
  static async attach(options: ContractNetManagerOptions): Promise<ContractNetManager> {
    const m = new ContractNetManager(options);
    if (options.lease !== undefined) {
      await options.lease.acquire();
      options.lease.onLost((reason) => m.#fence(new TaskFencedError(`Manager ${options.identity.did}: ${reason}.`)));
    }
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

  /**
   * Adopts the open tasks of another manager identity `from` (dead: not active in the registry) and runs them as
   * its own, like {@link resume}: this manager must hold `contractnet.adopt` in its registry descriptor, else
   * `MANDATE_ERR_TASK_ADOPT_DENIED`. A task another manager adopted first is left to it (audited as
   * `contractnet.task.adopt.lost`). Awardees still working are told to report here (`task.adopt`); each step is
   * passed to `onAudit`. See {@link adoptTasks}.
   */
  async adopt(from: string): Promise<Array<{ id: string; done: Promise<Map<string, SubtaskOutcome>> }>> {
    this.#checkHeld();
    const clock = this.#options.clock ?? systemClock;
    const records = await adoptTasks({
      self: this.did,
      from,
      registry: this.#options.registry,
      store: this.#store,
      endpoint: this.#endpoint,
      now: () => clock.now(),
      audit: (event) => this.#options.onAudit?.(event),
    });
    const fresh = records.filter((r) => !this.#open.has(r.id));
    for (const r of fresh) this.#open.set(r.id, r);
    return fresh.map((r) => ({ id: r.id, done: this.#execute(r) }));
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

  /** Runs every subtask (in dependency order, independent ones in parallel); rejects with `MANDATE_ERR_TASK_FAILED` if one cannot be completed, `MANDATE_ERR_TASK_FENCED` if this manager lost its lease. */
  async run(task: TaskSpec): Promise<Map<string, SubtaskOutcome>> {
    this.#checkHeld();
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

  /** True once this manager stopped because it lost its lease or a task record to a new holder. */
  get fenced(): boolean {
    return this.#fenced !== undefined;
  }

  /** Saves the record after any save already under way for the task: the newest state is written last. Nothing is written once fenced. */
  #save(record: TaskRecord): Promise<void> {
    record.updatedAt = (this.#options.clock ?? systemClock).now();
    const snapshot = structuredClone(record);
    const write = async () => {
      this.#checkHeld();
      await this.#store.save(snapshot).catch((err: unknown) => {
        if (err instanceof TaskFencedError) this.#fence(err);
        throw err;
      });
    };
    const next = (this.#saving.get(record.id) ?? Promise.resolve()).then(write);
    this.#saving.set(
      record.id,
      next.catch(() => undefined),
    );
    return next;
  }

  /** Throws (and stops the manager) unless it may act: not fenced, and holding its lease if it has one. */
  #checkHeld(): void {
    const lease = this.#options.lease;
    if (this.#fenced === undefined && lease !== undefined && !lease.held)
      this.#fence(new TaskFencedError(`Manager ${this.#options.identity.did} no longer holds its lease.`));
    if (this.#fenced !== undefined) throw this.#fenced;
  }

  /**
   * Stops for good: every wait ends (its record write then fails), and the manager's endpoint detaches without
   * deleting its registry descriptor, which is the new holder's now.
   */
  #fence(err: TaskFencedError): void {
    if (this.#fenced !== undefined) return;
    this.#fenced = err;
    this.#waiters.endAll();
    void (this.#endpoint as AgentEndpoint | undefined)?.detach({ deregister: false });
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
      this.#waiters.touch(r.awardId);
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
    this.#waiters.resolve(r.awardId);
    // Acknowledged (this returns) only once recorded: a crash before that redelivers the result.
    await this.#save(record);
  }
}
