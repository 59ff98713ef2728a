import type { Adopt, TaskResult } from './contractNetMessages.ts';
import { TaskAdoptDeniedError } from './errors.ts';

/** How a contractor answered one `task.adopt` (see `ContractorRoleOptions.onAdoption`). */
export interface AdoptionAnswer {
  /** `contractnet.award.adopted` (its progress and result go to `by` from now on), or `contractnet.award.adopt.denied`. */
  type: 'contractnet.award.adopted' | 'contractnet.award.adopt.denied';
  taskId: string;
  subtaskId: string;
  awardId: string;
  /** The adopting manager. */
  by: string;
  /** The manager it takes over from (as the adopter claims). */
  from: string;
  /** The manager the award had when the request came (undefined: its award has not arrived, nor been adopted, yet). */
  manager: string | undefined;
  /** Accepted: whether a result already sent to `from` is sent again to `by`. */
  resent?: boolean;
  /** Denied: why. */
  reason?: string;
}

/** An award a contractor took, as far as adoption sees it: who manages it, and its result once sent. */
export interface AdoptableAward {
  manager: string;
  result?: TaskResult;
}

/** What {@link AwardAdoptions} needs of its contractor. */
export interface AwardAdoptionsOptions<A extends AdoptableAward> {
  /** The managers allowed to adopt (absent: any holder of `contractnet.adopt`; empty: nobody). */
  adopters?: readonly string[] | undefined;
  /** Every answer, awaited before it takes effect; when it throws, the adoption is refused with that error. */
  onAdoption?: ((answer: AdoptionAnswer) => Promise<void> | void) | undefined;
  /** The award taken under this id, if it arrived. */
  award(awardId: string): A | undefined;
  /** Sends a finished award's result again, to its (new) manager. */
  resend(award: A): Promise<void>;
}

/**
 * A contractor's answers to `task.adopt`: who may take an award over, and who holds it after. Adoptions of one
 * award are decided one at a time, in arrival order — the check, the audit and the hand-over are one
 * compare-and-set on the award's holder — so of two managers adopting it at the same instant one wins, and the
 * other is refused (`MANDATE_ERR_TASK_ADOPT_DENIED`) against the new holder and reported as refused.
 */
export class AwardAdoptions<A extends AdoptableAward> {
  readonly #options: AwardAdoptionsOptions<A>;
  /** Adoptions that arrived before their award (award id → the adopter, and the manager it took over from). */
  readonly #early = new Map<string, { by: string; from: string }>();
  /** The adoption being decided per award id: the next one for that award waits until it settled. */
  readonly #deciding = new Map<string, Promise<void>>();

  constructor(options: AwardAdoptionsOptions<A>) {
    this.#options = options;
  }

  /** Answers one `task.adopt` from manager `by`: accepted, or a `TaskAdoptDeniedError` (or the report's error). */
  async adopt(adopt: Adopt, by: string): Promise<{ accepted: true }> {
    const id = adopt.awardId;
    const decided = (this.#deciding.get(id) ?? Promise.resolve()).then(() => this.#decide(adopt, by));
    const settled = decided.then(
      () => undefined,
      () => undefined,
    );
    this.#deciding.set(id, settled);
    try {
      return await decided;
    } finally {
      if (this.#deciding.get(id) === settled) this.#deciding.delete(id);
    }
  }

  /** The manager an award arriving from `awardedBy` reports to: its adopter, when it was adopted from that manager before it arrived. */
  arrived(awardId: string, awardedBy: string): string {
    const early = this.#early.get(awardId);
    this.#early.delete(awardId);
    return early !== undefined && early.from === awardedBy ? early.by : awardedBy;
  }

  async #decide(adopt: Adopt, by: string): Promise<{ accepted: true }> {
    const allowed = this.#options.adopters;
    const taken = this.#options.award(adopt.awardId);
    const early = this.#early.get(adopt.awardId);
    // Who holds the award now: the manager of the award taken, or whoever adopted it before it arrived.
    const holder = taken?.manager ?? early?.by;
    const answer = { ...adopt, by, manager: holder };
    if (allowed !== undefined && !allowed.includes(by))
      return this.#deny(
        answer,
        `Manager ${by} may not adopt award ${adopt.awardId} from ${adopt.from}: this contractor's adopters list does not name it; add it there (governance) to allow the takeover.`,
      );
    if (holder !== undefined && holder !== adopt.from && holder !== by)
      return this.#deny(
        answer,
        `Award ${adopt.awardId} is managed by ${holder}, not by ${adopt.from}; only the manager that holds it can be taken over.`,
      );
    await this.#options.onAdoption?.({
      ...answer,
      type: 'contractnet.award.adopted',
      resent: taken?.result !== undefined,
    });
    if (taken === undefined) {
      // Its award is still on the way: it reports to `by` once it arrives from the manager that made it.
      this.#early.set(adopt.awardId, { by, from: early?.from ?? adopt.from });
      return { accepted: true };
    }
    taken.manager = by;
    // Finished already: the result went to the old manager, which is gone. The new one gets it too (same award id).
    if (taken.result !== undefined) await this.#options.resend(taken);
    return { accepted: true };
  }

  /** Reports a refused hand-over, then refuses it with {@link TaskAdoptDeniedError}. */
  async #deny(answer: Omit<AdoptionAnswer, 'type'>, reason: string): Promise<never> {
    await this.#options.onAdoption?.({ ...answer, type: 'contractnet.award.adopt.denied', reason });
    throw new TaskAdoptDeniedError(reason, {
      details: { by: answer.by, from: answer.from, awardId: answer.awardId, manager: answer.manager ?? null },
    });
  }
}
