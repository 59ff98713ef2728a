import { ErrorCode } from '../../kernel/index.ts';

/** How alerts are folded, derived and resolved (`RuntimeOptions.alerting.rules`). */
export interface AlertRules {
  /** `count` failed cycles of one agent within `windowMs` raise `MANDATE_ALERT_REPEATED_FAILURES` (default 3 in 10 minutes). */
  repeatedFailures: { count: number; windowMs: number };
  /** An alert without a resolve condition of its own resolves after this long without a repeat (default 15 minutes). */
  quietMs: number;
  /** A daily limit or group budget used to at least this share raises `MANDATE_ALERT_BUDGET_HIGH` (default 0.8). */
  budgetShare: number;
  /** An approval pending this long raises `MANDATE_ALERT_APPROVAL_OVERDUE` (default 15 minutes). */
  approvalWaitMs: number;
}

/** The defaults of {@link AlertRules}. */
export const DEFAULT_ALERT_RULES: AlertRules = {
  repeatedFailures: { count: 3, windowMs: 600_000 },
  quietMs: 900_000,
  budgetShare: 0.8,
  approvalWaitMs: 900_000,
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

/** Codes resolved when the same agent perceives again without the error (its oracle sources agree and are fresh again). */
export const RESOLVED_BY_OWN_PERCEIVE: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.MANDATE_ERR_ORACLE_DEVIATION,
  ErrorCode.MANDATE_ERR_ORACLE_STALE,
]);

/** Codes only their own condition resolves (no quiet period): an operator must see them end. */
const NO_QUIET: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.MANDATE_ERR_KILL_SWITCH,
  ErrorCode.MANDATE_ALERT_SLIPPAGE,
  ErrorCode.MANDATE_ALERT_BUDGET_HIGH,
  ErrorCode.MANDATE_ALERT_APPROVAL_OVERDUE,
  ErrorCode.MANDATE_ALERT_NODE_LOST,
]);

/** How long without a repeat resolves an alert of `code`; undefined: only its own condition (or nothing) does. */
export function quietPeriodOf(code: ErrorCode, rules: AlertRules): number | undefined {
  if (code === ErrorCode.MANDATE_ALERT_REPEATED_FAILURES) return rules.repeatedFailures.windowMs;
  if (NO_QUIET.has(code) || RESOLVED_BY_CHILD_CYCLE.has(code)) return undefined;
  return rules.quietMs;
}

/** What the slippage rule reads of a settled action. */
export interface SettledSwap {
  action: { type: string; params?: Record<string, unknown> | undefined };
  outcome: { status: string; slippageBps?: number | undefined; error?: { code?: string } | undefined };
}

/**
 * Whether a settled action breached its slippage bound: a reason when it did (slippage above the
 * action's `maxSlippageBps`, default 100, or the rail refused it for slippage), `false` for a
 * swap within its bound, undefined for anything that says nothing about slippage.
 */
export function slippageBreach({ action, outcome }: SettledSwap): string | false | undefined {
  const bound = Number(action.params?.maxSlippageBps ?? 100);
  if (outcome.error?.code === ErrorCode.MANDATE_ERR_SWAP_SLIPPAGE)
    return `${action.type} refused by the rail: slippage above ${bound} bps`;
  if (outcome.slippageBps === undefined) return undefined;
  if (outcome.slippageBps > bound)
    return `${action.type} slipped ${outcome.slippageBps} bps, above its ${bound} bps bound`;
  return false;
}
