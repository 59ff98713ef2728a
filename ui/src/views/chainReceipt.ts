/**
 * The on-chain part of a payment's receipt, as an operator reads it: which chain, the transaction,
 * its block (or slot), the paying account, confirmations and the fee in the chain's native unit.
 * Pure: the payment page renders the pairs; tests call it without a browser.
 */

/** The receipt fields this view reads (a `PaymentReceipt` as the gateway serves it). */
export interface ReceiptLike {
  readonly kind: string;
  readonly rail: string;
  readonly reference: string | null;
  readonly status: string;
  readonly confirmations: number;
  readonly reorgs: number;
  readonly attempts: readonly string[];
  readonly fees: ReadonlyArray<{ readonly asset: string; readonly amount: string }>;
  readonly details: Readonly<Record<string, string | number | boolean | null>>;
}

/** Decimals and symbol of a rail's native fee asset, from the rail's name (`evm:1`, `solana:devnet`). */
function nativeUnit(rail: string): { decimals: number; symbol: string } | null {
  if (rail.startsWith('solana')) return { decimals: 9, symbol: 'SOL' };
  if (/^[a-z0-9-]+:\d+$/.test(rail)) return { decimals: 18, symbol: 'ETH' };
  return null;
}

/** An integer string of base units as a decimal string: `formatUnits('52274141665240', 18)`. */
export function formatUnits(amount: string, decimals: number): string {
  if (!/^\d+$/.test(amount)) return amount;
  const digits = amount.padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

/**
 * An outcome's fee as read: a chain's native fee in its unit (`0.0000523 ETH` on an `evm:*` rail),
 * anything else as given (`0.25 EUR`).
 */
export function feeText(fee: { readonly value: string; readonly asset: string }, rail: unknown): string {
  const unit = fee.asset === 'native' && typeof rail === 'string' ? nativeUnit(rail) : null;
  return unit === null ? `${fee.value} ${fee.asset}` : `${formatUnits(fee.value, unit.decimals)} ${unit.symbol}`;
}

function chainName(rail: string): string {
  const [family, id] = rail.split(':');
  if (family === 'evm' && id === '31337') return `${rail} (the embedded chain)`;
  return rail;
}

/** The receipt as a `ReceiptLike` when it has that shape (the gateway serves it untyped). */
function asReceipt(value: unknown): ReceiptLike | null {
  if (typeof value !== 'object' || value === null) return null;
  const r = value as Partial<Record<keyof ReceiptLike, unknown>>;
  const ok =
    typeof r.kind === 'string' &&
    typeof r.rail === 'string' &&
    typeof r.status === 'string' &&
    (typeof r.reference === 'string' || r.reference === null) &&
    typeof r.confirmations === 'number' &&
    typeof r.reorgs === 'number' &&
    Array.isArray(r.attempts) &&
    Array.isArray(r.fees) &&
    typeof r.details === 'object' &&
    r.details !== null;
  return ok ? (value as ReceiptLike) : null;
}

/** Label/value pairs for a receipt that went on chain; `null` for fiat receipts, dry-runs and other shapes. */
export function onChainFacts(value: unknown): Array<[string, string]> | null {
  const receipt = asReceipt(value);
  if (receipt === null || receipt.kind === 'fiat' || receipt.status === 'would-have-sent') return null;
  const unit = nativeUnit(receipt.rail);
  if (unit === null) return null;
  const { details } = receipt;
  const slot = details['slot'];
  const block = details['blockNumber'];
  const pairs: Array<[string, string]> = [
    ['chain', chainName(receipt.rail)],
    [unit.symbol === 'SOL' ? 'signature' : 'transaction', receipt.reference ?? 'not broadcast'],
  ];
  if (typeof block === 'number') pairs.push(['block', String(block)]);
  else if (typeof slot === 'number') pairs.push(['slot', String(slot)]);
  else pairs.push(['block', receipt.status === 'submitted' ? 'not mined yet' : '—']);
  if (typeof details['from'] === 'string') pairs.push(['from', details['from']]);
  pairs.push(['confirmations', String(receipt.confirmations)]);
  if (receipt.reorgs > 0) pairs.push(['reorgs survived', String(receipt.reorgs)]);
  if (receipt.attempts.length > 1)
    pairs.push(['replaced attempts', receipt.attempts.filter((a) => a !== receipt.reference).join(', ')]);
  const native = receipt.fees.filter((f) => f.asset === 'native');
  if (native.length > 0) {
    const total = native.reduce((sum, f) => sum + BigInt(/^\d+$/.test(f.amount) ? f.amount : '0'), 0n);
    pairs.push(['network fee', `${formatUnits(total.toString(), unit.decimals)} ${unit.symbol}`]);
  }
  return pairs;
}
