import { randomUUID } from 'node:crypto';
import type { Clock } from '../kernel/index.ts';
import type { AgentEndpoint, CapabilityRegistry } from '../transport/index.ts';
import { BidSchema, ContractNetType, type TaskResult } from './contractNetMessages.ts';
import type { AwardEnd, SubtaskOutcome, SubtaskProgress, SubtaskSpec, TaskRecord } from './ContractNetStore.ts';
import { TaskFailedError } from './errors.ts';
import { compareDecimal } from './rankCandidates.ts';

/** Timeouts and limits of one manager's exchanges. */
export interface SubtaskTimings {
  bidTimeoutMs: number;
  resultTimeoutMs: number;
  silenceTimeoutMs: number | undefined;
  maxAwards: number;
}

/** What a runner needs from its manager. */
export interface SubtaskRunnerDeps {
  endpoint: () => AgentEndpoint;
  registry: CapabilityRegistry;
  clock: Pick<Clock, 'now'>;
  timings: SubtaskTimings;
  /** Persists the task record (serialized per task by the manager). */
  save: (record: TaskRecord) => Promise<void>;
  /** Waits for the current award's result: resolves `result` (the manager already recorded it), `timeout` or `silent`. */
  wait: (
    award: NonNullable<SubtaskProgress['current']>,
    capability: string,
    ms: number,
  ) => Promise<'result' | AwardEnd>;
}

/** An award the runner stops waiting on, and how its wait ended (`result`, or why none came). */
interface EndedAward {
  did: string;
  awardId: string;
  end: string;
}

/**
 * One subtask's exchange: call for proposals → bids (persisted) → award (persisted before it is sent) →
 * result, or re-award to the next bidder when the winner fails, times out or goes silent. Everything it
 * decides is in the task record first, so a restarted manager continues where the record says: it never
 * calls for proposals again once bids are in, and never sends an award that was already stored.
 */
export class SubtaskRunner {
  readonly #d: SubtaskRunnerDeps;

  constructor(deps: SubtaskRunnerDeps) {
    this.#d = deps;
  }

  async run(record: TaskRecord, s: SubtaskSpec): Promise<SubtaskOutcome> {
    const { timings, clock } = this.#d;
    let p = record.running[s.id];
    if (p === undefined) {
      p = { bids: await this.#callForProposals(record.id, s), awards: [] };
      record.running[s.id] = p;
      await this.#d.save(record);
    }
    const limit = Math.min(p.bids.length, timings.maxAwards);
    for (;;) {
      const finished = record.done[s.id];
      if (finished !== undefined) return finished;
      const attempt = p.current?.attempt ?? p.awards.length + 1;
      if (attempt > limit)
        throw new TaskFailedError(
          `Subtask "${s.id}" of task "${record.id}" failed with every awardee (${p.awards.map((a) => `${a.did}: ${a.ended}`).join('; ')}).`,
          { details: { taskId: record.id, subtaskId: s.id, awards: p.awards } },
        );
      const resumed = p.current !== undefined;
      if (p.current === undefined) {
        p.current = {
          did: p.bids[attempt - 1]!.did,
          awardId: randomUUID(),
          attempt,
          deadline: clock.now() + timings.resultTimeoutMs,
          sent: false,
        };
        await this.#d.save(record);
      }
      const cur = p.current;
      // A resumed wait gets at least a grace period: the result may be waiting in the durable inbox.
      const ms = Math.max(cur.deadline - clock.now(), resumed ? (timings.silenceTimeoutMs ?? 2_000) : 0);
      const ended = this.#d.wait(cur, s.capability, ms);
      if (!cur.sent) {
        await this.#d.endpoint().sendDurable({
          to: cur.did,
          type: ContractNetType.award,
          body: {
            taskId: record.id,
            subtaskId: s.id,
            awardId: cur.awardId,
            capability: s.capability,
            input: s.input as never,
            deadline: cur.deadline,
            attempt: cur.attempt,
          },
        });
        cur.sent = true;
        await this.#d.save(record);
      }
      const end = await ended;
      if (end !== 'result') {
        p.awards.push({ did: cur.did, awardId: cur.awardId, ended: end });
        delete p.current;
        await this.#d.save(record);
      }
      if (record.done[s.id] === undefined)
        await this.#cancel(record.id, s.id, { did: cur.did, awardId: cur.awardId, end });
    }
  }

  async #cancel(taskId: string, subtaskId: string, award: EndedAward): Promise<void> {
    await this.#d
      .endpoint()
      .send({
        to: award.did,
        type: ContractNetType.cancel,
        body: {
          taskId,
          subtaskId,
          awardId: award.awardId,
          reason: award.end === 'result' ? 'failed' : `no result in time (${award.end})`,
        },
      })
      .catch(() => undefined);
  }

  async #callForProposals(taskId: string, s: SubtaskSpec): Promise<SubtaskProgress['bids']> {
    const { timings, clock } = this.#d;
    const endpoint = this.#d.endpoint();
    const candidates = await this.#d.registry.discover(s.capability, {
      ...s.requirements,
      exclude: [...(s.requirements?.exclude ?? []), endpoint.did],
    });
    const cfp = {
      taskId,
      subtaskId: s.id,
      capability: s.capability,
      input: s.input as never,
      deadline: clock.now() + timings.resultTimeoutMs,
    };
    const answers = await Promise.allSettled(
      candidates.map((c) =>
        endpoint.request({ to: c.did, type: ContractNetType.cfp, body: cfp, timeoutMs: timings.bidTimeoutMs }),
      ),
    );
    const bids: SubtaskProgress['bids'] = [];
    answers.forEach((a, rank) => {
      if (a.status !== 'fulfilled') return;
      const bid = BidSchema.safeParse(a.value.body);
      const did = candidates[rank]!.did;
      if (bid.success && bid.data.decision === 'bid' && bid.data.subtaskId === s.id && a.value.envelope.from === did)
        bids.push({ did, rank, bid: bid.data });
    });
    bids.sort(
      (a, b) =>
        compareDecimal(a.bid.price?.amount ?? '0', b.bid.price?.amount ?? '0') ||
        a.rank - b.rank ||
        a.bid.etaMs - b.bid.etaMs,
    );
    if (bids.length > 0) return bids;
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
}

/** The outcome a successful result makes of the current award. */
export function succeeded(p: SubtaskProgress, subtaskId: string, r: Extract<TaskResult, { ok: true }>): SubtaskOutcome {
  const cur = p.current!;
  return {
    subtaskId,
    by: cur.did,
    attempt: cur.attempt,
    output: r.output,
    awards: [...p.awards, { did: cur.did, awardId: cur.awardId, ended: 'succeeded' }],
  };
}
