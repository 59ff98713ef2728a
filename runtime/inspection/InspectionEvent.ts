import type { CollectedSignatures } from '../../actors/index.ts';
import type { ErrorCode, Principal } from '../../kernel/index.ts';

/** Who did something (the kernel's one `Principal`, re-exported for this folder's readers). */
export type { Principal };

/** One state change of one actor (agent or supervisor). The journal, audit log, metrics and UI all read these. */
export interface TransitionEvent {
  type: 'transition';
  /** Monotonic per-process sequence number. */
  seq: number;
  actorId: string;
  /** The supervisor that owns the actor; undefined for the root. */
  parentId: string | undefined;
  actorKind: 'agent' | 'supervisor';
  /** State value before and after, dot-joined (`cycle.perceive`). */
  from: string;
  to: string;
  /** The event type that caused it (`agent.perceive.done`). */
  event: string;
  /** A small JSON summary of the actor's context after the transition (cycle, decision action, error). */
  summary: Record<string, unknown>;
  /** Epoch milliseconds from the injected clock. */
  at: number;
}

/** An approval opened, granted, rejected or expired. */
export interface ApprovalEvent {
  type: 'approval';
  seq: number;
  approval: ApprovalRecord;
  at: number;
}

/** Something an operator should look at: a crash, an escalation, a kill switch, a repeated failure. */
export interface AlertEvent {
  type: 'alert';
  seq: number;
  severity: 'info' | 'warning' | 'critical';
  /** A code of the table (`ERROR_CODES`): an alert-only code, or the code of the error it is about. */
  code: ErrorCode;
  message: string;
  actorId?: string;
  at: number;
}

/** A human- or agent-facing approval request created by the governance supervisor. */
export interface ApprovalRecord {
  id: string;
  /** `review`: an executed action a learner flagged (docs/decisions.md); absent: a proposal waiting for approval. */
  kind?: 'review';
  agentId: string;
  decisionId: string;
  /** The proposed action, as the agent's decide phase produced it. */
  action: Record<string, unknown>;
  reason: string;
  status: 'pending' | 'approved' | 'rejected' | 'expired';
  requestedAt: number;
  expiresAt: number;
  decidedAt?: number;
  decidedBy?: Principal;
  decisionReason?: string;
  /** Distinct approvers needed (default 1) and who may answer (empty: anyone with the approve permission). */
  required?: number;
  approvers?: string[];
  /** For approvals that are signatures (a Safe quorum): what is signed, and the signatures so far. */
  signatures?: CollectedSignatures;
  /** The grants of a quorum counted so far (stored before each counts), so a restart counts them again. */
  grants?: { by: Principal; at: number; reason?: string }[];
}

/** Everything the inspection stream carries. */
export type InspectionEvent = TransitionEvent | ApprovalEvent | AlertEvent;
