/**
 * Per-minute rates over time from successive counter samples (the monitoring panel polls the
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
