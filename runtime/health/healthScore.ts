/** What the health score is computed from (one agent, as its host counts it). */
export interface HealthInputs {
  /** Cycles started. */
  cycles: number;
  /** Phase errors (a phase that failed and was retried) plus failed cycles. */
  errors: number;
  /** Mean time of the phases it ran, in ms (0 before the first). */
  meanPhaseMs: number;
  /** The agent's phase timeout, in ms. */
  phaseTimeoutMs: number;
  /** Its reputation (overall), 0–100. */
  reputation: number;
  /** CPU time of its last sandboxed call over the sandbox's CPU limit, 0–1; undefined without a sandbox. */
  sandboxCpuShare: number | undefined;
}

/** A health score with the components it was combined from (each 0–100). */
export interface HealthScore {
  score: number;
  errors: number;
  latency: number;
  reputation: number;
  sandbox: number;
}

const clamp = (x: number): number => Math.min(100, Math.max(0, x));
// Module-level, not inside healthScore: GET /api/agents computes a score per agent per request.
const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * The agent health score (docs/health.md): `0.35·errors + 0.25·latency + 0.30·reputation + 0.10·sandbox`,
 * rounded, where errors = `100·(1 − min(1, 2·errors per cycle))` (one error every other cycle → 0),
 * latency = `100·(1 − (r − 0.1) / 0.9)` clamped, `r` = mean phase time over the phase timeout (≤ 10% → 100),
 * reputation is the score itself, and sandbox = `100·(1 − CPU share of its limit)` (100 without a sandbox).
 *
 * @example
 * healthScore({ cycles: 10, errors: 1, meanPhaseMs: 5, phaseTimeoutMs: 30_000, reputation: 80, sandboxCpuShare: undefined }).score; // 87
 */
export function healthScore(i: HealthInputs): HealthScore {
  const errors = clamp(100 * (1 - Math.min(1, (2 * i.errors) / Math.max(1, i.cycles))));
  const r = i.phaseTimeoutMs > 0 ? i.meanPhaseMs / i.phaseTimeoutMs : 0;
  const latency = clamp(100 * (1 - (r - 0.1) / 0.9));
  const reputation = clamp(i.reputation);
  const sandbox = i.sandboxCpuShare === undefined ? 100 : clamp(100 * (1 - i.sandboxCpuShare));
  const score = Math.round(0.35 * errors + 0.25 * latency + 0.3 * reputation + 0.1 * sandbox);
  return {
    score,
    errors: round2(errors),
    latency: round2(latency),
    reputation: round2(reputation),
    sandbox: round2(sandbox),
  };
}
