import type { Principal } from '../../kernel/index.ts';

/** One audit entry as given by the runtime: who, what, when, where, why. */
export interface AuditInput {
  who: Principal;
  /** Dot-named action, e.g. `agent.act.succeeded`, `operator.pause`, `config.agent.registered`. */
  action: string;
  /** What it was done to (agent id, approval id, intent key). */
  subject: string;
  /** Node / supervisor / account where it happened. */
  where: string;
  why: string;
  /** Structured details; counterparty personal data must be referenced by pseudonymous id, never inlined. */
  data: Record<string, unknown>;
  at: number;
}
