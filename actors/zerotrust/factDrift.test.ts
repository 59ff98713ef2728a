import { describe, expect, it } from 'vitest';
import { FACT_TOLERANCE, factDrift } from './factDrift.ts';

describe('factDrift', () => {
  it('factDrift - facts that hold agree: numbers within the tolerance, the rest equal, input and new facts left out', () => {
    const before = { rate: 1.0, gas: { gwei: 80 }, pair: 'EUR/USD', open: true, input: { invoice: 'INV-1' } };
    const after = { rate: 1.0 + FACT_TOLERANCE / 2, gas: { gwei: 80 }, pair: 'EUR/USD', open: true, extra: 5 };
    expect(factDrift(before, after)).toEqual({ agreeing: 4, reasons: [] });
  });

  it('factDrift - a number past the tolerance, a changed value and a fact gone each give a reason', () => {
    const drift = factDrift(
      { rate: 1.02, pair: 'EUR/USD', balance: { usdc: 0 }, feed: [1, 2] },
      { rate: 1.1, pair: 'GBP/USD', balance: { usdc: 0 }, feed: [1, 3] },
    );
    expect(drift.agreeing).toBe(1);
    expect(drift.reasons).toEqual([
      'fact rate 1.02 → 1.1 (7.3% > 5%)',
      'fact pair "EUR/USD" → "GBP/USD"',
      'fact feed [1,2] → [1,3]',
    ]);
    expect(factDrift({ a: { b: 1 } }, {}).reasons).toEqual(['fact a.b is no longer perceived']);
  });

  it('factDrift - at most five reasons are listed, then how many more', () => {
    const before = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}`, 1]));
    const after = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}`, 2]));
    const { reasons } = factDrift(before, after);
    expect(reasons).toHaveLength(6);
    expect(reasons[5]).toBe('and 3 more');
  });
});
