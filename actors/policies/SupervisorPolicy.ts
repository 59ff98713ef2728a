import type { Decision, Outcome, ProposedAction, Trigger } from '../../machines/index.ts';

/** A proposed action on its way up the supervisor chain. */
export interface Proposal {
  agentId: string;
  /** The sandbox group (supervisor) the agent runs under. */
  group: string;
  capabilities: readonly string[];
  decision: Decision;
  action: ProposedAction;
  facts: Record<string, unknown>;
  at: number;
  /** What started the cycle (a contract-net award is a `user` trigger named `agent:<did>`). */
  trigger?: Trigger;
}

/** One supervisor's answer. `pending` means a human or agent must approve within `approvalTimeoutMs`. */
export interface PolicyResult {
  status: 'approved' | 'denied' | 'pending';
  reason: string;
  approvalTimeoutMs?: number;
  /** For `pending`: distinct approvers needed and who may answer (governance rules set them). */
  requirement?: { required?: number; approvers?: readonly string[] };
}

/** Per-asset limits of one agent, as decimal strings (`{ USDC: "25000" }`). */
export interface SpendLimits {
  perTransaction?: Record<string, string>;
  daily?: Record<string, string>;
}

/**
 * The policy a supervisor applies to its children's proposals. Sandbox checks
 * capability and permission, reputation scales limits by trust, governance
 * applies policy rules, budgets and approvals.
 */
export interface SupervisorPolicy {
  readonly role: 'sandbox' | 'reputation' | 'governance';
  evaluate(proposal: Proposal): Promise<PolicyResult>;
  /** Called once the outcome is known: release or commit reservations, update scores. */
  settle?(proposal: Proposal, outcome: Outcome): Promise<void> | void;
}
