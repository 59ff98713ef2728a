import { ErrorCode } from '../../kernel/index.ts';
import type { AlertSeverity } from '../host/AgentHost.ts';

/** One actor a condition holds for now, and what to tell the operator. */
export interface ConditionHit {
  actorId: string;
  message: string;
}

/**
 * A level-triggered alert rule: checked on the alert book's timer, it raises its alert (key
 * `<code>:<actor>`) for each actor it holds for and resolves that alert once it no longer holds.
 * While it holds nothing is raised again, so `count` says how often it began, not how long it lasted.
 */
export interface AlertCondition {
  code: ErrorCode;
  severity: AlertSeverity;
  /** The actors the condition holds for at `now`. */
  check(now: number): ConditionHit[];
  /** The resolve reason written on an alert whose condition no longer holds. */
  resolvedWhy: string;
}

const pct = (share: number): string => `${Math.floor(share * 100)}%`;
const minutes = (ms: number): string => `${Math.round(ms / 60_000)} min`;

/**
 * Budget ≥ `share` used (default 80%): every agent daily limit and group budget that governance
 * counts, per owner (all its assets in one message, the fullest first).
 */
export function budgetCondition(options: {
  share: number;
  use(now: number): Array<{ owner: string; asset: string; used: string; limit: string; share: number }>;
}): AlertCondition {
  return {
    code: ErrorCode.MANDATE_ALERT_BUDGET_HIGH,
    severity: 'warning',
    resolvedWhy: `budget use back under ${pct(options.share)}`,
    check(now) {
      const byOwner = new Map<string, string[]>();
      const rows = options.use(now).filter((u) => u.share >= options.share);
      for (const u of rows.sort((a, b) => b.share - a.share)) {
        const what = u.owner.startsWith('group:') ? 'daily budget' : 'daily limit';
        const list = byOwner.get(u.owner) ?? [];
        list.push(`${u.used} of its ${what} ${u.limit} ${u.asset} (${pct(u.share)})`);
        byOwner.set(u.owner, list);
      }
      return [...byOwner].map(([owner, parts]) => ({
        actorId: owner,
        message: `${owner} used ${parts.join(', ')} in the last 24 h`,
      }));
    },
  };
}

/** An approval pending longer than `afterMs` (default 15 minutes), one alert per waiting agent. */
export function approvalWaitCondition(options: {
  afterMs: number;
  pending(): Array<{ id: string; agentId: string; requestedAt: number; expiresAt: number; action: { type?: unknown } }>;
}): AlertCondition {
  return {
    code: ErrorCode.MANDATE_ALERT_APPROVAL_OVERDUE,
    severity: 'warning',
    resolvedWhy: 'the approval was answered, expired or withdrawn',
    check(now) {
      return options
        .pending()
        .filter((a) => now - a.requestedAt >= options.afterMs)
        .map((a) => ({
          actorId: a.agentId,
          message: `approval ${a.id} (${typeof a.action.type === 'string' ? a.action.type : 'action'} of ${a.agentId}) has waited ${minutes(now - a.requestedAt)}, past the ${minutes(options.afterMs)} threshold; it expires at ${new Date(a.expiresAt).toISOString()}`,
        }));
    },
  };
}

/** A peer node seen before that stopped announcing itself without leaving (placement's view). */
export function nodeLostCondition(options: {
  nodes(): Array<{ id: string; alive: boolean }> | undefined;
  self: string;
}): AlertCondition {
  return {
    code: ErrorCode.MANDATE_ALERT_NODE_LOST,
    severity: 'critical',
    resolvedWhy: 'the node announces itself again, or left',
    check() {
      return (options.nodes() ?? [])
        .filter((n) => !n.alive && n.id !== options.self)
        .map((n) => ({
          actorId: `node:${n.id}`,
          message: `node ${n.id} has not announced itself for longer than the lease TTL and did not leave (crashed or cut off); its agents' leases lapse and the other nodes resume them`,
        }));
    },
  };
}

/** Registers the budget and approval-wait rules on `book` with the thresholds of its rules. */
export function watchAlertRules(
  book: { rules: { budgetShare: number; approvalWaitMs: number }; watch(c: AlertCondition): void },
  deps: {
    governance: { budgetUse: Parameters<typeof budgetCondition>[0]['use'] };
    approvals: { list(status: 'pending'): ReturnType<Parameters<typeof approvalWaitCondition>[0]['pending']> };
  },
): void {
  book.watch(budgetCondition({ share: book.rules.budgetShare, use: (now) => deps.governance.budgetUse(now) }));
  book.watch(
    approvalWaitCondition({ afterMs: book.rules.approvalWaitMs, pending: () => deps.approvals.list('pending') }),
  );
}
