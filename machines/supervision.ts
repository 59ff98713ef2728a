import type { RestartKind } from './types.ts';

/** Erlang/OTP restart strategies. */
export type RestartStrategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';

/** Restart intensity: more than `maxRestarts` restarts within `periodMs` makes the supervisor give up and escalate. */
export interface RestartIntensity {
  maxRestarts: number;
  periodMs: number;
}

/** Whether a child of this kind that exited this way is restarted at all. */
export function shouldRestart(kind: RestartKind, exit: 'normal' | 'abnormal'): boolean {
  return kind === 'permanent' || (kind === 'transient' && exit === 'abnormal');
}

/**
 * The children to restart, in start order, when `failedId` exited:
 * one_for_one restarts it alone, one_for_all every child, rest_for_one it and
 * every child started after it.
 */
export function restartSet(strategy: RestartStrategy, childOrder: readonly string[], failedId: string): string[] {
  switch (strategy) {
    case 'one_for_one':
      return [failedId];
    case 'one_for_all':
      return [...childOrder];
    case 'rest_for_one': {
      const index = childOrder.indexOf(failedId);
      return index < 0 ? [failedId] : childOrder.slice(index);
    }
  }
}

/**
 * Restart timestamps still inside the intensity window, plus `now`; returns
 * `exceeded: true` when this restart would be one too many.
 */
export function recordRestart(
  history: readonly number[],
  now: number,
  intensity: RestartIntensity,
): { history: number[]; exceeded: boolean } {
  const recent = history.filter((t) => now - t < intensity.periodMs);
  recent.push(now);
  return { history: recent, exceeded: recent.length > intensity.maxRestarts };
}
