import type { PolicyResult, Proposal } from '../../actors/index.ts';
import type { Outcome, SupervisorRole } from '../../machines/index.ts';

/**
 * One check of the proposal pipeline. A proposal passes the stages in order; the first denial
 * ends it, a `pending` answer opens an approval the agent waits for. A new check is a new stage
 * (e.g. zero-trust before governance), not a special case elsewhere.
 */
export interface ProposalStage {
  /** Names the stage in verdicts and the audit trail (`sandbox`, `reputation`, `governance`, …). */
  readonly name: string;
  /** The supervisor that owns the check; its actor hears every result (`supervisor.proposal.checked`). */
  readonly role: SupervisorRole;
  evaluate(proposal: Proposal): Promise<PolicyResult>;
  /** Told how the action ended: release or commit reservations, update scores. */
  settle?(proposal: Proposal, outcome: Outcome): void | Promise<void>;
  /** Takes back, at start, what the stage remembers across restarts (the zero-trust baselines). */
  restore?(): Promise<void>;
}
