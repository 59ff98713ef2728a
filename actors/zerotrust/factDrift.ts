/** How far a numeric fact may move between the decision and a re-perceive and still agree (relative). */
export const FACT_TOLERANCE = 0.05;
/** Facts are compared down to this depth (`a.b.c.d`); deeper values are compared as a whole. */
const MAX_DEPTH = 4;
/** Reasons listed at most (the count says how many more). */
const MAX_REASONS = 5;

/** What a re-perceive found against the facts a decision was taken on. */
export interface FactDrift {
  /** Facts present in both and agreeing. */
  agreeing: number;
  /** One line per fact that moved or is gone, e.g. `fact rate 1.02 → 1.1 (7.8% > 5%)`. */
  reasons: string[];
}

/**
 * Compares the facts a decision was taken on with the same agent's facts perceived again: every
 * leaf (number, string, boolean, null) of `before`, by path, must be in `after` with the same value;
 * numbers may move by {@link FACT_TOLERANCE} relative. `input` (the trigger's data, not perceived)
 * is left out, and so are facts only `after` has. Pure; used by zero trust's extra verification of
 * a flagged verdict.
 *
 * @example
 * factDrift({ rate: 1.02 }, { rate: 1.1 }).reasons // ['fact rate 1.02 → 1.1 (7.3% > 5%)']
 */
export function factDrift(before: Record<string, unknown>, after: Record<string, unknown>): FactDrift {
  const then = leaves(withoutInput(before));
  const now = leaves(withoutInput(after));
  const reasons: string[] = [];
  let agreeing = 0;
  for (const [path, was] of then) {
    const reason = now.has(path) ? moved(path, was, now.get(path)) : `fact ${path} is no longer perceived`;
    if (reason === undefined) agreeing++;
    else reasons.push(reason);
  }
  const extra = reasons.length - MAX_REASONS;
  return { agreeing, reasons: extra > 0 ? [...reasons.slice(0, MAX_REASONS), `and ${extra} more`] : reasons };
}

function withoutInput(facts: Record<string, unknown>): Record<string, unknown> {
  const { input: _input, ...rest } = facts;
  return rest;
}

function moved(path: string, was: unknown, is: unknown): string | undefined {
  if (typeof was === 'number' && typeof is === 'number') {
    const scale = Math.max(Math.abs(was), Math.abs(is));
    const change = scale === 0 ? 0 : Math.abs(is - was) / scale;
    if (change <= FACT_TOLERANCE) return undefined;
    const pct = (x: number) => `${Number((x * 100).toFixed(1))}%`;
    return `fact ${path} ${was} → ${is} (${pct(change)} > ${pct(FACT_TOLERANCE)})`;
  }
  const a = JSON.stringify(was);
  const b = JSON.stringify(is);
  return a === b ? undefined : `fact ${path} ${clip(a)} → ${clip(b)}`;
}

function clip(s: string | undefined): string {
  if (s === undefined) return 'undefined';
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

function leaves(facts: Record<string, unknown>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const walk = (value: unknown, path: string, depth: number): void => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && depth < MAX_DEPTH) {
      for (const [k, v] of Object.entries(value)) walk(v, path === '' ? k : `${path}.${k}`, depth + 1);
    } else out.set(path, value);
  };
  walk(facts, '', 0);
  return out;
}
