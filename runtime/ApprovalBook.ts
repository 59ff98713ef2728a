import type { Proposal } from '../actors/index.ts';
import type { Principal } from '../machines/types.ts';
import type { Clock } from '../kernel/index.ts';
import { NotFoundError, StateConflictError } from './errors.ts';
import type { ApprovalRecord } from './inspection/InspectionEvent.ts';

/**
 * Pending human/agent approvals opened by governance. Each expires on its own
 * timer; a decided approval cannot be decided again.
 */
export class ApprovalBook {
  readonly #records = new Map<string, ApprovalRecord>();
  readonly #proposals = new Map<string, Proposal>();
  readonly #timers = new Map<string, unknown>();
  readonly #clock: Clock;
  readonly #onExpire: (record: ApprovalRecord) => void;

  constructor(clock: Clock, onExpire: (record: ApprovalRecord) => void) {
    this.#clock = clock;
    this.#onExpire = onExpire;
  }

  /** Opens a pending approval for a proposal. */
  open(id: string, proposal: Proposal, reason: string, timeoutMs: number): ApprovalRecord {
    const now = this.#clock.now();
    const record: ApprovalRecord = {
      id,
      agentId: proposal.agentId,
      decisionId: proposal.decision.id,
      action: proposal.action as unknown as Record<string, unknown>,
      reason,
      status: 'pending',
      requestedAt: now,
      expiresAt: now + timeoutMs,
    };
    this.#records.set(id, record);
    this.#proposals.set(id, proposal);
    this.#arm(record);
    return record;
  }

  /** Re-adds a persisted approval after a restart (pending ones get their timers back). */
  restore(record: ApprovalRecord, proposal: Proposal | undefined): void {
    this.#records.set(record.id, record);
    if (proposal !== undefined) this.#proposals.set(record.id, proposal);
    if (record.status === 'pending') this.#arm(record);
  }

  get(id: string): ApprovalRecord {
    const r = this.#records.get(id);
    if (r === undefined) throw new NotFoundError('approval', id);
    return r;
  }

  proposal(id: string): Proposal | undefined {
    return this.#proposals.get(id);
  }

  /** Marks a pending approval decided; throws 404/409 otherwise. */
  decide(id: string, status: 'approved' | 'rejected' | 'expired', by: Principal, reason: string | undefined): ApprovalRecord {
    const r = this.get(id);
    if (r.status !== 'pending') throw new StateConflictError(`Approval "${id}" is already ${r.status}.`, { approvalId: id, status: r.status });
    const decided: ApprovalRecord = { ...r, status, decidedAt: this.#clock.now(), decidedBy: by };
    if (reason !== undefined) decided.decisionReason = reason;
    this.#records.set(id, decided);
    this.#proposals.delete(id);
    const t = this.#timers.get(id);
    if (t !== undefined) this.#clock.clearTimeout(t);
    this.#timers.delete(id);
    return decided;
  }

  list(status?: ApprovalRecord['status']): ApprovalRecord[] {
    const all = [...this.#records.values()];
    return status === undefined ? all : all.filter((r) => r.status === status);
  }

  get pending(): number {
    let n = 0;
    for (const r of this.#records.values()) if (r.status === 'pending') n++;
    return n;
  }

  /** Cancels every timer (runtime shutdown). */
  close(): void {
    for (const t of this.#timers.values()) this.#clock.clearTimeout(t);
    this.#timers.clear();
  }

  #arm(record: ApprovalRecord): void {
    const delay = Math.max(0, record.expiresAt - this.#clock.now());
    this.#timers.set(
      record.id,
      this.#clock.setTimeout(() => {
        this.#timers.delete(record.id);
        if (this.#records.get(record.id)?.status === 'pending') this.#onExpire(record);
      }, delay),
    );
  }
}
