import { describe, expect, it } from 'vitest';
import { compileLimitRules } from './LimitRule.ts';

describe('compileLimitRules', () => {
  it('limits - bounds become base units of the asset or the reference currency', () => {
    const [a, b] = compileLimitRules(
      [
        { scope: 'agent:a1', window: 'transaction', unit: 'native', asset: 'USDC', max: '250.5' },
        { scope: 'supervisor:gov', window: 'rolling-24h', unit: 'reference', perCounterparty: true, max: '1000' },
      ],
      { USDC: 6 },
      2,
    );
    expect(a!.maxBase).toBe(250_500_000n);
    expect(b!.maxBase).toBe(100_000n);
    expect(b!.perCounterparty).toBe(true);
  });

  it('limits - malformed rules are coded config errors naming the rule', () => {
    const bad = [
      { scope: 'team:x', window: 'transaction', unit: 'native', asset: 'USDC', max: '1' },
      { scope: 'agent:a', window: 'transaction', unit: 'native', max: '1' },
      { scope: 'agent:a', window: 'transaction', unit: 'native', asset: 'DOGE', max: '1' },
      { scope: 'agent:a', window: 'transaction', unit: 'native', asset: 'USDC', max: '1.0000001' },
      { scope: 'agent:a', window: 'weekly', unit: 'native', asset: 'USDC', max: '1' },
    ];
    for (const rule of bad)
      expect(() => compileLimitRules([rule], { USDC: 6 }, 6)).toThrow(
        expect.objectContaining({ code: 'MANDATE_ERR_LIMIT_CONFIG' }),
      );
  });
});
