/**
 * One quantity of the runtime's stored series (`GET /api/metrics/series`) as the monitor draws it:
 * a line per asset (or one), the buckets with something counted (for the table under the chart)
 * and the range's totals, with amounts summed exactly as decimals (the lines are only drawn as
 * floats).
 */
import type { Series } from '../lineChart.ts';
import { sumDecimals, type Quantity } from '../seriesQuantity.ts';
import type { SeriesResult } from '../types.ts';

/** A bucket with something counted: its start and each line's value as shown (amounts exact). */
export interface BucketRow {
  at: number;
  values: Array<{ label: string; value: string }>;
}

/** What the chart of a quantity other than the rates shows. */
export interface QuantityView {
  series: Series[];
  unit: string;
  rows: BucketRow[];
  /** The range's totals, e.g. `volume: 0.3 USDC, 12 EURC`. */
  totals: string;
}

type Point = SeriesResult['points'][number];
type Amounts = Pick<SeriesResult, 'step' | 'points'>;

/** The chart of `quantity` (not `rates`) over `stored`, for `asset` (`''`: every asset in the answer). */
export function quantityView(stored: Amounts, quantity: Exclude<Quantity, 'rates'>, asset: string): QuantityView {
  switch (quantity) {
    case 'payments':
      return asset === ''
        ? counted(stored, 'payments', (p) => p.payments)
        : counted(stored, `payments in ${asset}`, (p) => p.assets[asset]?.payments ?? 0);
    case 'failures':
      return counted(stored, 'failures', (p) => p.failures);
    case 'volume':
    case 'fees':
      return amounts(stored, quantity, asset);
    case 'latency':
      return latency(stored);
  }
}

/** Every asset with amounts in the answer, sorted (or just `asset`). */
function assetsOf(stored: Amounts, asset: string): string[] {
  if (asset !== '') return [asset];
  return [...new Set(stored.points.flatMap((p) => Object.keys(p.assets)))].sort();
}

const end = (stored: Amounts, p: Point): number => p.at + stored.step;

function counted(stored: Amounts, label: string, value: (p: Point) => number): QuantityView {
  const rows = stored.points
    .filter((p) => value(p) !== 0)
    .map((p) => ({ at: p.at, values: [{ label, value: String(value(p)) }] }));
  return {
    series: [{ label, points: stored.points.map((p) => [end(stored, p), value(p)] as const) }],
    unit: 'per bucket',
    rows,
    totals: `${stored.points.reduce((n, p) => n + value(p), 0)} ${label}`,
  };
}

function amounts(stored: Amounts, quantity: 'volume' | 'fees', asset: string): QuantityView {
  const assets = assetsOf(stored, asset);
  const of = (p: Point, a: string): string => p.assets[a]?.[quantity] ?? '0';
  const rows = stored.points
    .filter((p) => assets.some((a) => of(p, a) !== '0'))
    .map((p) => ({ at: p.at, values: assets.map((a) => ({ label: a, value: of(p, a) })) }));
  const sums = assets.map((a) => `${sumDecimals(stored.points.map((p) => of(p, a)))} ${a}`);
  return {
    series: assets.map((a) => ({
      label: a,
      points: stored.points.map((p) => [end(stored, p), Number(of(p, a))] as const),
    })),
    unit: 'per bucket',
    rows,
    totals: `${quantity}: ${sums.length === 0 ? 'none stored in this range' : sums.join(', ')}`,
  };
}

function latency(stored: Amounts): QuantityView {
  const timed = stored.points.filter((p) => p.latency.count > 0);
  const mean = (p: Point): number => Math.round((10 * p.latency.totalMs) / p.latency.count) / 10;
  const count = timed.reduce((n, p) => n + p.latency.count, 0);
  const total = timed.reduce((n, p) => n + p.latency.totalMs, 0);
  const longest = Math.max(0, ...timed.map((p) => p.latency.maxMs));
  return {
    series: [
      { label: 'mean', points: timed.map((p) => [end(stored, p), mean(p)] as const) },
      { label: 'longest', points: timed.map((p) => [end(stored, p), p.latency.maxMs] as const) },
    ],
    unit: 'ms',
    rows: timed.map((p) => ({
      at: p.at,
      values: [
        { label: 'mean ms', value: String(mean(p)) },
        { label: 'longest ms', value: String(p.latency.maxMs) },
        { label: 'cycles', value: String(p.latency.count) },
      ],
    })),
    totals:
      count === 0
        ? 'latency: no timed cycles in this range'
        : `latency: mean ${Math.round((10 * total) / count) / 10} ms over ${count} cycles, longest ${longest} ms`,
  };
}
