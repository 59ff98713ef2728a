import { describe, expect, it } from 'vitest';
import { durationMs, linkRange, rangeLabel, rangeLink, rangeQuery, rangeStep } from './seriesRange.ts';
import { parseRoute, routeHash } from './router.ts';

describe('series range - presets, custom ranges and the deep link', () => {
  it('series range - durations: whole numbers of s, m, h or d up to 400 days, anything else refused', () => {
    expect(durationMs('15m')).toBe(900_000);
    expect(durationMs('7d')).toBe(604_800_000);
    expect(durationMs('400d')).toBe(400 * 86_400_000);
    for (const bad of ['0m', '15', '1.5h', '15min', '401d', '-1h', '']) expect(durationMs(bad)).toBeNull();
  });

  it('series range - the link names a preset, a custom range or nothing; a bad one falls back to the last hour and says why', () => {
    expect(linkRange({}).range).toEqual({ kind: 'last', last: '1h', ms: 3_600_000 });
    expect(linkRange({ last: '6h' })).toEqual({ range: { kind: 'last', last: '6h', ms: 21_600_000 }, problem: null });
    const from = '2026-12-01T16:00:00.000Z';
    const to = '2026-12-01T17:30:00.000Z';
    expect(linkRange({ from, to }).range).toEqual({ kind: 'between', from: Date.parse(from), to: Date.parse(to) });
    expect(linkRange({ last: 'soon' }).problem).toMatch(/"last=soon" is not a span/);
    expect(linkRange({ from }).problem).toMatch(/both "from" and "to"/);
    expect(linkRange({ from: to, to: from }).problem).toMatch(/before/);
    expect(linkRange({ from: to, to: from }).range.kind).toBe('last');
  });

  it('series range - the query: last= ending at the runtime’s now or from/to, about 120 whole-second buckets, the pick', () => {
    expect(rangeStep(900_000)).toBe(10_000);
    expect(rangeStep(3_600_000)).toBe(30_000);
    expect(rangeStep(7 * 86_400_000)).toBe(5_040_000);
    expect(rangeQuery(linkRange({ last: '15m' }).range, '')).toEqual({ last: '15m', step: '10000' });
    expect(rangeQuery(linkRange({}).range, 'agent:payables')).toEqual({ last: '1h', step: '30000', agent: 'payables' });
    expect(rangeQuery({ kind: 'between', from: 1_000, to: 7_201_000 }, 'region:eu:west-1')).toEqual({
      from: '1000',
      to: '7201000',
      step: '60000',
      region: 'eu:west-1',
    });
    expect(rangeQuery(linkRange({}).range, 'bogus')).toEqual({ last: '1h', step: '30000' });
  });

  it('series range - a range and pick round-trip through the fragment; the default hour is left out', () => {
    const between = { kind: 'between', from: Date.UTC(2026, 11, 1, 16), to: Date.UTC(2026, 11, 1, 18) } as const;
    for (const [range, pick] of [
      [linkRange({ last: '24h' }).range, 'agent:payables'],
      [between, 'region:eu'],
      [linkRange({}).range, ''],
    ] as const) {
      const hash = routeHash({ view: 'monitor', series: rangeLink(range, pick) });
      const route = parseRoute(hash);
      expect(route.view).toBe('monitor');
      if (route.view !== 'monitor') continue;
      expect(linkRange(route.series).range).toEqual(range);
      expect(route.series.series ?? '').toBe(pick);
    }
    expect(routeHash({ view: 'monitor', series: rangeLink(linkRange({}).range, '') })).toBe('#/monitor');
    expect(routeHash({ view: 'monitor', series: rangeLink(linkRange({ last: '7d' }).range, '') })).toBe(
      '#/monitor?last=7d',
    );
  });

  it('series range - labels: presets by name, other spans spelled out, a custom range in the given format', () => {
    expect(rangeLabel(linkRange({ last: '15m' }).range, String)).toBe('last 15 min');
    expect(rangeLabel(linkRange({ last: '90m' }).range, String)).toBe('last 90 min');
    expect(rangeLabel({ kind: 'between', from: 1, to: 2 }, (at) => `t${at}`)).toBe('t1 – t2');
  });
});
