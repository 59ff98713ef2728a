import type { Snapshot } from 'xstate';

/** States a rolled-back agent resumes in as they are; any other (retrying, failed) resumes at rest in `idle`. */
const AT_REST = new Set(['idle', 'paused', 'killed']);

/**
 * The snapshot a rolled-back agent resumes from: the persisted one, with its context (cycle count,
 * last decision and outcome, the pause it was asked for), moved to `idle` with the failed phase's
 * retry state cleared when the old version left it retrying or failed — the new version starts its
 * next cycle clean instead of inheriting the old version's error.
 */
export function resumableSnapshot(persisted: Snapshot<unknown>): Snapshot<unknown> {
  const s = persisted as Snapshot<unknown> & { value?: unknown; context?: Record<string, unknown> };
  if (s.status === 'active' && typeof s.value === 'string' && AT_REST.has(s.value)) return persisted;
  const { output: _o, error: _e, ...rest } = s;
  return {
    ...rest,
    status: 'active',
    value: 'idle',
    context: { ...s.context, attempts: 0, retryPhase: null, retryDelayMs: 0, lastError: null },
  } as unknown as Snapshot<unknown>;
}
