import type { Outcome } from '../../machines/index.ts';

/** The five dimensions of the seed's reputation score, each 0–100. */
export const REPUTATION_DIMENSIONS = [
  'reliability',
  'efficiency',
  'cooperation',
  'compliance',
  'financialResponsibility',
] as const;
/** One of {@link REPUTATION_DIMENSIONS}. */
export type ReputationDimension = (typeof REPUTATION_DIMENSIONS)[number];

/** An agent's score: the overall number and its dimensions, each in [0, 100]. */
export type ReputationScore = { overall: number; penalty: number } & Record<ReputationDimension, number>;

/** Where every dimension starts and decays back to. */
export const NEUTRAL = 75;
/** Weights of the dimensions in the overall score (they add up to 1). */
export const WEIGHTS: Readonly<Record<ReputationDimension, number>> = {
  reliability: 0.3,
  efficiency: 0.15,
  cooperation: 0.15,
  compliance: 0.2,
  financialResponsibility: 0.2,
};
/** How far one verified outcome moves a dimension toward its target (an exponential moving average). */
export const LEARNING_RATE = 0.1;
/** Half-life of the distance to neutral (and of slashing penalties): 7 days. */
export const HALF_LIFE_MS = 7 * 24 * 3600 * 1000;
/** Points slashed by severity (the seed's numbers). */
export const SLASH_POINTS = { minor: 5, major: 15, critical: 30 } as const;
/** Violation severity. */
export type Severity = keyof typeof SLASH_POINTS;
/** What a violation was, and the dimension it hits with the seed's weight. */
export const SLASH_TARGETS = {
  'missed-deadline': { dimension: 'reliability', weight: 0.5 },
  'compliance-violation': { dimension: 'compliance', weight: 0.8 },
  'financial-misconduct': { dimension: 'financialResponsibility', weight: 1 },
} as const satisfies Record<string, { dimension: ReputationDimension; weight: number }>;
/** Violation type. */
export type ViolationType = keyof typeof SLASH_TARGETS;

/** A verified outcome: what reputation is updated from (never from what an agent says of itself). */
export interface Evidence {
  status: Outcome['status'];
  /** The action moved money (a payment, a swap). */
  financial?: boolean;
  /** Fees paid over fees expected (1 = as expected); omitted when unknown. */
  costRatio?: number;
  /** The action was part of a multi-agent task (a contract-net award). */
  multiAgent?: boolean;
}

const clamp = (x: number): number => Math.min(100, Math.max(0, x));

/** A fresh score: every dimension neutral. */
export function neutralScore(): ReputationScore {
  return {
    overall: NEUTRAL,
    penalty: 0,
    reliability: NEUTRAL,
    efficiency: NEUTRAL,
    cooperation: NEUTRAL,
    compliance: NEUTRAL,
    financialResponsibility: NEUTRAL,
  };
}

/** overall = Σ weight·dimension − penalty, clamped to [0, 100]. */
function withOverall(s: ReputationScore): ReputationScore {
  const mean = REPUTATION_DIMENSIONS.reduce((sum, d) => sum + WEIGHTS[d] * s[d], 0);
  return { ...s, overall: clamp(mean - s.penalty) };
}

/** The targets an outcome pulls dimensions toward (a dimension it says nothing about is absent). */
export function targetsOf(e: Evidence): Partial<Record<ReputationDimension, number>> {
  const t: Partial<Record<ReputationDimension, number>> = {};
  switch (e.status) {
    case 'succeeded':
    case 'would-have-sent':
      t.reliability = 100;
      if (e.financial === true) t.financialResponsibility = 100;
      if (e.multiAgent === true) t.cooperation = 100;
      if (e.costRatio !== undefined) t.efficiency = clamp(100 * (2 - Math.max(1, e.costRatio)));
      break;
    case 'failed':
      t.reliability = 0;
      if (e.multiAgent === true) t.cooperation = 0;
      break;
    case 'denied':
      t.compliance = 0;
      break;
    case 'rejected':
      t.compliance = 25;
      break;
    case 'expired':
    case 'refused':
    case 'no-action':
      break;
  }
  return t;
}

/** Moves each dimension the evidence speaks of a step ({@link LEARNING_RATE}) toward its target. */
export function applyEvidence(s: ReputationScore, e: Evidence): ReputationScore {
  const next = { ...s };
  for (const [d, target] of Object.entries(targetsOf(e)) as Array<[ReputationDimension, number]>) {
    next[d] = clamp(s[d] + LEARNING_RATE * (target - s[d]));
  }
  return withOverall(next);
}

/** Slashes by severity: the penalty on the overall score grows by the points, the dimension of the type by points × weight. */
export function slash(s: ReputationScore, severity: Severity, type: ViolationType): ReputationScore {
  const points = SLASH_POINTS[severity];
  const { dimension, weight } = SLASH_TARGETS[type];
  return withOverall({ ...s, penalty: s.penalty + points, [dimension]: clamp(s[dimension] - points * weight) });
}

/** Decays every dimension toward {@link NEUTRAL} and the penalty toward 0, with half-life {@link HALF_LIFE_MS}. */
export function decay(s: ReputationScore, elapsedMs: number): ReputationScore {
  if (elapsedMs <= 0) return s;
  const keep = 2 ** (-elapsedMs / HALF_LIFE_MS);
  const next = { ...s, penalty: s.penalty * keep };
  for (const d of REPUTATION_DIMENSIONS) next[d] = clamp(NEUTRAL + (s[d] - NEUTRAL) * keep);
  return withOverall(next);
}

/**
 * The fraction of its configured limits an agent with this overall score may use: 10% up to
 * score 27, rising linearly to 100% at 90, then a bonus up to 125% at 100 (governance and the
 * policy's own maximum still apply). Monotone in the score.
 */
export function limitFactor(overall: number): number {
  if (overall > 90) return 1 + (0.25 * (Math.min(100, overall) - 90)) / 10;
  return Math.min(1, Math.max(0.1, (overall - 20) / 70));
}

/** Below this overall score: warning (limits tightened by the factor, operators alerted). */
export const WARNING_BELOW = 50;
/** Above this overall score: bonus (limits loosened by the factor). */
export const BONUS_ABOVE = 90;
