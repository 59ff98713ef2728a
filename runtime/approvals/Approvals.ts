import { createActor } from 'xstate';
import type { PolicyResult, Proposal } from '../../actors/index.ts';
import { approvalMachine, grantCompletes } from '../../machines/index.ts';
import type { Principal } from '../../machines/index.ts';
import type { Clock } from '../../kernel/index.ts';
import { checkInput, principalSchema, reasonSchema } from '../control/checkInput.ts';
import { KillSwitchEngagedError, NotFoundError, StateConflictError } from '../errors.ts';
import type { AgentHost, AlertInput } from '../host/AgentHost.ts';
import type { ApprovalRecord } from '../inspection/InspectionEvent.ts';
import type { AuditInput, RuntimeStore } from '../persistence/RuntimeStore.ts';
import type { RetractedItem } from '../control/Retraction.ts';
import { GOVERNANCE, recallFailed } from './deliverOutcome.ts';
import type { ApprovalAnswerInput, ApprovalOpening, Entry, Tracking } from './ApprovalEntry.ts';
import { machineInput, newEntry } from './ApprovalEntry.ts';
import { checkAnswerable, checkAnswerInput, checkApprover, checkFourEyes } from './checkAnswerable.ts';
import { requestRecord, requestedEntry } from './requestRecord.ts';
import { commitApproval, countedEntry, decidedRecord } from './recordDecision.ts';
import { retractProposals } from './retractProposals.ts';
import { ApprovalCommits } from './ApprovalCommits.ts';
import { knownRequest } from './knownRequest.ts';
import { knownReview, REVIEW_TTL_MS, reviewAudit, reviewId, reviewRecord, type ReviewItem } from './reviewItem.ts';
import { ApprovalEntries, closedEntry } from './ApprovalEntries.ts';
import { addSignature, countedGrants, notifySigners } from './signatureQuorum.ts';
import { openSignatureRequest, requirementOf, withRequirement } from './signatureQuorum.ts';

export type { ApprovalAnswerInput, ApprovalRequirement } from './ApprovalEntry.ts';

/** What the approvals service needs. */
export interface ApprovalsDeps {
  /** Runs the approvals' expiry timers (the runtime's injected clock). */
  clock: Clock;
  store: RuntimeStore | undefined;
  audit(entry: AuditInput): Promise<void>;
  alert(alert: AlertInput): void;
  /** Publishes an approval's new state on the inspection stream. */
  publish(record: ApprovalRecord): void;
  agent(id: string): AgentHost | undefined;
  /** The proposal of the agent's current decision (for approvals restored without one in memory). */
  proposalOf(host: AgentHost): Proposal;
  /** Reserves the budget of a proposal being approved; `denied` when it was used up while the approval waited. */
  reserve(proposal: Proposal, reason: string): PolicyResult;
  /** Whether the agent acts live (signature requests are made for live effects only). */
  live(host: AgentHost): boolean;
  /** Whether the kill switch covers the agent: no new signatures are taken then. */
  killed(host: AgentHost): boolean;
  /** How many closed requests stay in memory (default {@link KEEP_CLOSED}); older ones are looked up in the store. */
  keepClosed?: number;
}

/**
 * Human and agent approvals of proposals that governance holds. Each request is an actor of
 * `machines/approvalMachine.ts` (open → approved / rejected / expired, on the injected clock);
 * this service persists every change, audits it, publishes it, and hands the outcome to the
 * agent — at once when it waits, or as soon as it starts to wait when the answer came early
 * (an approver can answer while the agent is still finishing its propose step).
 */
export class Approvals {
  readonly #deps: ApprovalsDeps;
  readonly #entries: ApprovalEntries;
  readonly #commits: ApprovalCommits;

  constructor(deps: ApprovalsDeps) {
    this.#deps = deps;
    this.#entries = new ApprovalEntries(deps.keepClosed);
    this.#commits = new ApprovalCommits(deps, (entry) => this.#entries.settled(entry));
  }

  /** Takes back the open requests from the store at start; closed ones are looked up by id when asked for. */
  async load(): Promise<void> {
    for (const record of (await this.#deps.store?.listApprovals('pending')) ?? []) this.restore(record);
  }

  /** Opens a request for `proposal`; it is persisted, published and audited before this resolves. */
  async open({ host, proposal, reason, timeoutMs, requirement = {} }: ApprovalOpening): Promise<ApprovalRecord> {
    const id = `apr-${proposal.decision.id}`;
    const known = await knownRequest(this.#entries.get(id) ?? (await this.#recall(id)), proposal);
    if (known !== undefined) return known;
    const now = this.#deps.clock.now();
    let record = requestRecord(proposal, { reason, now, timeoutMs });
    const live = this.#deps.live(host);
    const request = await openSignatureRequest(host, record, { live, required: requirement.required });
    record = withRequirement(record, requirement, request);
    // Durable, with its audit entry, before anyone can answer it: a grant that raced a still-unwritten
    // pending record was overwritten by it (found by the simulator, seed 35: paid, yet the store said "pending").
    await commitApproval(this.#deps, record, requestedEntry(host, record));
    this.#track(record, { proposal, timeoutMs, requirement: requirementOf(record) });
    this.#deps.publish(record);
    if (request !== undefined) notifySigners(record, request, (a) => this.#deps.alert(a));
    return record;
  }

  /** Files a review item (an executed action a learner flagged; one open per agent): answered by approve/reject, never delivered. */
  async openReview(host: AgentHost, item: ReviewItem): Promise<ApprovalRecord> {
    const known =
      knownReview(this.list(), host.id, item.decision.id) ?? (await this.#recall(reviewId(item.decision.id)))?.record;
    if (known !== undefined) return known;
    const record = reviewRecord(host, item, this.#deps.clock.now());
    await commitApproval(this.#deps, record, reviewAudit(host, record, item));
    this.#track(record, { proposal: undefined, timeoutMs: REVIEW_TTL_MS, requirement: {} });
    this.#deps.publish(record);
    return record;
  }

  /** Re-adds a persisted approval after a restart; a pending one gets its remaining time back (or expires now). */
  restore(record: ApprovalRecord): void {
    if (record.status !== 'pending') {
      // Kept (its machine never started) so that a re-proposal of its decision is handed this answer.
      if (!this.#entries.has(record.id)) this.#entries.set(record.id, closedEntry(record));
      return;
    }
    const entry = this.#track(record, {
      proposal: undefined,
      timeoutMs: record.expiresAt - this.#deps.clock.now(),
      requirement: requirementOf(record),
    });
    // Each grant was stored before it counted; counted again, the quorum resumes where it stood.
    for (const grant of countedGrants(record)) entry.actor.send({ type: 'approval.grant', ...grant });
    if (record.expiresAt <= this.#deps.clock.now())
      entry.actor.send({ type: 'approval.expire', at: this.#deps.clock.now() });
  }

  /** Every request (optionally of one status), oldest first. */
  list(status?: ApprovalRecord['status']): ApprovalRecord[] {
    const all = [...this.#entries.values()].map((e) => e.record);
    return status === undefined ? all : all.filter((r) => r.status === status);
  }

  /** One request, or undefined. */
  find(id: string): ApprovalRecord | undefined {
    return this.#entries.get(id)?.record;
  }

  /** One request, held in memory or else looked up in the store (a closed one let go), or undefined. */
  async lookup(id: string): Promise<ApprovalRecord | undefined> {
    return (this.#entries.get(id) ?? (await this.#recall(id)))?.record;
  }

  /** How many requests are held in memory: every open one and at most `keepClosed` closed ones. */
  get held(): number {
    return this.#entries.size;
  }

  /** One request; `MANDATE_ERR_NOT_FOUND` when there is none. */
  get(id: string): ApprovalRecord {
    return this.#entry(id).record;
  }

  /** How many requests are open. */
  get pending(): number {
    return this.list('pending').length;
  }

  /**
   * Grants a request. The agent must still be waiting for it (or about to); the budget is
   * reserved again before the completing grant (it may have been used while the request waited),
   * and a request whose budget is gone is rejected by governance instead. Write-ahead: the grant
   * (a quorum's grant counted, or the decision) is stored with its audit entry before it counts.
   */
  async approve(id: string, by: Principal, answer: string | ApprovalAnswerInput = {}): Promise<ApprovalRecord> {
    const { reason, signature } = typeof answer === 'string' ? { reason: answer, signature: undefined } : answer;
    checkAnswerInput(by, reason, signature);
    return this.#answer(id, async (entry) => {
      const host = this.#deps.agent(entry.record.agentId);
      if (host === undefined) throw new NotFoundError('agent', entry.record.agentId);
      const context = entry.actor.getSnapshot().context;
      // A review item is about an action already taken: nobody waits for it and it reserves nothing.
      const review = entry.record.kind === 'review';
      if (!review) checkAnswerable({ record: entry.record, context, host, by });
      checkFourEyes(entry.record, host, by);
      let record = entry.record;
      if (record.signatures !== undefined) {
        if (this.#deps.killed(host)) throw new KillSwitchEngagedError(host.id);
        const scheme = host.def.act?.signatures;
        record = await addSignature({ scheme, record, by, signature, at: this.#deps.clock.now() });
      }
      const at = this.#deps.clock.now();
      const given = reason === undefined ? { by, at } : { by, at, reason };
      if (grantCompletes(context, by)) {
        const reserved = review
          ? undefined
          : this.#deps.reserve(entry.proposal ?? this.#deps.proposalOf(host), `approved by ${by.id}`);
        if (reserved !== undefined && reserved.status !== 'approved')
          return this.#commits.cancel(entry, { by: GOVERNANCE, at, reason: reserved.reason });
        const outcome = { status: 'approved' as const, answer: given, grants: [...context.grants, given] };
        return this.#commits.decide(entry, decidedRecord(record, outcome, at), { type: 'approval.grant', ...given });
      }
      // One grant of a quorum: stored (with its signature) and audited, then counted; the request stays open.
      record = { ...record, grants: [...context.grants, given] };
      const where = host.def.group;
      await commitApproval(
        this.#deps,
        record,
        countedEntry(record, { ...given, where, grants: context.grants.length + 1 }),
      );
      entry.record = record;
      entry.actor.send({ type: 'approval.grant', ...given });
      return entry.record;
    });
  }

  /** Rejects a request; any admitted approver's rejection ends it, once stored with its audit entry. */
  async reject(id: string, by: Principal, reason: string): Promise<ApprovalRecord> {
    checkInput(principalSchema, by, 'principal');
    checkInput(reasonSchema, reason, 'rejection reason');
    return this.#answer(id, (entry) => {
      const context = entry.actor.getSnapshot().context;
      checkApprover(context, by, id);
      const answer = { by, at: this.#deps.clock.now(), reason };
      const outcome = { status: 'rejected' as const, answer, grants: context.grants };
      return this.#commits.decide(entry, decidedRecord(entry.record, outcome, answer.at), {
        type: 'approval.reject',
        ...answer,
      });
    });
  }

  /**
   * The kill switch retracts: every pending signature approval (Safe proposal) of an agent it
   * covers is withdrawn — rejected with the reason, its signatures never to be executed — and
   * reported per item. New signatures are refused while the switch covers the agent (`approve`).
   */
  async retract(covers: (agentId: string) => boolean, by: Principal, why: string): Promise<RetractedItem[]> {
    const cancel = (id: string, answer: { by: Principal; at: number; reason: string }) =>
      this.#answer(id, (entry) => this.#commits.cancel(entry, answer));
    return retractProposals(this.#entries.values(), { covers, by, why, at: this.#deps.clock.now(), cancel });
  }

  /** The agent has started to wait for its request: hand over an answer that came early. */
  onAgentWaiting(host: AgentHost): void {
    const id = host.context.verdict?.approvalId;
    if (id === undefined) return;
    // Inside the agent's transition: deliver right after it (a closed request let go from memory: once looked up).
    void Promise.resolve(this.#entries.get(id) ?? this.#recall(id)).then(
      (e) => e !== undefined && e.record.status !== 'pending' && !e.delivered && this.#commits.deliver(e),
      (error: Error) => this.#deps.alert(recallFailed(id, host.id, error)),
    );
  }

  /** Stops every open request's timer (runtime shutdown). */
  close(): void {
    for (const e of this.#entries.values()) e.actor.stop();
  }

  #entry(id: string): Entry {
    const entry = this.#entries.get(id);
    if (entry === undefined) throw new NotFoundError('approval', id);
    return entry;
  }

  #open(id: string): Entry {
    const entry = this.#entry(id);
    if (entry.record.status !== 'pending' || entry.finishing !== undefined) {
      throw new StateConflictError(
        `Approval "${id}" is already ${entry.record.status === 'pending' ? 'being decided' : entry.record.status}.`,
        { approvalId: id, status: entry.record.status },
      );
    }
    return entry;
  }

  #track(record: ApprovalRecord, { proposal, timeoutMs, requirement }: Tracking): Entry {
    this.#entries.get(record.id)?.actor.stop();
    const actor = createActor(approvalMachine, {
      input: machineInput(record, timeoutMs, requirement),
      clock: this.#deps.clock,
    });
    const entry = newEntry(record, proposal, actor);
    actor.subscribe({
      complete: () => {
        const snapshot = actor.getSnapshot();
        if (snapshot.status !== 'done') return; // stopped at shutdown: still pending in the store
        // Ended by an answer: #decide stored it first. Ended by itself (timer, retraction): store it now.
        if (entry.finishing === undefined && entry.record.status === 'pending')
          this.#commits.finishing(entry, snapshot.output);
      },
      error: () => {},
    });
    this.#entries.set(record.id, entry);
    actor.start();
    return entry;
  }

  /** A request not held in memory, looked up in the store by id and held again (a closed one among the recent). */
  async #recall(id: string): Promise<Entry | undefined> {
    const record = await this.#deps.store?.getApproval(id);
    if (record !== undefined && !this.#entries.has(id)) this.restore(record);
    return this.#entries.get(id);
  }

  /** Runs `work` on the open request `id` once the answers before it are stored (their order is the audit's). */
  async #answer(id: string, work: (entry: Entry) => Promise<ApprovalRecord>): Promise<ApprovalRecord> {
    // Not held: a closed request let go (answered "already decided" below), or none (not found).
    if (!this.#entries.has(id)) await this.#recall(id);
    const queued = this.#entry(id);
    const run = queued.answering.then(() => work(this.#open(id)));
    queued.answering = run.catch(() => undefined);
    return run;
  }
}
