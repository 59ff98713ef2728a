import { describe, expect, it } from 'vitest';
import { AgentTrends } from '../../../runtime/metrics/AgentTrends.ts';
import { directionOf, formatSeconds, formatShare, trendRows } from './trendRows.ts';

describe('trends - rows from GET /api/metrics trends', () => {
  it('trends - one row per agent: level, arrow and forecast of both quantities, the slowing agent first with its advice', () => {
    // The runtime's own trend report, as the gateway serves it.
    const trends = new AgentTrends();
    for (let i = 0; i < 8; i++) trends.onCycle('steady', 0.42, false);
    for (let i = 0; i < 10; i++) trends.onCycle('slowing', 1 + i, i >= 5);
    const rows = trendRows(trends.report());
    expect(rows.map((r) => r.agent)).toEqual(['slowing', 'steady']);
    const [slowing, steady] = rows;
    expect(steady).toEqual({
      agent: 'steady',
      cycle: { level: '420 ms', forecast: '420 ms', direction: 'flat', arrow: '→' },
      errors: { level: '0%', forecast: '0%', direction: 'flat', arrow: '→' },
      recommendations: [],
    });
    expect(slowing!.cycle!.direction).toBe('rising');
    expect(slowing!.cycle!.arrow).toBe('↑');
    expect(slowing!.errors!.arrow).toBe('↑');
    expect(slowing!.recommendations).toHaveLength(2);
    expect(slowing!.recommendations[0]).toMatch(/^slowing's cycles are getting slower/);
    expect(slowing!.recommendations[1]).toMatch(/^slowing is failing more often/);
  });

  it('trends - a falling trend points down; a slope under the noise bound is flat', () => {
    expect(directionOf({ metric: 'cycle_seconds', level: 2, slope: -0.05 })).toBe('falling');
    expect(directionOf({ metric: 'cycle_seconds', level: 2, slope: 0.01 })).toBe('flat');
    expect(directionOf({ metric: 'error_rate', level: 0.2, slope: 0.004 })).toBe('flat');
    expect(directionOf({ metric: 'error_rate', level: 0.2, slope: 0.02 })).toBe('rising');
  });

  it('trends - seconds and shares read as an operator writes them', () => {
    expect(formatSeconds(0.0042)).toBe('4 ms');
    expect(formatSeconds(1.254)).toBe('1.25 s');
    expect(formatSeconds(95.4)).toBe('95 s');
    expect(formatShare(0.125)).toBe('12.5%');
    expect(formatShare(0.78)).toBe('78%');
    expect(formatShare(0)).toBe('0%');
    expect(trendRows([])).toEqual([]);
  });
});
