import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { rewardOf, tuneParameter, type TuningObservation } from './tuneParameter.ts';

/** A seeded linear congruential generator: the synthetic history is the same every run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

describe('tuneParameter', () => {
  it('tuning - never leaves its bounds and moves at most one step, whatever the history (fast-check)', () => {
    const obs = fc.record({
      value: fc.double({ min: -200, max: 200, noNaN: true }),
      succeeded: fc.boolean(),
      fees: fc.double({ min: 0, max: 100, noNaN: true }),
      slippageBps: fc.double({ min: 0, max: 500, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.record({
          min: fc.integer({ min: -100, max: 100 }),
          span: fc.integer({ min: 0, max: 100 }),
          step: fc.integer({ min: 1, max: 20 }),
          at: fc.double({ min: 0, max: 1, noNaN: true }),
          observations: fc.array(obs, { maxLength: 60 }),
          minSamples: fc.integer({ min: 1, max: 8 }),
        }),
        ({ min, span, step, at, observations, minSamples }) => {
          const bounds = { min, max: min + span, step };
          let value = min + Math.round(at * span);
          for (let i = 0; i < 5; i++) {
            const r = tuneParameter(value, bounds, { observations, minSamples });
            expect(r.after).toBeGreaterThanOrEqual(bounds.min);
            expect(r.after).toBeLessThanOrEqual(bounds.max);
            expect(Math.abs(r.after - value)).toBeLessThanOrEqual(step + 1e-9);
            value = r.after;
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('tuning - climbs toward the best threshold on a synthetic history and stays there', () => {
    // Success is likeliest at 60: P(success) = 0.9 − ((θ − 60) / 50)²; fees grow with the threshold.
    const random = seeded(7);
    const history: TuningObservation[] = [];
    const bounds = { min: 20, max: 80, step: 5 };
    let value = 40;
    const visited: number[] = [value];
    for (let period = 0; period < 40; period++) {
      for (let i = 0; i < 30; i++)
        history.push({ value, succeeded: random() < 0.9 - ((value - 60) / 50) ** 2, fees: 0.2 + value / 100 });
      value = tuneParameter(value, bounds, { observations: history, minSamples: 20 }).after;
      visited.push(value);
    }
    expect(Math.min(...visited)).toBeGreaterThanOrEqual(bounds.min);
    // It settles within a step of the best value and no longer wanders off.
    expect(Math.abs(value - 60)).toBeLessThanOrEqual(5);
    expect(visited.slice(-10).every((v) => Math.abs(v - 60) <= 5)).toBe(true);
    // The objective at the end beats the start.
    const mean = (v: number) => {
      const r = history.filter((o) => o.value === v).map((o) => rewardOf(o));
      return r.reduce((a, b) => a + b, 0) / r.length;
    };
    expect(mean(value)).toBeGreaterThan(mean(40));
  });

  it('tuning - gathers evidence before moving, then probes upward first, and names its reason', () => {
    const bounds = { min: 20, max: 80, step: 5 };
    const few = Array.from({ length: 3 }, () => ({ value: 40, succeeded: true }));
    expect(tuneParameter(40, bounds, { observations: few })).toMatchObject({ after: 40, reason: 'gathering' });
    const enough = Array.from({ length: 5 }, () => ({ value: 40, succeeded: true }));
    expect(tuneParameter(40, bounds, { observations: enough })).toMatchObject({ after: 45, reason: 'probe' });
    const worseAbove = [...enough, ...Array.from({ length: 5 }, () => ({ value: 45, succeeded: false }))];
    expect(tuneParameter(45, bounds, { observations: worseAbove })).toMatchObject({ after: 40, reason: 'improve' });
    expect(tuneParameter(40, bounds, { observations: worseAbove })).toMatchObject({ after: 35, reason: 'probe' });
    // At the upper bound the only neighbour is below.
    const atMax = Array.from({ length: 5 }, () => ({ value: 80, succeeded: true }));
    expect(tuneParameter(80, bounds, { observations: atMax })).toMatchObject({ after: 75, reason: 'probe' });
    // Slippage counts against the reward: 1 − 0.01 × 30 bps = 0.7.
    expect(rewardOf({ value: 0, succeeded: true, slippageBps: 30 })).toBeCloseTo(0.7, 10);
  });
});
