import { ErrorCode } from '../../kernel/index.ts';

/** How alerts are folded, derived and resolved (`RuntimeOptions.alerting.rules`). */
export interface AlertRules {
  /** `count` failed cycles of one agent within `windowMs` raise `MANDATE_ALERT_REPEATED_FAILURES` (default 3 in 10 minutes). */
  repeatedFailures: { count: number; windowMs: number };
  /** An alert without a resolve condition of its own resolves after this long without a repeat (default 15 minutes). */
  quietMs: number;
}

/** The defaults of {@link AlertRules}. */
export const DEFAULT_ALERT_RULES: AlertRules = {
  repeatedFailures: { count: 3, windowMs: 600_000 },
  quietMs: 900_000,
};

/** Repeats of the same code about the same actor fold into one alert while it is not resolved. */
export function dedupKeyOf(code: ErrorCode, actorId: string | undefined): string {
  return `${code}:${actorId ?? 'node'}`;
}

/** Raising the key's code resolves these codes' alerts (same actor): a release ends an engagement. */
export const RESOLVED_BY_ALERT: Partial<Record<ErrorCode, ErrorCode>> = {
  [ErrorCode.MANDATE_KILL_SWITCH_RELEASED]: ErrorCode.MANDATE_ERR_KILL_SWITCH,
};

/** Codes resolved when an agent under the alert's supervisor completes a cycle (the subtree recovered). */
export const RESOLVED_BY_CHILD_CYCLE: ReadonlySet<ErrorCode> = new Set([ErrorCode.MANDATE_ERR_SUPERVISOR_ESCALATED]);

/** How long without a repeat resolves an alert of `code`; undefined: only its own condition (or nothing) does. */
export function quietPeriodOf(code: ErrorCode, rules: AlertRules): number | undefined {
  if (code === ErrorCode.MANDATE_ALERT_REPEATED_FAILURES) return rules.repeatedFailures.windowMs;
  if (code === ErrorCode.MANDATE_ERR_KILL_SWITCH || RESOLVED_BY_CHILD_CYCLE.has(code)) return undefined;
  return rules.quietMs;
}
