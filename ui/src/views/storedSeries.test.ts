import { describe, expect, it } from 'vitest';
import type { SeriesResult } from '../types.ts';
import { assetPicks } from './rateSeries.ts';
import { quantityView } from './storedSeries.ts';

const none = { latency: { count: 0, totalMs: 0, maxMs: 0 }, assets: {} };
const stored: Pick<SeriesResult, 'step' | 'points'> = {
  step: 60_000,
  points: [
    {
      at: 0,
      cycles: 4,
      failures: 1,
      payments: 3,
      latency: { count: 4, totalMs: 1000, maxMs: 700 },
      assets: {
        USDC: { payments: 2, volume: '0.1', fees: '0.01' },
        SOL: { payments: 0, volume: '0', fees: '0.000005' },
      },
    },
    { at: 60_000, cycles: 0, failures: 0, payments: 0, ...none },
    {
      at: 120_000,
      cycles: 1,
      failures: 0,
      payments: 1,
      latency: { count: 1, totalMs: 30, maxMs: 30 },
      assets: { USDC: { payments: 1, volume: '0.2', fees: '0' } },
    },
  ],
};

describe('monitor - one stored quantity per bucket', () => {
  it('monitor - volume: a line per asset at each bucket end, the buckets with an amount, exact totals', () => {
    const v = quantityView(stored, 'volume', '');
    expect(v.series.map((s) => s.label)).toEqual(['SOL', 'USDC']);
    expect(v.series[1]!.points).toEqual([
      [60_000, 0.1],
      [120_000, 0],
      [180_000, 0.2],
    ]);
    expect(v.rows).toEqual([
      {
        at: 0,
        values: [
          { label: 'SOL', value: '0' },
          { label: 'USDC', value: '0.1' },
        ],
      },
      {
        at: 120_000,
        values: [
          { label: 'SOL', value: '0' },
          { label: 'USDC', value: '0.2' },
        ],
      },
    ]);
    expect(v.totals).toBe('volume: 0 SOL, 0.3 USDC');
    expect(quantityView(stored, 'fees', 'SOL').totals).toBe('fees: 0.000005 SOL');
    expect(quantityView(stored, 'volume', 'EURC').totals).toBe('volume: 0 EURC');
    expect(quantityView({ step: 60_000, points: [] }, 'fees', '').totals).toBe('fees: none stored in this range');
  });

  it('monitor - payments (all, or one asset’s), failures and latency per bucket', () => {
    expect(quantityView(stored, 'payments', '').totals).toBe('4 payments');
    const usdc = quantityView(stored, 'payments', 'USDC');
    expect([usdc.totals, usdc.rows.map((r) => r.values[0]!.value)]).toEqual(['3 payments in USDC', ['2', '1']]);
    expect(quantityView(stored, 'failures', '').rows).toEqual([{ at: 0, values: [{ label: 'failures', value: '1' }] }]);
    const latency = quantityView(stored, 'latency', '');
    expect(latency.unit).toBe('ms');
    expect(latency.series.map((s) => s.points)).toEqual([
      [
        [60_000, 250],
        [180_000, 30],
      ],
      [
        [60_000, 700],
        [180_000, 30],
      ],
    ]);
    expect(latency.totals).toBe('latency: mean 206 ms over 5 cycles, longest 700 ms');
  });

  it('monitor - the asset pick list: every asset, then each stored one; a pick not stored stays listed', () => {
    expect(assetPicks(['SOL', 'USDC']).map((p) => p.value)).toEqual(['', 'SOL', 'USDC']);
    expect(assetPicks(['USDC'], 'EURC').at(-1)).toEqual({ value: 'EURC', label: 'EURC (nothing stored)' });
  });
});
