import type { Outcome } from '../../machines/types.ts';
import { parseAmount } from '../amount.ts';
import {
  applyEvidence,
  BONUS_ABOVE,
  decay,
  limitFactor,
  neutralScore,
  REPUTATION_DIMENSIONS,
  slash,
  WARNING_BELOW,
  type Evidence,
  type ReputationScore,
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
  /** The dimensions after the change. */
  dimensions?: ReputationScore;
  /** Set when the change crossed a threshold: below 50 (warning) or above 90 (bonus). */
  threshold?: 'warning' | 'bonus';
}

/** Options of the reputation supervisor. */
export interface ReputationOptions {
  /** Overall score of an agent with no history (its dimensions start at the same number). */
  initialScore?: number;
  /** Below this score, no action with an amount is approved. */
  minScore?: number;
  limitsOf: (agentId: string) => SpendLimits | undefined;
  onChange?: (change: ReputationChange) => void;
}

const round = (x: number): number => Math.round(x * 100) / 100;

/**
 * The reputation supervisor's policy: the seed's multi-dimensional score (docs/reputation.md),
 * updated only from verified outcomes and violations, decaying toward neutral, scaling limits by
 * `limitFactor` (tightened below 50, loosened up to 125% above 90), and denying actions with an
 * amount below `minScore`.
 */
export class ReputationPolicy implements SupervisorPolicy {
  readonly role = 'reputation' as const;
  readonly #scores = new Map<string, { score: ReputationScore; at: number }>();
  readonly #initial: number;
  readonly #min: number;
  readonly #options: ReputationOptions;

  constructor(options: ReputationOptions) {
    this.#options = options;
    this.#initial = options.initialScore ?? 75;
    this.#min = options.minScore ?? 30;
  }

  /** The agent's overall score in [0, 100], two decimals. */
  score(agentId: string): number {
    return round(this.dimensions(agentId).overall);
  }

  /** The agent's full score (overall, penalty, dimensions), decayed to `at` when given. */
  dimensions(agentId: string, at?: number): ReputationScore {
    const entry = this.#scores.get(agentId);
    if (entry === undefined) return this.#fresh();
    return at === undefined ? entry.score : decay(entry.score, at - entry.at);
  }

  /** Restores a persisted overall score (every dimension set to it). */
  setScore(agentId: string, score: number, at = 0): void {
    const v = Math.min(100, Math.max(0, score));
    const s = neutralScore();
    for (const d of REPUTATION_DIMENSIONS) s[d] = v;
    this.#scores.set(agentId, { score: { ...s, overall: v }, at });
  }

  /** The fraction of its configured limits an agent with this score may use (see `limitFactor`). */
  static factor(score: number): number {
    return limitFactor(score);
  }

  async evaluate(p: Proposal): Promise<PolicyResult> {
    const amount = p.action.amount;
    if (amount === undefined) return { status: 'approved', reason: 'no amount at stake' };
    const score = round(this.dimensions(p.agentId, p.at).overall);
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
    this.observe(p.agentId, { status: outcome.status, financial: p.action.amount !== undefined }, p.at);
  }

  /** Applies an outcome's impact to an agent's score (status only). */
  record(agentId: string, status: Outcome['status'], at: number): void {
    this.observe(agentId, { status }, at);
  }

  /** Applies a verified outcome. */
  observe(agentId: string, evidence: Evidence, at: number): void {
    this.#update(agentId, at, `outcome ${evidence.status}`, (s) => applyEvidence(s, evidence));
  }

  /** Slashes an agent for a violation (severity: minor 5, major 15, critical 30; the type picks the dimension). */
  slash(agentId: string, severity: Severity, type: ViolationType, reason: string, at: number): void {
    this.#update(agentId, at, `${severity} ${type}: ${reason}`, (s) => slash(s, severity, type));
  }

  #fresh(): ReputationScore {
    const s = neutralScore();
    if (this.#initial === s.overall) return s;
    for (const d of REPUTATION_DIMENSIONS) s[d] = this.#initial;
    return { ...s, overall: this.#initial };
  }

  #update(agentId: string, at: number, reason: string, f: (s: ReputationScore) => ReputationScore): void {
    const current = this.dimensions(agentId, at);
    const next = f(current);
    this.#scores.set(agentId, { score: next, at });
    const before = round(current.overall);
    const after = round(next.overall);
    if (after === before) return;
    const threshold =
      after < WARNING_BELOW && before >= WARNING_BELOW
        ? 'warning'
        : after > BONUS_ABOVE && before <= BONUS_ABOVE
          ? 'bonus'
          : undefined;
    this.#options.onChange?.({
      agentId,
      before,
      after,
      reason,
      at,
      dimensions: next,
      ...(threshold === undefined ? {} : { threshold }),
    });
  }
}
