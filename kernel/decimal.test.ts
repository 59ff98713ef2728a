import { describe, expect, it } from 'vitest';
import { compareDecimals, DECIMAL_PATTERN } from './decimal.ts';

describe('decimal amounts', () => {
  it('decimal - compares by value, exactly, whatever the fraction digits', () => {
    expect(compareDecimals('100', '100.00')).toBe(0);
    expect(compareDecimals('99.99', '100')).toBe(-1);
    expect(compareDecimals('2500.5', '2500.49')).toBe(1);
    expect(compareDecimals('0.1', '0.100000000000000001')).toBe(-1);
    expect(compareDecimals('123456789012345678901234567890', '123456789012345678901234567889.999')).toBe(1);
  });

  it('decimal - the pattern takes plain non-negative decimals only', () => {
    for (const ok of ['0', '100', '2500.50', '0.000000000000000001']) expect(DECIMAL_PATTERN.test(ok)).toBe(true);
    for (const bad of ['', '-1', '1e3', '1.', '.5', ' 1', '1,000', '0.0000000000000000001', 'NaN'])
      expect(DECIMAL_PATTERN.test(bad)).toBe(false);
  });
});
