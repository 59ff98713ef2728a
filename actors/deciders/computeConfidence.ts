/** The three factors of a decision's confidence, each in [0, 1]. */
export interface ConfidenceFactors {
  /** Δ / (Δ + marginScale), Δ the chosen option's score minus the runner-up's; 1 when there was nothing else. */
  margin: number;
  /** The share of generators whose best option is the chosen action type (1 with a single generator). */
  agreement: number;
  /** The worst `quality` a perceived fact group reported (1 when none did). */
  dataQuality: number;
}

/**
 * A decision's confidence: margin × agreement × data quality, rounded to 4 places. Documented in
 * docs/decisions.md. A clear winner, generators that agree and fresh data give confidence near 1;
 * a near-tie, a split between rules and strategy, or stale oracles pull it down.
 *
 * @example
 * confidence(0.3, 0.1, { agreement: 1, dataQuality: 1 }); // 0.75
 */
export function confidence(
  delta: number | undefined,
  marginScale: number,
  f: Omit<ConfidenceFactors, 'margin'>,
): { value: number; factors: ConfidenceFactors } {
  const margin = delta === undefined ? 1 : Math.max(0, delta) / (Math.max(0, delta) + marginScale);
  const factors = { margin: round(margin), agreement: round(f.agreement), dataQuality: round(f.dataQuality) };
  return { value: round(margin * f.agreement * f.dataQuality), factors };
}

/** Data quality of perceived facts: the lowest numeric `quality` in [0, 1] of any top-level fact group. */
export function dataQualityOf(facts: Record<string, unknown>): number {
  let q = 1;
  for (const group of Object.values(facts)) {
    if (group === null || typeof group !== 'object') continue;
    const v = (group as Record<string, unknown>).quality;
    if (typeof v === 'number' && Number.isFinite(v)) q = Math.min(q, Math.max(0, Math.min(1, v)));
  }
  return q;
}

/** Rounds to 4 decimal places (scores and confidences are shown to people). */
export function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
