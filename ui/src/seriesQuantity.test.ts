import { describe, expect, it } from 'vitest';
import { parseRoute, routeHash } from './router.ts';
import { linkRange, rangeLink } from './seriesRange.ts';
import { linkQuantity, quantityLink, sumDecimals } from './seriesQuantity.ts';

describe('series quantity - what the chart shows, in the deep link', () => {
  it('series quantity - a link names a quantity and an asset; a bad one falls back and says why', () => {
    expect(linkQuantity({})).toEqual({ quantity: 'rates', asset: '', problem: null });
    expect(linkQuantity({ quantity: 'volume', asset: 'USDC' })).toEqual({
      quantity: 'volume',
      asset: 'USDC',
      problem: null,
    });
    const bad = linkQuantity({ quantity: 'profit', asset: 'US DC' });
    expect([bad.quantity, bad.asset]).toEqual(['rates', '']);
    expect(bad.problem).toMatch(/"quantity=profit" is not one of rates, payments, volume, fees, failures, latency/);
    expect(bad.problem).toMatch(/"asset=US DC" is not an asset symbol/);
  });

  it('series quantity - quantity and asset round-trip through the fragment with range and pick; the defaults are left out', () => {
    const series = {
      ...rangeLink(linkRange({ last: '24h' }).range, 'agent:payables'),
      ...quantityLink('volume', 'USDC'),
    };
    const hash = routeHash({ view: 'monitor', series });
    expect(hash).toBe('#/monitor?last=24h&series=agent%3Apayables&quantity=volume&asset=USDC');
    expect(parseRoute(hash)).toEqual({ view: 'monitor', series });
    expect(quantityLink('rates', '')).toEqual({});
    expect(routeHash({ view: 'monitor', series: quantityLink('latency', '') })).toBe('#/monitor?quantity=latency');
  });

  it('series quantity - decimal amounts sum exactly', () => {
    expect(sumDecimals(['0.1', '0.1', '0.1'])).toBe('0.3');
    expect(sumDecimals(['1000000000000000000000000000.000000000000000001', '2'])).toBe(
      '1000000000000000000000000002.000000000000000001',
    );
    expect(sumDecimals([])).toBe('0');
    expect(sumDecimals(['0.5', '0.5'])).toBe('1');
    expect(() => sumDecimals(['1e3'])).toThrow(RangeError);
  });
});
