import type { PolicyResult, Proposal } from '../../actors/index.ts';
import type { ProposalStage } from './ProposalStage.ts';

/**
 * Routes a proposal whose decision's computed confidence is below its agent's `confidenceFloor`
 * to human approval. It runs after governance, so limits and policy still apply; budget reserved by
 * governance's approval is kept under the decision id (reserving again on the grant is a no-op)
 * and released if the approval is rejected or expires.
 */
export class ConfidenceFloorStage implements ProposalStage {
  readonly name = 'confidence';
  readonly role = 'governance' as const;
  readonly #floorOf: (agentId: string) => number | undefined;

  /** `floorOf` answers an agent's floor (undefined or 0: no floor). */
  constructor(floorOf: (agentId: string) => number | undefined) {
    this.#floorOf = floorOf;
  }

  evaluate(proposal: Proposal): Promise<PolicyResult> {
    const floor = this.#floorOf(proposal.agentId) ?? 0;
    const c = proposal.decision.confidence;
    return Promise.resolve(
      c < floor
        ? { status: 'pending', reason: `confidence ${c} is below the floor ${floor}: a human approves` }
        : { status: 'approved', reason: floor > 0 ? `confidence ${c} at or above the floor ${floor}` : 'no floor' },
    );
  }
}
