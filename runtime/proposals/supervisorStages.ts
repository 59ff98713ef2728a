import {
  SandboxPolicy,
  type Permission,
  type PolicyResult,
  type Proposal,
  type SupervisorPolicy,
} from '../../actors/index.ts';
import type { ProposalStage } from './ProposalStage.ts';

/**
 * The sandbox supervisors' stage: an agent may exercise only the capabilities it declared, on
 * the accounts it was granted, inside the sandbox group it was admitted to. One policy per group.
 */
export class SandboxStage implements ProposalStage {
  readonly name = 'sandbox';
  readonly role = 'sandbox' as const;
  readonly #policies = new Map<string, SandboxPolicy>();
  readonly #permissionsOf: (agentId: string) => readonly Permission[] | undefined;

  /** `permissionsOf` answers an admitted agent's grants (undefined: not admitted). */
  constructor(permissionsOf: (agentId: string) => readonly Permission[] | undefined) {
    this.#permissionsOf = permissionsOf;
  }

  evaluate(proposal: Proposal): Promise<PolicyResult> {
    let policy = this.#policies.get(proposal.group);
    if (policy === undefined) {
      policy = new SandboxPolicy(proposal.group, this.#permissionsOf);
      this.#policies.set(proposal.group, policy);
    }
    return policy.evaluate(proposal);
  }
}

/** A supervisor policy (reputation, governance) as a pipeline stage named after its role. */
export function policyStage(policy: SupervisorPolicy): ProposalStage {
  const stage: ProposalStage = { name: policy.role, role: policy.role, evaluate: (p) => policy.evaluate(p) };
  return policy.settle === undefined ? stage : { ...stage, settle: (p, o) => policy.settle?.(p, o) };
}
