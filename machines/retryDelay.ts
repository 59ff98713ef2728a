import type { AgentLimits } from './types.ts';

/**
 * One step of a deterministic PRNG (mulberry32). Jitter must be reproducible
 * under a simulated clock, so the machine carries the generator state in its
 * context instead of calling Math.random.
 */
export function nextRandom(state: number): { value: number; state: number } {
  const next = (state + 0x6d2b79f5) | 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { value: ((t ^ (t >>> 14)) >>> 0) / 4294967296, state: next };
}

/**
 * Exponential backoff with "equal jitter": half the capped exponential delay
 * is fixed, the other half random. `attempt` counts from 1.
 *
 * @example retryDelay(3, limits, 0.5) // min(base * 4, max) * 0.75
 */
export function retryDelay(
  attempt: number,
  limits: Pick<AgentLimits, 'baseDelayMs' | 'maxDelayMs'>,
  random: number,
): number {
  const exp = Math.min(limits.maxDelayMs, limits.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(exp / 2 + (exp / 2) * random);
}
