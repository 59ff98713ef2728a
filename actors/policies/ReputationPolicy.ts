import type { Outcome } from '../../machines/index.ts';
import { parseAmount } from '../amount.ts';
import {
  BONUS_ABOVE,
  limitFactor,
  SLASH_POINTS,
  WARNING_BELOW,
  type Severity,
  type ViolationType,
} from './reputationModel.ts';
import type { PolicyResult, Proposal, SpendLimits, SupervisorPolicy } from './SupervisorPolicy.ts';

/** A change of one agent's trust score, for the reputation event log. */
export interface ReputationChange {
  agentId: string;
  before: number;
  after: number;
  reason: string;
  at: number;
  /** Set when the change crossed a threshold: below 50 (warning) or above 90 (bonus). */
  threshold?: 'warning' | 'bonus';
}

/** A violation an agent is slashed for: how bad, of what kind, why, and when. */
export interface Violation {
  severity: Severity;
  type: ViolationType;
  reason: string;
  at: number;
}

/** Score changes per outcome; bounded to [0, 100]. */
const IMPACT: Record<Outcome['status'], number> = {
  succeeded: 2,
  'would-have-sent': 1,
  'no-action': 0,
  failed: -5,
  denied: -3,
  rejected: -2,
  expired: 0,
  refused: 0,
};

/** Options of the reputation supervisor. */
export interface ReputationOptions {
  /** Score of an agent with no history. */
  initialScore?: number;
  /** Below this score, no action with an amount is approved. */
  minScore?: number;
  limitsOf: (agentId: string) => SpendLimits | undefined;
  onChange?: (change: ReputationChange) => void;
}

/**
 * The reputation supervisor's policy: limits scaled by trust. An agent's
 * per-transaction limit is multiplied by `limitFactor` of its score (10% at 27
 * or less, 100% at 90, a bonus up to 125% at 100); scores move with outcomes
 * and are slashed for violations (minor 5, major 15, critical 30). Crossing
 * below 50 or above 90 is reported as a threshold. The seed's dimensions are
 * modelled in `reputationModel.ts` (docs/reputation.md) but not yet wired here.
 */
export class ReputationPolicy implements SupervisorPolicy {
  readonly role = 'reputation' as const;
  readonly #scores = new Map<string, number>();
  readonly #initial: number;
  readonly #min: number;
  readonly #options: ReputationOptions;

  constructor(options: ReputationOptions) {
    this.#options = options;
    this.#initial = options.initialScore ?? 75;
    this.#min = options.minScore ?? 30;
  }

  /** The agent's score in [0, 100]. */
  score(agentId: string): number {
    return this.#scores.get(agentId) ?? this.#initial;
  }

  /** Restores a persisted score. */
  setScore(agentId: string, score: number): void {
    this.#scores.set(agentId, Math.min(100, Math.max(0, score)));
  }

  /** The fraction of its configured limits an agent with this score may use. */
  static factor(score: number): number {
    return limitFactor(score);
  }

  async evaluate(p: Proposal): Promise<PolicyResult> {
    const amount = p.action.amount;
    if (amount === undefined) return { status: 'approved', reason: 'no amount at stake' };
    const score = this.score(p.agentId);
    if (score < this.#min) return { status: 'denied', reason: `trust score ${score} is below ${this.#min}` };
    const limit = this.#options.limitsOf(p.agentId)?.perTransaction?.[amount.asset];
    if (limit === undefined)
      return { status: 'denied', reason: `no per-transaction limit configured for ${amount.asset}` };
    const factor = ReputationPolicy.factor(score);
    const scaled = (parseAmount(limit) * BigInt(Math.round(factor * 10_000))) / 10_000n;
    if (parseAmount(amount.value) > scaled) {
      return {
        status: 'denied',
        reason: `${amount.value} ${amount.asset} exceeds the trust-scaled limit (${Math.round(factor * 100)}% of ${limit} at score ${score})`,
      };
    }
    return { status: 'approved', reason: `within ${Math.round(factor * 100)}% of limit at score ${score}` };
  }

  settle(p: Proposal, outcome: Outcome): void {
    this.record(p.agentId, outcome.status, p.at);
  }

  /** Applies an outcome's impact to an agent's score. */
  record(agentId: string, status: Outcome['status'], at: number): void {
    const delta = IMPACT[status];
    if (delta !== 0) this.#move(agentId, { delta, reason: `outcome ${status}`, at });
  }

  /** Slashes an agent for a violation by severity (minor 5, major 15, critical 30 points). */
  slash(agentId: string, { severity, type, reason, at }: Violation): void {
    this.#move(agentId, { delta: -SLASH_POINTS[severity], reason: `${severity} ${type}: ${reason}`, at });
  }

  #move(agentId: string, { delta, reason, at }: Pick<ReputationChange, 'reason' | 'at'> & { delta: number }): void {
    const before = this.score(agentId);
    const after = Math.min(100, Math.max(0, before + delta));
    if (after === before) return;
    this.#scores.set(agentId, after);
    const threshold =
      after < WARNING_BELOW && before >= WARNING_BELOW
        ? 'warning'
        : after > BONUS_ABOVE && before <= BONUS_ABOVE
          ? 'bonus'
          : undefined;
    this.#options.onChange?.({ agentId, before, after, reason, at, ...(threshold === undefined ? {} : { threshold }) });
  }
}
