import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseSetTokens, parseSweepToken, sweepValues } from './scenarioSpec.ts';

describe('scenario spec', () => {
  it('scenario spec - --set values parse to numbers, booleans, null and text; a later token wins', () => {
    expect(
      parseSetTokens([
        'gas.gwei=80',
        'gate.feesOk=true',
        'invoice.counterparty=cp-1',
        'x=null',
        'gas.gwei=81',
        'r=1.5e3',
      ]),
    ).toEqual({ 'gas.gwei': 81, 'gate.feesOk': true, 'invoice.counterparty': 'cp-1', x: null, r: '1.5e3' });
    expect(parseSetTokens(['note=a=b'])).toEqual({ note: 'a=b' });
  });

  it('scenario spec - a sweep visits from to to inclusive, rounded to its decimals', () => {
    expect(sweepValues(parseSweepToken('gas.gwei=20..200:20'))).toEqual([20, 40, 60, 80, 100, 120, 140, 160, 180, 200]);
    expect(sweepValues(parseSweepToken('bands.eurShare=0.1..0.3:0.1'))).toEqual([0.1, 0.2, 0.3]);
    expect(sweepValues(parseSweepToken('x=-1..1:0.5'))).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(sweepValues(parseSweepToken('x=5..5:1'))).toEqual([5]);
  });

  it('scenario spec - sweep values are increasing, within the range and step apart (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1000, max: 1000 }),
        fc.integer({ min: 0, max: 500 }),
        fc.integer({ min: 1, max: 100 }),
        (from, span, step) => {
          const values = sweepValues(parseSweepToken(`p=${from / 100}..${(from + span) / 100}:${step / 100}`));
          expect(values[0]).toBe(from / 100);
          expect(values.length).toBe(Math.floor(span / step) + 1);
          for (let i = 1; i < values.length; i++) expect(values[i]! - values[i - 1]!).toBeCloseTo(step / 100, 9);
          expect(values.at(-1)!).toBeLessThanOrEqual((from + span) / 100 + 1e-9);
        },
      ),
      { numRuns: 300 },
    );
  });
});
