import { AmountError } from './errors.ts';

const SCALE = 18;
const DECIMAL = /^(\d{1,30})(?:\.(\d{1,18}))?$/;

/** Parses a non-negative decimal string into an integer of 10^-18 units (exact; no floats touch money). */
export function parseAmount(value: string): bigint {
  const m = typeof value === 'string' ? DECIMAL.exec(value) : null;
  if (m === null) throw new AmountError(value);
  return BigInt(m[1]!) * 10n ** BigInt(SCALE) + BigInt((m[2] ?? '').padEnd(SCALE, '0'));
}

/** Formats 10^-18 units back to a trimmed decimal string. */
export function formatAmount(units: bigint): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / 10n ** BigInt(SCALE);
  const frac = (abs % 10n ** BigInt(SCALE)).toString().padStart(SCALE, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

/** A float view of an amount, for rule thresholds only (never for balances or limits). */
export function amountToNumber(value: string): number {
  return Number(formatAmount(parseAmount(value)));
}
