/**
 * The trends view's rows, from `GET /api/metrics`'s `trends`: per agent, where its cycle duration
 * and error rate are (the EWMA level), which way they move (the slope, as an arrow), where they are
 * heading 10 cycles ahead (the forecast), and what to do about it when one points the wrong way.
 */
import type { RuntimeMetrics } from '../types.ts';

type AgentTrend = RuntimeMetrics['trends'][number];

/** Which way a trend moves: for both quantities up is worse. */
export type Direction = 'rising' | 'falling' | 'flat';

/** One quantity of one agent, formatted. */
export interface TrendCell {
  level: string;
  forecast: string;
  direction: Direction;
  /** ↑, ↓ or →. */
  arrow: string;
}

/** One agent's line. */
export interface TrendRow {
  agent: string;
  cycle: TrendCell | null;
  errors: TrendCell | null;
  /** The recommendations of its trends that point the wrong way (none while all is well). */
  recommendations: string[];
}

const ARROWS: Record<Direction, string> = { rising: '↑', falling: '↓', flat: '→' };

/**
 * A slope counts as a move once it changes the quantity by at least 1% of its level per cycle (cycle
 * duration) or by half a percentage point per cycle (error rate); smaller is noise and shows flat.
 */
export function directionOf(t: Pick<AgentTrend, 'metric' | 'level' | 'slope'>): Direction {
  const bound = t.metric === 'error_rate' ? 0.005 : Math.max(Math.abs(t.level) * 0.01, 1e-6);
  return t.slope > bound ? 'rising' : t.slope < -bound ? 'falling' : 'flat';
}

/** Seconds as `420 ms`, `1.25 s` or `95 s`. */
export function formatSeconds(s: number): string {
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  return s < 10 ? `${s.toFixed(2)} s` : `${Math.round(s)} s`;
}

/** A share of cycles as a percentage (`12.5%`, `0%`). */
export function formatShare(v: number): string {
  const p = v * 100;
  return `${Number.isInteger(Math.round(p * 10) / 10) ? Math.round(p) : p.toFixed(1)}%`;
}

function cellOf(t: AgentTrend): TrendCell {
  const f = t.metric === 'error_rate' ? formatShare : formatSeconds;
  const direction = directionOf(t);
  return { level: f(t.level), forecast: f(t.forecast), direction, arrow: ARROWS[direction] };
}

/** The rows, agents sorted with those that have a recommendation first, then by name. */
export function trendRows(trends: readonly AgentTrend[]): TrendRow[] {
  const rows = new Map<string, TrendRow>();
  for (const t of trends) {
    let row = rows.get(t.agent);
    if (row === undefined) {
      row = { agent: t.agent, cycle: null, errors: null, recommendations: [] };
      rows.set(t.agent, row);
    }
    if (t.metric === 'cycle_seconds') row.cycle = cellOf(t);
    else row.errors = cellOf(t);
    if (t.recommendation !== null) row.recommendations.push(t.recommendation);
  }
  return [...rows.values()].sort(
    (a, b) =>
      Number(b.recommendations.length > 0) - Number(a.recommendations.length > 0) || a.agent.localeCompare(b.agent),
  );
}
