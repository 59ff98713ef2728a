import type { PolicyResult, Proposal, SupervisorPolicy } from './SupervisorPolicy.ts';

/** A grant: this capability may be exercised on these accounts (`*` = any). */
export interface Permission {
  capability: string;
  accounts: readonly string[];
}

/**
 * The sandbox supervisor's policy: an agent may only exercise capabilities it
 * declared, with a permission for the account it touches ("can agent X act on
 * account Y?"). Anything not granted is denied.
 */
export class SandboxPolicy implements SupervisorPolicy {
  readonly role = 'sandbox' as const;
  readonly group: string;
  readonly #permissionsOf: (agentId: string) => readonly Permission[] | undefined;

  /** `permissionsOf` answers an admitted agent's grants (undefined: not admitted to any sandbox). */
  constructor(group: string, permissionsOf: (agentId: string) => readonly Permission[] | undefined) {
    this.group = group;
    this.#permissionsOf = permissionsOf;
  }

  async evaluate(p: Proposal): Promise<PolicyResult> {
    const { action } = p;
    if (!p.capabilities.includes(action.capability)) {
      return { status: 'denied', reason: `agent ${p.agentId} does not hold capability "${action.capability}"` };
    }
    const permissions = this.#permissionsOf(p.agentId);
    if (permissions === undefined || p.group !== this.group)
      return { status: 'denied', reason: `agent ${p.agentId} is not admitted to sandbox ${this.group}` };
    const grant = permissions.find((perm) => perm.capability === action.capability);
    if (grant === undefined) return { status: 'denied', reason: `no permission for capability "${action.capability}"` };
    if (action.account !== undefined && !grant.accounts.includes('*') && !grant.accounts.includes(action.account)) {
      return {
        status: 'denied',
        reason: `capability "${action.capability}" is not granted on account "${action.account}"`,
      };
    }
    return { status: 'approved', reason: 'capability and account permitted' };
  }
}
