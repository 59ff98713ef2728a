/**
 * Decimal amounts as Mandate writes them (`amount.value`: `"2500.50"`), compared exactly: never
 * through floating point, so `"0.1"` and `"0.10000000000000001"` stay different amounts.
 */

/** A non-negative decimal: up to 30 integer digits and 18 fraction digits (an ERC-20's precision). */
export const DECIMAL_PATTERN = /^\d{1,30}(\.\d{1,18})?$/;

/** Orders two decimals matching {@link DECIMAL_PATTERN} by value: -1, 0 or 1. */
export function compareDecimals(a: string, b: string): number {
  const [ai = '', af = ''] = a.split('.');
  const [bi = '', bf = ''] = b.split('.');
  const width = Math.max(af.length, bf.length);
  const x = BigInt(ai + af.padEnd(width, '0'));
  const y = BigInt(bi + bf.padEnd(width, '0'));
  return x < y ? -1 : x > y ? 1 : 0;
}
