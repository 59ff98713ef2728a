import { describe, expect, it } from 'vitest';
import { MetricFamily } from './MetricFamily.ts';

describe('metric families', () => {
  it('metrics - a histogram snapshot has cumulative buckets; what no bound holds is only in the count', () => {
    const f = new MetricFamily({ name: 'h', type: 'histogram', help: 'h', labelNames: ['a'], bounds: [0.01, 0.1, 1] });
    const s = f.series(['x']);
    for (const v of [0.001, 0.01, 0.05, 0.5, 0.5, 7, Number.NaN]) f.observeIn(s, v);
    f.observe(['y'], 0.2);
    const [x, y] = f.snapshot().series;
    expect(x).toEqual({ labels: { a: 'x' }, buckets: [2, 3, 5], sum: Number.NaN, count: 7 });
    expect(y).toEqual({ labels: { a: 'y' }, buckets: [0, 0, 1], sum: 0.2, count: 1 });
    const empty = new MetricFamily({ name: 'e', type: 'histogram', help: 'e', labelNames: ['a'], bounds: [1] });
    empty.series(['z']);
    expect(empty.snapshot().series[0]).toEqual({ labels: { a: 'z' }, buckets: [0], sum: 0, count: 0 });
  });

  it('metrics - a gauge set through its bound series reads like one set by labels', () => {
    const f = new MetricFamily({ name: 'g', type: 'gauge', help: 'g', labelNames: ['a'] });
    f.setIn(f.series(['x']), 3);
    f.set(['x'], 4);
    f.setIn(f.series(['y']), 5);
    expect(f.snapshot().series.map((s) => [s.labels.a, s.value])).toEqual([
      ['x', 4],
      ['y', 5],
    ]);
  });
});
