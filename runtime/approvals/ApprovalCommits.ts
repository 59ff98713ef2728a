import type { ApprovalEvent, ApprovalOutcome, Principal } from '../../machines/index.ts';
import { ErrorCode } from '../../kernel/index.ts';
import type { ApprovalRecord } from '../inspection/InspectionEvent.ts';
import type { Entry } from './ApprovalEntry.ts';
import type { ApprovalsDeps } from './Approvals.ts';
import { deliverOutcome } from './deliverOutcome.ts';
import { commitApproval, decidedRecord, decisionEntry } from './recordDecision.ts';

/**
 * How an approval's decision takes effect, write-ahead: the decided record and its audit entry
 * commit in one transaction first; only then does the request's machine end, the inspection
 * stream hear of it and the waiting agent get it.
 */
export class ApprovalCommits {
  readonly #deps: ApprovalsDeps;
  readonly #settled: (entry: Entry) => void;

  /** `settled` is told of every entry once its decision applied (the closed ones held in memory are bounded). */
  constructor(deps: ApprovalsDeps, settled: (entry: Entry) => void) {
    this.#deps = deps;
    this.#settled = settled;
  }

  /** A refusal by the system whatever the approver list (the budget gone while the request waited). */
  cancel(entry: Entry, answer: { by: Principal; at: number; reason: string }): Promise<ApprovalRecord> {
    const context = entry.actor.getSnapshot().context;
    const decided = decidedRecord(entry.record, { status: 'rejected', answer, grants: context.grants }, answer.at);
    return this.decide(entry, decided, { type: 'approval.cancel', ...answer });
  }

  /**
   * Write-ahead of an answer that decides the request: `decided` and its audit entry commit in one
   * transaction, and only then the machine ends, the change is published and the agent told. When
   * the commit fails nothing changed and the request stays open (or ends as its timer said meanwhile).
   */
  async decide(entry: Entry, decided: ApprovalRecord, event: ApprovalEvent): Promise<ApprovalRecord> {
    entry.finishing = this.#commit(entry, decided, event);
    try {
      return await entry.finishing;
    } catch (error) {
      entry.finishing = undefined;
      const snapshot = entry.actor.getSnapshot();
      if (snapshot.status === 'done') this.finishing(entry, snapshot.output);
      throw error;
    }
  }

  /** A request the machine ended by itself (its timer): stored and audited, then applied. */
  finishing(entry: Entry, outcome: ApprovalOutcome): void {
    const decided = decidedRecord(entry.record, outcome, this.#deps.clock.now());
    entry.finishing = this.#commit(entry, decided);
    entry.finishing.catch((e: Error) =>
      this.#deps.alert({
        severity: 'critical',
        code: ErrorCode.MANDATE_ERR_STORE,
        message: `approval ${decided.id} was decided but not recorded: ${e.message}`,
        actorId: decided.agentId,
      }),
    );
  }

  /** Stores `decided` with its audit entry (one transaction), then applies it. */
  async #commit(entry: Entry, decided: ApprovalRecord, event?: ApprovalEvent): Promise<ApprovalRecord> {
    const where = this.#deps.agent(decided.agentId)?.def.group ?? decided.agentId;
    await commitApproval(this.#deps, decided, decisionEntry(decided, where, this.#deps.clock.now()));
    return this.#applied(entry, decided, event);
  }

  /** The decision is stored: the request takes it, the machine ends, the stream and the agent are told. */
  #applied(entry: Entry, decided: ApprovalRecord, event?: ApprovalEvent): ApprovalRecord {
    [entry.record, entry.proposal] = [decided, undefined];
    // The machine may have ended meanwhile (its timer): the stored decision is the request's.
    if (event !== undefined) entry.actor.send(event);
    this.#deps.publish(decided);
    this.deliver(entry);
    this.#settled(entry);
    return decided;
  }

  /** Hands the outcome to the agent if it waits for this request; otherwise it stays until it does. */
  deliver(entry: Entry): void {
    if (entry.delivered || entry.record.kind === 'review') return;
    entry.delivered = deliverOutcome(this.#deps.agent(entry.record.agentId), entry.record, this.#deps.clock.now());
  }
}
