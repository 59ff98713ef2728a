import { createHash } from 'node:crypto';
import type { Outcome } from '../../machines/index.ts';
import { amountToNumber } from '../amount.ts';
import type { PolicyResult, Proposal } from '../policies/SupervisorPolicy.ts';
import { BehaviourBaseline, type BehaviourSignals, type PastAction } from './BehaviourBaseline.ts';

/** Threat levels, lowest first. */
export type ThreatLevel = 'low' | 'medium' | 'high' | 'critical';

/** One zero-trust verdict: the level, what follows from it, and every reason. */
export interface ZeroTrustVerdict {
  level: ThreatLevel;
  outcome: 'approved' | 'flagged' | 'requires-approval' | 'denied';
  points: number;
  reasons: string[];
}

/** Options of the zero-trust stage. */
export interface ZeroTrustOptions {
  /** Whether the agent's identity is valid now (known key, registry entry, not revoked); a reason when it is not. */
  identityOf(agentId: string): { ok: true } | { ok: false; reason: string };
  /** Hours are read in UTC plus this offset (the operators' business day). */
  utcOffsetMinutes?: number;
  /** A critical verdict: pause the agent and raise an incident. */
  onCritical?(agentId: string, verdict: ZeroTrustVerdict): void;
  /**
   * The extra verification of a flagged (medium) verdict, e.g. a re-perceive of the agent's facts:
   * `ok` approves with the verdict's reasons and this one; otherwise the proposal requires a human
   * approval. Without it, a flagged verdict is approved with its reasons.
   */
  verifyFlagged?(p: Proposal, verdict: ZeroTrustVerdict): Promise<{ ok: boolean; reason: string }>;
  /** Told of every fact the baseline learns (to persist it; {@link ZeroTrustPolicy.restore} takes it back). */
  onLearned?(event: BehaviourFact): void;
}

/**
 * One fact of an agent's history as it is kept: a proposal's time, or an executed action. The
 * counterparty is a digest ({@link counterpartyKey}): novelty needs equality only, and a
 * counterparty may be personal data (an IBAN, a name).
 */
export interface BehaviourFact {
  agentId: string;
  kind: 'proposed' | 'executed';
  at: number;
  amount?: number;
  counterparty?: string;
}

/** Recent digests: an agent pays few counterparties, and hashing each proposal twice shows in the stage's cost. */
const digests = new Map<string, string>();

/** The digest a counterparty is remembered by (SHA-256, base64url, 128 bits). */
export function counterpartyKey(counterparty: string): string {
  let key = digests.get(counterparty);
  if (key === undefined) {
    key = createHash('sha256').update(counterparty).digest('base64url').slice(0, 22);
    if (digests.size >= 10_000) digests.clear();
    digests.set(counterparty, key);
  }
  return key;
}

/** Robust z-score above which an amount is anomalous (Iglewicz and Hoaglin's 3.5). */
export const AMOUNT_Z = 3.5;
/** A burst: more than this many times the expected proposals in 10 minutes (and at least 5). */
export const BURST_FACTOR = 5;
/** An hour of the day holding less than this share of the agent's past actions is unusual for it. */
export const ODD_HOUR_SHARE = 0.02;

/**
 * The zero-trust stage (before governance): identity, then the agent's behaviour against its own
 * history — amount by robust z-score, frequency against its baseline rate, counterparty novelty,
 * time of day. Points add up to a threat level: 0 low (approved), 1–2 medium (flagged: approved once
 * the extra verification `verifyFlagged` confirms it, else it requires approval), 3–7 high (requires approval), 8+ critical (denied; the agent is paused and an incident raised).
 * A tenfold amount, a burst, or a new counterparty at an odd hour each reach high on their own.
 */
export class ZeroTrustPolicy {
  readonly #baselines = new Map<string, BehaviourBaseline>();
  readonly #options: ZeroTrustOptions;

  constructor(options: ZeroTrustOptions) {
    this.#options = options;
  }

  /** The agent's baseline (created empty). */
  baseline(agentId: string): BehaviourBaseline {
    let b = this.#baselines.get(agentId);
    if (b === undefined) {
      b = new BehaviourBaseline(this.#options.utcOffsetMinutes);
      this.#baselines.set(agentId, b);
    }
    return b;
  }

  /** The verdict on a proposal, without recording it. */
  assess(p: Proposal): ZeroTrustVerdict {
    const identity = this.#options.identityOf(p.agentId);
    if (!identity.ok)
      return { level: 'critical', outcome: 'denied', points: 8, reasons: [`identity: ${identity.reason}`] };
    const candidate = pastActionOf(p);
    const amount = candidate.amount;
    const s = this.baseline(p.agentId).signals(candidate);
    const { points, reasons } = score(s, amount, p.action.counterparty);
    const level: ThreatLevel = points >= 8 ? 'critical' : points >= 3 ? 'high' : points >= 1 ? 'medium' : 'low';
    const outcome = { low: 'approved', medium: 'flagged', high: 'requires-approval', critical: 'denied' } as const;
    return { level, outcome: outcome[level], points, reasons };
  }

  async evaluate(p: Proposal): Promise<PolicyResult> {
    const v = this.assess(p);
    this.baseline(p.agentId).proposed(p.at);
    this.#options.onLearned?.({ agentId: p.agentId, kind: 'proposed', at: p.at });
    const why = `threat ${v.level}${v.reasons.length === 0 ? ': behaviour matches the agent\u2019s history' : `: ${v.reasons.join('; ')}`}`;
    if (v.outcome === 'denied') {
      this.#options.onCritical?.(p.agentId, v);
      return { status: 'denied', reason: why };
    }
    if (v.outcome === 'requires-approval') return { status: 'pending', reason: why };
    if (v.outcome === 'approved') return { status: 'approved', reason: why };
    if (this.#options.verifyFlagged === undefined) return { status: 'approved', reason: `flagged, ${why}` };
    const check = await this.#options.verifyFlagged(p, v);
    return check.ok
      ? { status: 'approved', reason: `flagged, ${why}; verified: ${check.reason}` }
      : { status: 'pending', reason: `flagged, ${why}; not verified (${check.reason}): it waits for a human approval` };
  }

  /** Executed actions join the agent's history. */
  settle(p: Proposal, outcome: Outcome): void {
    if (outcome.status !== 'succeeded' && outcome.status !== 'would-have-sent') return;
    const action = pastActionOf(p);
    this.baseline(p.agentId).executed(action);
    this.#options.onLearned?.({ agentId: p.agentId, kind: 'executed', ...action });
  }

  /** Takes back a fact learned before a restart (in the order learned), without telling `onLearned`. */
  restore(fact: BehaviourFact): void {
    const b = this.baseline(fact.agentId);
    if (fact.kind === 'proposed') b.proposed(fact.at);
    else
      b.executed({
        at: fact.at,
        ...(fact.amount === undefined ? {} : { amount: fact.amount }),
        ...(fact.counterparty === undefined ? {} : { counterparty: fact.counterparty }),
      });
  }
}

function pastActionOf(p: Proposal): PastAction {
  const { amount, counterparty } = p.action;
  return {
    at: p.at,
    ...(amount === undefined ? {} : { amount: amountToNumber(amount.value) }),
    ...(counterparty === undefined ? {} : { counterparty: counterpartyKey(counterparty) }),
  };
}

function score(
  s: BehaviourSignals,
  amount: number | undefined,
  counterparty: string | undefined,
): { points: number; reasons: string[] } {
  let points = 0;
  const reasons: string[] = [];
  if (s.amountZ !== undefined && s.amountZ > AMOUNT_Z) {
    points += s.amountZ > 3 * AMOUNT_Z ? 4 : 3;
    reasons.push(
      `amount ${amount} is ${s.amountZ.toFixed(1)} robust z above the median ${s.median} (limit ${AMOUNT_Z})`,
    );
  }
  if (s.expectedRecent !== undefined && s.recent + 1 > Math.max(5, BURST_FACTOR * s.expectedRecent)) {
    points += 3;
    reasons.push(`burst: ${s.recent + 1} proposals in 10 min, baseline ${s.expectedRecent.toFixed(2)}`);
  }
  const oddHour = s.hourShare !== undefined && s.hourShare < ODD_HOUR_SHARE;
  if (s.newCounterparty) {
    points += 1;
    reasons.push(`new counterparty ${counterparty}`);
  }
  if (oddHour) {
    points += 1;
    reasons.push(`unusual hour ${s.hour}:00 (${((s.hourShare ?? 0) * 100).toFixed(1)}% of past actions)`);
  }
  if (s.newCounterparty && oddHour) points += 1; // together, more than the sum of their parts
  return { points, reasons };
}
