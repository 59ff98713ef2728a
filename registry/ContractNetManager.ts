import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../kernel/index.ts';
import type {
  AgentEndpoint,
  AgentIdentity,
  AttachOptions,
  CapabilityRegistry,
  InboundMessage,
  Requirements,
} from '../transport/index.ts';
import {
  BidSchema,
  ContractNetType,
  ProgressSchema,
  TaskResultSchema,
  type Bid,
  type Progress,
  type TaskResult,
} from './contractNetMessages.ts';
import { TaskFailedError } from './errors.ts';
import { compareDecimal } from './rankCandidates.ts';

/** One unit of work for one capability holder. */
export interface SubtaskSpec {
  id: string;
  capability: string;
  input: unknown;
  requirements?: Requirements;
  /** Subtasks whose outputs this one needs; they are passed as `input.dependencies[id]`. */
  dependsOn?: string[];
}

/** A task, decomposed into subtasks. */
export interface TaskSpec {
  id: string;
  subtasks: SubtaskSpec[];
}

/** What happened to one subtask. */
export interface SubtaskOutcome {
  subtaskId: string;
  /** Who delivered the result. */
  by: string;
  /** 1 when the first winner delivered, 2+ when a backup did. */
  attempt: number;
  output: unknown;
  /** Every award made, in order, with why it ended. */
  awards: Array<{ did: string; awardId: string; ended: 'succeeded' | 'failed' | 'timeout' | 'silent' }>;
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
  resolve: (r: TaskResult) => void;
  /** Progress from the awardee: restart the silence timer. */
  touch: () => void;
}

/**
 * The manager side of a contract-net exchange: for each subtask it discovers capable agents, calls for
 * proposals (request/reply, bids by deadline), awards the best bid durably (JetStream), waits for the result,
 * and re-awards to the next bidder when the winner fails, sends no result within `resultTimeoutMs`, or (with
 * `silenceTimeoutMs`) stops sending progress beats.
 *
 * @example
 * const manager = await ContractNetManager.attach({ identity, registry, bus });
 * const outcomes = await manager.run({ id: 't1', subtasks: [{ id: 'quote', capability: 'fx.quote', input: { pair: 'EURUSD' } }] });
 */
export class ContractNetManager {
  readonly #options: ContractNetManagerOptions;
  readonly #waiters = new Map<string, Waiter>();
  #endpoint!: AgentEndpoint;

  private constructor(options: ContractNetManagerOptions) {
    this.#options = options;
  }

  /** Attaches the manager agent (durable inbox for results) to the bus. */
  static async attach(options: ContractNetManagerOptions): Promise<ContractNetManager> {
    const m = new ContractNetManager(options);
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
    const done = new Map<string, SubtaskOutcome>();
    const pending = new Map(task.subtasks.map((s) => [s.id, s]));
    for (const s of task.subtasks)
      for (const d of s.dependsOn ?? []) {
        if (!pending.has(d))
          throw new TaskFailedError(
            `Subtask "${s.id}" of task "${task.id}" depends on unknown subtask "${d}"; list it in the task.`,
            { details: { taskId: task.id } },
          );
      }
    while (pending.size > 0) {
      const ready = [...pending.values()].filter((s) => (s.dependsOn ?? []).every((d) => done.has(d)));
      if (ready.length === 0)
        throw new TaskFailedError(`Task "${task.id}" has a dependency cycle among ${[...pending.keys()].join(', ')}.`, {
          details: { taskId: task.id },
        });
      const outcomes = await Promise.all(
        ready.map((s) => {
          const deps = Object.fromEntries((s.dependsOn ?? []).map((d) => [d, done.get(d)!.output]));
          const input = s.dependsOn?.length ? { ...(s.input as Record<string, unknown>), dependencies: deps } : s.input;
          return this.runSubtask(task.id, { ...s, input });
        }),
      );
      for (const o of outcomes) {
        done.set(o.subtaskId, o);
        pending.delete(o.subtaskId);
      }
    }
    return done;
  }

  /** Call for proposals → bids → award (→ re-award) for one subtask. */
  async runSubtask(taskId: string, s: SubtaskSpec): Promise<SubtaskOutcome> {
    const o = this.#options;
    const now = () => (o.clock ?? systemClock).now();
    const resultTimeout = o.resultTimeoutMs ?? 30_000;
    const candidates = await o.registry.discover(s.capability, {
      ...s.requirements,
      exclude: [...(s.requirements?.exclude ?? []), this.did],
    });
    const cfp = {
      taskId,
      subtaskId: s.id,
      capability: s.capability,
      input: s.input as never,
      deadline: now() + resultTimeout,
    };
    const answers = await Promise.allSettled(
      candidates.map((c) =>
        this.#endpoint.request(c.did, ContractNetType.cfp, cfp, { timeoutMs: o.bidTimeoutMs ?? 2_000 }),
      ),
    );
    const bids: Array<{ did: string; rank: number; bid: Extract<Bid, { decision: 'bid' }> }> = [];
    answers.forEach((a, rank) => {
      if (a.status !== 'fulfilled') return;
      const bid = BidSchema.safeParse(a.value.body);
      if (
        bid.success &&
        bid.data.decision === 'bid' &&
        bid.data.subtaskId === s.id &&
        a.value.envelope.from === candidates[rank]!.did
      )
        bids.push({ did: candidates[rank]!.did, rank, bid: bid.data });
    });
    bids.sort(
      (a, b) =>
        compareDecimal(a.bid.price?.amount ?? '0', b.bid.price?.amount ?? '0') ||
        a.rank - b.rank ||
        a.bid.etaMs - b.bid.etaMs,
    );
    if (bids.length === 0) {
      // Say why each candidate did not bid: a refusal code (e.g. this manager is not registered), a timeout, or a decline.
      const reasons = answers.map((a, i) => ({
        did: candidates[i]!.did,
        reason:
          a.status === 'rejected'
            ? String(
                (a.reason as { details?: { remoteCode?: unknown } }).details?.remoteCode ??
                  (a.reason as { code?: unknown }).code ??
                  a.reason,
              )
            : 'declined',
      }));
      throw new TaskFailedError(
        `No agent bid on subtask "${s.id}" (capability "${s.capability}") of task "${taskId}": ${candidates.length} candidate(s) asked${reasons.length ? ` (${reasons.map((r) => r.reason).join(', ')})` : ''}. Register an agent with that capability, register this manager, or relax the requirements.`,
        { details: { taskId, subtaskId: s.id, candidates: candidates.length, reasons } },
      );
    }
    const awards: SubtaskOutcome['awards'] = [];
    const limit = Math.min(bids.length, o.maxAwards ?? 3);
    for (let i = 0; i < limit; i++) {
      const { did } = bids[i]!;
      const awardId = randomUUID();
      const result = new Promise<TaskResult | 'timeout' | 'silent'>((resolve) => {
        let silence: ReturnType<typeof setTimeout> | undefined;
        const end = (r: TaskResult | 'timeout' | 'silent') => {
          clearTimeout(hard);
          clearTimeout(silence);
          this.#waiters.delete(awardId);
          resolve(r);
        };
        const hard = setTimeout(() => end('timeout'), resultTimeout);
        const touch = () => {
          if (o.silenceTimeoutMs === undefined) return;
          clearTimeout(silence);
          silence = setTimeout(() => end('silent'), o.silenceTimeoutMs);
        };
        touch();
        this.#waiters.set(awardId, { did, capability: s.capability, resolve: end, touch });
      });
      await this.#endpoint.sendDurable(did, ContractNetType.award, {
        taskId,
        subtaskId: s.id,
        awardId,
        capability: s.capability,
        input: s.input as never,
        deadline: now() + resultTimeout,
        attempt: i + 1,
      });
      const r = await result;
      if (typeof r === 'object' && r.ok) {
        awards.push({ did, awardId, ended: 'succeeded' });
        return { subtaskId: s.id, by: did, attempt: i + 1, output: r.output, awards };
      }
      const ended = typeof r === 'object' ? 'failed' : r;
      awards.push({ did, awardId, ended });
      await this.#endpoint
        .send(did, ContractNetType.cancel, {
          taskId,
          subtaskId: s.id,
          awardId,
          reason: ended === 'failed' ? 'failed' : `no result in time (${ended})`,
        })
        .catch(() => undefined);
    }
    throw new TaskFailedError(
      `Subtask "${s.id}" of task "${taskId}" failed with every awardee (${awards.map((a) => `${a.did}: ${a.ended}`).join('; ')}).`,
      { details: { taskId, subtaskId: s.id, awards } },
    );
  }

  /** Detaches the manager agent. */
  async detach(): Promise<void> {
    await this.#endpoint.detach();
  }

  async #onResult(msg: InboundMessage): Promise<void> {
    const r = msg.body as TaskResult | Progress;
    const w = this.#waiters.get(r.awardId);
    // Anything about a withdrawn award, or from anyone but the awardee under the awarded capability, is dropped (and acked).
    if (w === undefined || msg.envelope.from !== w.did || msg.envelope.cap !== w.capability) return;
    if (msg.envelope.type === ContractNetType.progress) w.touch();
    else w.resolve(r as TaskResult);
  }
}
