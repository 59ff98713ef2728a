import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { healthScore, type HealthInputs } from './healthScore.ts';

const calm: HealthInputs = {
  cycles: 10,
  errors: 1,
  meanPhaseMs: 5,
  phaseTimeoutMs: 30_000,
  reputation: 80,
  sandboxCpuShare: undefined,
};

describe('health score', () => {
  it('health - the documented example: one error in ten cycles, fast phases, reputation 80, no sandbox → 87', () => {
    expect(healthScore(calm)).toEqual({ score: 87, errors: 80, latency: 100, reputation: 80, sandbox: 100 });
  });

  it('health - each component at its documented points', () => {
    expect(healthScore({ ...calm, errors: 5 }).errors).toBe(0); // one error every other cycle
    expect(healthScore({ ...calm, cycles: 0, errors: 0 }).errors).toBe(100);
    expect(healthScore({ ...calm, meanPhaseMs: 3_000 }).latency).toBe(100); // 10% of the timeout
    expect(healthScore({ ...calm, meanPhaseMs: 16_500 }).latency).toBe(50);
    expect(healthScore({ ...calm, meanPhaseMs: 60_000 }).latency).toBe(0);
    expect(healthScore({ ...calm, sandboxCpuShare: 0.25 }).sandbox).toBe(75);
    expect(healthScore({ ...calm, sandboxCpuShare: 3 }).sandbox).toBe(0);
  });

  it('health - always an integer in [0, 100], and never better with more errors, slower phases, lower reputation or more CPU', () => {
    const inputs = fc.record({
      cycles: fc.nat(1_000),
      errors: fc.nat(1_000),
      meanPhaseMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
      phaseTimeoutMs: fc.integer({ min: 1, max: 1e6 }),
      reputation: fc.double({ min: 0, max: 100, noNaN: true }),
      sandboxCpuShare: fc.option(fc.double({ min: 0, max: 5, noNaN: true }), { nil: undefined }),
    });
    fc.assert(
      fc.property(inputs, fc.nat(100), (i, d) => {
        const h = healthScore(i);
        expect(Number.isInteger(h.score) && h.score >= 0 && h.score <= 100).toBe(true);
        expect(healthScore({ ...i, errors: i.errors + d }).score).toBeLessThanOrEqual(h.score);
        expect(healthScore({ ...i, meanPhaseMs: i.meanPhaseMs + d * 100 }).score).toBeLessThanOrEqual(h.score);
        expect(healthScore({ ...i, reputation: Math.max(0, i.reputation - d) }).score).toBeLessThanOrEqual(h.score);
        if (i.sandboxCpuShare !== undefined)
          expect(healthScore({ ...i, sandboxCpuShare: i.sandboxCpuShare + d / 100 }).score).toBeLessThanOrEqual(
            h.score,
          );
      }),
      { numRuns: 300 },
    );
  });
});
