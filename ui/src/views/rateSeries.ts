/**
 * Per-minute rates over time for the monitor's chart: from the runtime's stored series (`GET
 * /api/metrics/series`) and, without them, from successive counter samples (the monitoring panel polls the
 * gateway's metrics every few seconds), for its time-series chart.
 */
import type { Series } from '../lineChart.ts';

/** One metrics sample: running totals at a time. */
export interface CounterSample {
  at: number;
  cycles: number;
  failures: number;
  payments: number;
}

/** Most samples kept: ten minutes at the shell's 3 s poll. */
export const HISTORY_MAX = 200;

/** Appends `sample` to `history`, dropping the oldest past {@link HISTORY_MAX}. */
export function keepSample(history: CounterSample[], sample: CounterSample): void {
  history.push(sample);
  if (history.length > HISTORY_MAX) history.splice(0, history.length - HISTORY_MAX);
}

/**
 * Cycles, payments and failures per minute between each pair of successive samples, at the later
 * one's time. A counter that went down (a restart of the runtime) counts from zero again.
 */
export function rateSeries(history: readonly CounterSample[]): Series[] {
  const keys = ['cycles', 'payments', 'failures'] as const;
  const out = keys.map((key) => ({ label: key, points: [] as Array<readonly [number, number]> }));
  for (let i = 1; i < history.length; i++) {
    const a = history[i - 1]!;
    const b = history[i]!;
    const dt = b.at - a.at;
    if (dt <= 0) continue;
    keys.forEach((key, k) => {
      const delta = b[key] >= a[key] ? b[key] - a[key] : b[key];
      out[k]!.points.push([b.at, (60_000 * delta) / dt]);
    });
  }
  return out;
}

/** Stored buckets as the gateway answers them (`GET /api/metrics/series`). */
interface StoredSeries {
  step: number;
  points: ReadonlyArray<{ at: number; cycles: number; failures: number; payments: number }>;
}

/** Cycles, payments and failures per minute from stored buckets (counts per `step`), each at its bucket's end. */
export function storedRates(stored: StoredSeries): Series[] {
  const keys = ['cycles', 'payments', 'failures'] as const;
  const perMinute = 60_000 / stored.step;
  return keys.map((key) => ({
    label: key,
    points: stored.points.map((p) => [p.at + stored.step, p[key] * perMinute] as const),
  }));
}

/** The pick list (`''` every agent, `agent:<id>`, `region:<label>`): all agents, then each region seen, then each agent (with its region), sorted; `current` is kept even when no longer seen. */
export function seriesPicks(
  seen: ReadonlyArray<{ agent: string; region: string }>,
  current = '',
): Array<{ value: string; label: string }> {
  const regions = [...new Set(seen.map((s) => s.region))].sort();
  const agents = [...new Map(seen.map((s) => [s.agent, s.region]))].sort(([a], [b]) => a.localeCompare(b));
  const picks = [
    { value: '', label: 'all agents' },
    ...regions.map((r) => ({ value: `region:${r}`, label: `region ${r}` })),
    ...agents.map(([a, r]) => ({ value: `agent:${a}`, label: `${a} (${r})` })),
  ];
  if (!picks.some((p) => p.value === current))
    picks.push({ value: current, label: `${current.replace(':', ' ')} (nothing stored in this range)` });
  return picks;
}

/** The asset pick list (`''` every asset, then each asset stored, sorted by the gateway); `current` is kept even when not stored. */
export function assetPicks(seen: readonly string[], current = ''): Array<{ value: string; label: string }> {
  const picks = [{ value: '', label: 'all assets' }, ...seen.map((a) => ({ value: a, label: a }))];
  if (!picks.some((p) => p.value === current)) picks.push({ value: current, label: `${current} (nothing stored)` });
  return picks;
}
