/**
 * What the stored-series chart shows: the rates of cycles, payments and failures (the default),
 * or one quantity per bucket (payments, volume, fees, failures, cycle latency), for every asset or
 * one, kept in the deep link beside the range (`#/monitor?last=24h&quantity=volume&asset=USDC`).
 */

/** The quantities offered, in the pick list's order; `rates` is what a link without `quantity=` shows. */
export const QUANTITIES = [
  { value: 'rates', label: 'cycles, payments, failures per min' },
  { value: 'payments', label: 'payments per bucket' },
  { value: 'volume', label: 'volume paid per bucket' },
  { value: 'fees', label: 'fees per bucket' },
  { value: 'failures', label: 'failed cycles per bucket' },
  { value: 'latency', label: 'cycle latency (mean and longest)' },
] as const;

export type Quantity = (typeof QUANTITIES)[number]['value'];

/** Quantities that have an asset: the asset pick narrows them (the others have none). */
export const PER_ASSET: ReadonlySet<Quantity> = new Set(['payments', 'volume', 'fees']);

/** The gateway's own rule for an asset symbol (gateway/schemas.ts). */
const ASSET = /^[A-Za-z0-9._:/-]{1,64}$/;

/** The quantity and asset a link names, each falling back (rates, every asset) with why when the link's is not one. */
export function linkQuantity(link: { quantity?: string; asset?: string }): {
  quantity: Quantity;
  asset: string;
  problem: string | null;
} {
  const known = QUANTITIES.find((q) => q.value === link.quantity);
  const quantity = known?.value ?? 'rates';
  const problems: string[] = [];
  if (link.quantity !== undefined && known === undefined)
    problems.push(`"quantity=${link.quantity}" is not one of ${QUANTITIES.map((q) => q.value).join(', ')}`);
  let asset = link.asset ?? '';
  if (asset !== '' && !ASSET.test(asset)) {
    problems.push(`"asset=${asset}" is not an asset symbol`);
    asset = '';
  }
  return { quantity, asset, problem: problems.length === 0 ? null : problems.join('; ') };
}

/** The link fields of a quantity and asset (the defaults left out). */
export function quantityLink(quantity: Quantity, asset: string): { quantity?: string; asset?: string } {
  return { ...(quantity === 'rates' ? {} : { quantity }), ...(asset === '' ? {} : { asset }) };
}

const SCALE = 18n;
const DECIMAL = /^(\d+)(?:\.(\d{1,18}))?$/;

/** Sums decimal strings exactly (as the gateway answers amounts), trimmed: `["0.1", "0.2"]` → `"0.3"`. */
export function sumDecimals(values: Iterable<string>): string {
  let units = 0n;
  for (const v of values) {
    const m = DECIMAL.exec(v);
    if (m === null) throw new RangeError(`not a decimal amount: ${v}`);
    units += BigInt(m[1]!) * 10n ** SCALE + BigInt((m[2] ?? '').padEnd(Number(SCALE), '0'));
  }
  const whole = units / 10n ** SCALE;
  const frac = (units % 10n ** SCALE).toString().padStart(Number(SCALE), '0').replace(/0+$/, '');
  return frac === '' ? String(whole) : `${whole}.${frac}`;
}
