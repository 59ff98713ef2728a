import type { Outcome } from '../../machines/index.ts';
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
import { evidenceOf } from './reputationEvidence.ts';
import type { PolicyResult, Proposal, SpendLimits, SupervisorPolicy } from './SupervisorPolicy.ts';

/** An agent's reputation as the supervisor holds it: the score and when it was last updated (decay runs from there). */
export interface ReputationState {
  score: ReputationScore;
  at: number;
}

/** A change of one agent's reputation, for the audit log, the store and the alerts. */
export interface ReputationChange {
  agentId: string;
  /** What moved it: a verified outcome or a slash for a violation. */
  kind: 'outcome' | 'slash';
  /** Overall score before and after (two decimals). */
  before: number;
  after: number;
  reason: string;
  at: number;
  /** The full score after the change (what a restart restores). */
  state: ReputationState;
  /** Set when the change crossed a threshold: below 50 (warning), below the floor (suspended, nothing with an amount approved) or above 90 (bonus). */
  threshold?: 'warning' | 'suspended' | 'bonus';
  /** The violation, for a slash. */
  violation?: { severity: Severity; type: ViolationType };
}

/** A violation an agent is slashed for: how bad, of what kind, why, and when. */
export interface Violation {
  severity: Severity;
  type: ViolationType;
  reason: string;
  at: number;
}

/** Options of the reputation supervisor. */
export interface ReputationOptions {
  /** Overall score of an agent with no history (its dimensions start at the same number; default 75, neutral). */
  initialScore?: number;
  /** Below this overall score, no action with an amount is approved (default 30). */
  minScore?: number;
  limitsOf: (agentId: string) => SpendLimits | undefined;
  /** The time scores are read at (decay runs until then); without it, the time of the last update. */
  now?: () => number;
  onChange?: (change: ReputationChange) => void;
}

const round = (x: number): number => Math.round(x * 100) / 100;

/**
 * The reputation supervisor's policy: the seed's score (docs/reputation.md) — overall plus
 * reliability, efficiency, cooperation, compliance and financial responsibility — updated only
 * from verified outcomes (what the pipeline settles) and violations the runtime observes, decaying
 * toward neutral. An agent's per-transaction limit is multiplied by `limitFactor` of its overall
 * score (tightened below 50, loosened up to 125% above 90); below `minScore` nothing with an
 * amount is approved. Crossing a threshold is reported on the change.
 */
export class ReputationPolicy implements SupervisorPolicy {
  readonly role = 'reputation' as const;
  readonly #states = new Map<string, ReputationState>();
  /** Decisions this policy denied itself (a trust-scaled limit is not a compliance breach of the agent). */
  readonly #ownDenials = new Set<string>();
  readonly #initial: number;
  readonly #min: number;
  readonly #options: ReputationOptions;

  constructor(options: ReputationOptions) {
    this.#options = options;
    this.#initial = options.initialScore ?? 75;
    this.#min = options.minScore ?? 30;
  }

  /** The floor below which nothing with an amount is approved. */
  get minScore(): number {
    return this.#min;
  }

  /** The agent's overall score in [0, 100], two decimals, decayed to `at` (default: now). */
  score(agentId: string, at?: number): number {
    return round(this.dimensions(agentId, at).overall);
  }

  /** The agent's full score (overall, penalty, dimensions), decayed to `at` (default: now). */
  dimensions(agentId: string, at = this.#options.now?.()): ReputationScore {
    const entry = this.#states.get(agentId);
    if (entry === undefined) return this.#fresh();
    return at === undefined ? entry.score : decay(entry.score, at - entry.at);
  }

  /** The stored state of an agent (undefined: no history yet, it has the initial score). */
  state(agentId: string): ReputationState | undefined {
    const s = this.#states.get(agentId);
    return s === undefined ? undefined : { score: { ...s.score }, at: s.at };
  }

  /** Takes back a persisted state (at start, from the store). Nothing is reported. */
  restore(agentId: string, state: ReputationState): void {
    this.#states.set(agentId, { score: { ...state.score }, at: state.at });
  }

  /** Sets every dimension (and so the overall score) to `score`, as of `at` (tests and operators' resets). */
  setScore(agentId: string, score: number, at = this.#options.now?.() ?? 0): void {
    const v = Math.min(100, Math.max(0, score));
    const s = neutralScore();
    for (const d of REPUTATION_DIMENSIONS) s[d] = v;
    this.#states.set(agentId, { score: { ...s, overall: v }, at });
  }

  /** Forgets an agent (it was removed). */
  forget(agentId: string): void {
    this.#states.delete(agentId);
  }

  /** The fraction of its configured limits an agent with this score may use (see `limitFactor`). */
  static factor(score: number): number {
    return limitFactor(score);
  }

  async evaluate(p: Proposal): Promise<PolicyResult> {
    const amount = p.action.amount;
    if (amount === undefined) return { status: 'approved', reason: 'no amount at stake' };
    const score = this.score(p.agentId, p.at);
    if (score < this.#min) return this.#deny(p, `trust score ${score} is below ${this.#min}`);
    const limit = this.#options.limitsOf(p.agentId)?.perTransaction?.[amount.asset];
    if (limit === undefined) return this.#deny(p, `no per-transaction limit configured for ${amount.asset}`);
    const factor = ReputationPolicy.factor(score);
    const scaled = (parseAmount(limit) * BigInt(Math.round(factor * 10_000))) / 10_000n;
    if (parseAmount(amount.value) > scaled) {
      return this.#deny(
        p,
        `${amount.value} ${amount.asset} exceeds the trust-scaled limit (${Math.round(factor * 100)}% of ${limit} at score ${score})`,
      );
    }
    return { status: 'approved', reason: `within ${Math.round(factor * 100)}% of limit at score ${score}` };
  }

  settle(p: Proposal, outcome: Outcome): void {
    const own = this.#ownDenials.delete(p.decision.id);
    const evidence = evidenceOf(p, outcome);
    // Its own trust gate says nothing new of the agent's compliance (no spiral of denials).
    if (own && outcome.status === 'denied') return;
    this.observe(p.agentId, evidence, p.at);
  }

  /** Applies an outcome's impact by its status alone (no money moved, no multi-agent task). */
  record(agentId: string, status: Outcome['status'], at: number): void {
    this.observe(agentId, { status }, at);
  }

  /** Applies a verified outcome. */
  observe(agentId: string, evidence: Evidence, at: number): void {
    this.#update(agentId, { at, kind: 'outcome', reason: `outcome ${evidence.status}` }, (s) =>
      applyEvidence(s, evidence),
    );
  }

  /** Slashes an agent for a violation (severity: minor 5, major 15, critical 30; the type picks the dimension). */
  slash(agentId: string, { severity, type, reason, at }: Violation): void {
    this.#update(
      agentId,
      { at, kind: 'slash', reason: `${severity} ${type}: ${reason}`, violation: { severity, type } },
      (s) => slash(s, severity, type),
    );
  }

  #deny(p: Proposal, reason: string): PolicyResult {
    this.#ownDenials.add(p.decision.id);
    if (this.#ownDenials.size > 10_000) this.#ownDenials.delete(this.#ownDenials.values().next().value!);
    return { status: 'denied', reason };
  }

  #fresh(): ReputationScore {
    const s = neutralScore();
    if (this.#initial === s.overall) return s;
    for (const d of REPUTATION_DIMENSIONS) s[d] = this.#initial;
    return { ...s, overall: this.#initial };
  }

  #update(
    agentId: string,
    change: Pick<ReputationChange, 'at' | 'kind' | 'reason' | 'violation'>,
    f: (s: ReputationScore) => ReputationScore,
  ): void {
    const current = this.dimensions(agentId, change.at);
    const next = f(current);
    if (REPUTATION_DIMENSIONS.every((d) => next[d] === current[d]) && next.penalty === current.penalty) return;
    const state = { score: next, at: change.at };
    this.#states.set(agentId, state);
    const before = round(current.overall);
    const after = round(next.overall);
    const threshold = this.#crossed(before, after);
    this.#options.onChange?.({
      agentId,
      before,
      after,
      ...change,
      state: { score: { ...next }, at: change.at },
      ...(threshold === undefined ? {} : { threshold }),
    });
  }

  #crossed(before: number, after: number): ReputationChange['threshold'] {
    if (after < this.#min && before >= this.#min) return 'suspended';
    if (after < WARNING_BELOW && before >= WARNING_BELOW) return 'warning';
    if (after > BONUS_ABOVE && before <= BONUS_ABOVE) return 'bonus';
    return undefined;
  }
}
