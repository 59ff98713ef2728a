import { describe, expect, it } from 'vitest';
import { linePoints } from '../lineChart.ts';
import { HISTORY_MAX, keepSample, rateSeries, seriesPicks, storedRates, type CounterSample } from './rateSeries.ts';

describe('monitor - rates over time', () => {
  it('monitor - per-minute rates between successive samples; a counter reset counts from zero', () => {
    const history: CounterSample[] = [
      { at: 0, cycles: 0, failures: 0, payments: 0 },
      { at: 3000, cycles: 6, failures: 1, payments: 2 },
      { at: 3000, cycles: 7, failures: 1, payments: 2 },
      { at: 6000, cycles: 3, failures: 1, payments: 3 },
    ];
    const [cycles, payments, failures] = rateSeries(history);
    expect(cycles).toEqual({
      label: 'cycles',
      points: [
        [3000, 120],
        [6000, 60],
      ],
    });
    expect(payments!.points).toEqual([
      [3000, 40],
      [6000, 20],
    ]);
    expect(failures!.points).toEqual([
      [3000, 20],
      [6000, 0],
    ]);
  });

  it('monitor - history keeps the newest samples only', () => {
    const history: CounterSample[] = [];
    for (let i = 0; i < HISTORY_MAX + 5; i++) keepSample(history, { at: i, cycles: i, failures: 0, payments: 0 });
    expect(history).toHaveLength(HISTORY_MAX);
    expect(history[0]!.at).toBe(5);
  });

  it('monitor - points scale into the box over the shared time and value range', () => {
    const { points, max } = linePoints(
      [
        {
          label: 'a',
          points: [
            [1000, 0],
            [2000, 10],
          ],
        },
        { label: 'b', points: [[1500, 5]] },
      ],
      { width: 100, height: 50 },
    );
    expect(max).toBe(10);
    expect(points).toEqual(['0,50 100,0', '50,25']);
  });

  it('monitor - stored buckets become per-minute rates at each bucket end', () => {
    const [cycles, payments, failures] = storedRates({
      step: 30_000,
      points: [
        { at: 0, cycles: 3, failures: 1, payments: 0 },
        { at: 30_000, cycles: 0, failures: 0, payments: 2 },
      ],
    });
    expect(cycles).toEqual({
      label: 'cycles',
      points: [
        [30_000, 6],
        [60_000, 0],
      ],
    });
    expect(payments!.points.map(([, v]) => v)).toEqual([0, 4]);
    expect(failures!.points.map(([, v]) => v)).toEqual([2, 0]);
  });

  it('monitor - the pick list: all, each region, each agent; a pick no longer seen stays listed', () => {
    const seen = [
      { agent: 'payables', region: 'eu' },
      { agent: 'fx', region: 'us' },
      { agent: 'fees', region: 'eu' },
    ];
    expect(seriesPicks(seen).map((p) => p.value)).toEqual([
      '',
      'region:eu',
      'region:us',
      'agent:fees',
      'agent:fx',
      'agent:payables',
    ]);
    expect(seriesPicks(seen)[5]!.label).toBe('payables (eu)');
    expect(seriesPicks([], 'agent:gone')).toEqual([
      { value: '', label: 'all agents' },
      { value: 'agent:gone', label: 'agent gone (nothing stored in this range)' },
    ]);
  });
});
