/**
 * Converts decimal values from external sources into 18-decimal fixed point without going
 * through float arithmetic (JSON numbers are formatted exactly as parsed, exponent included).
 */
import { parseUnits } from 'ethers';
import { PRICE_DECIMALS } from './Oracle.ts';

/** `"3012.55"` or `3012.55` or `1e-7` → bigint scaled by 10^18 (extra digits truncated). */
export function decimalToScaled(value: string | number): bigint {
  let text = typeof value === 'number' ? String(value) : value.trim();
  const exp = /^(\d+)(?:\.(\d+))?e([+-]?\d+)$/i.exec(text);
  if (exp !== null) {
    const digits = `${exp[1]}${exp[2] ?? ''}`;
    const point = exp[1]!.length + Number(exp[3]);
    text =
      point <= 0
        ? `0.${'0'.repeat(-point)}${digits}`
        : point >= digits.length
          ? `${digits}${'0'.repeat(point - digits.length)}`
          : `${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) throw new Error(`not a non-negative decimal: "${value}"`);
  return parseUnits(`${m[1]}.${(m[2] ?? '0').slice(0, PRICE_DECIMALS)}`, PRICE_DECIMALS);
}
