import { finiteNumber, resolveFact } from './factPath.ts';
import type { Goal } from './goalSchema.ts';

/** A goal's band resolved against the facts. */
export interface ResolvedBand {
  min: number | undefined;
  max: number | undefined;
  /** The unit a gap is measured in: `scale`, else the band's width, else 1. */
  width: number;
}

/** Resolves a goal's band; a string naming the conflict when an end is not a number or the low end exceeds the high end. */
export function resolveBand(goal: Goal, facts: Record<string, unknown>): ResolvedBand | string {
  const end = (v: number | string | undefined): number | undefined | string => {
    if (v === undefined) return undefined;
    const n = finiteNumber(resolveFact(v, facts));
    return (
      n ?? `goal ${goal.id}: band end ${JSON.stringify(v)} is ${JSON.stringify(resolveFact(v, facts))}, not a number`
    );
  };
  const min = end(goal.band.min);
  const max = end(goal.band.max);
  if (typeof min === 'string') return min;
  if (typeof max === 'string') return max;
  if (min !== undefined && max !== undefined && min > max)
    return `goal ${goal.id}: its band's low end ${min} exceeds its high end ${max}`;
  const span = min !== undefined && max !== undefined ? max - min : 0;
  return { min, max, width: goal.scale ?? (span > 0 ? span : 1) };
}

/**
 * How far `value` lies outside the band, in band widths: 0 inside, 1 one band width beyond an end.
 *
 * @example
 * gapOf({ min: 0.4, max: 0.6, width: 0.2 }, 0.7); // 0.5
 */
export function gapOf(band: ResolvedBand, value: number): number {
  if (band.min !== undefined && value < band.min) return (band.min - value) / band.width;
  if (band.max !== undefined && value > band.max) return (value - band.max) / band.width;
  return 0;
}
