import { parseUnits } from 'ethers';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { RulesDecider, SanePriceFeed, type Oracle } from 'mandate/actors';
import { createRuntime, defineAgent } from 'mandate';
import { prometheusText } from '../../gateway/prometheusText.ts';
import { positionRepricer } from './live/positionRepricer.ts';
import { EUR_USD_MAX_AGE_MS } from './live/eurUsdPrices.ts';
import { systemOptions } from './index.ts';

const T0 = Date.parse('2026-12-08T10:00:00Z');
const LP = 'uniswap-v2-lp:0xpair';

/** A source whose EUR/USD price and timestamp the test sets. */
function source(name: string): Oracle & { price: string; at: number } {
  const o = {
    name,
    price: '1.08',
    at: T0,
    read: async (pair: string) => ({ pair, price: parseUnits(o.price, 18), updatedAt: new Date(o.at), source: name }),
  };
  return o;
}

describe('the live world re-values positions with every sane EUR/USD price', () => {
  it('prices - a sane read pushes the median to the runtime: the pool share and its metric move; an out-of-window price is an alert and moves nothing', async () => {
    const clock = new SimulatedClock();
    clock.increment(T0);
    const { positionPrices } = await systemOptions();
    const runtime = await createRuntime({ clock, positionPrices });
    let steps = 0;
    await runtime.spawn(
      defineAgent({
        id: 'treasury-strategist',
        capabilities: ['treasury.liquidity'],
        permissions: [{ capability: 'treasury.liquidity', accounts: ['ops'] }],
        perceive: () => ({ go: true }),
        decide: RulesDecider.fromObject({
          rules: [
            {
              name: 'provide',
              conditions: { all: [{ fact: 'go', operator: 'equal', value: true }] },
              event: {
                type: 'treasury.liquidity.add',
                capability: 'treasury.liquidity',
                account: 'ops',
                rationale: 'lp',
              },
            },
          ],
        }),
        act: {
          name: 'test.strategies',
          effect: 'internal',
          execute: async () => {
            steps++;
            return {
              status: 'succeeded',
              positions: [
                {
                  position: LP,
                  currency: 'USDC',
                  value: '8000',
                  costBasis: '8000',
                  unrealizedPnl: '0',
                  realizedPnl: '0',
                  holdings: [
                    { asset: 'USDC', amount: '4000', price: '1' },
                    { asset: 'EURC', amount: '3703.7', price: '1.08' },
                  ],
                },
              ],
            };
          },
        },
      }),
    );
    await runtime.trigger('treasury-strategist', { kind: 'human', id: 'alice' });
    for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
    expect(steps).toBe(1);
    const [chainlink, pool] = [source('chainlink'), source('pool')];
    const feed = new SanePriceFeed({
      sources: [chainlink, pool],
      // The example's rules, with a longer age limit than the runtime's for positions.
      sanity: {
        'EUR/USD': { maxAgeMs: 2 * EUR_USD_MAX_AGE_MS, min: '0.8', max: '1.5', maxDeviationBps: 300, minSources: 2 },
      },
      now: () => new Date(clock.now()),
      onPrice: positionRepricer(runtime),
    });
    const value = () =>
      prometheusText(runtime.metrics(), { liveClients: 0 })
        .split('\n')
        .find((l) => l.startsWith(`mandate_position_value{agent="treasury-strategist",position="${LP}"`));
    [chainlink.price, pool.price] = ['1.10', '1.12'];
    await feed.read('EUR/USD');
    // Median 1.11: 4000 + 3703.7 × 1.11 = 8111.107, with no strategy step.
    expect(value()).toBe(
      `mandate_position_value{agent="treasury-strategist",position="${LP}",currency="USDC"} 8111.107`,
    );
    // A price the sanity rules take but the runtime finds too old for positions: alerted, nothing moves.
    clock.increment(EUR_USD_MAX_AGE_MS + 60_000);
    [chainlink.price, pool.price] = ['1.2', '1.2'];
    await feed.read('EUR/USD');
    expect(value()).toContain('} 8111.107');
    const alert = runtime.listAlerts().find((a) => a.code === 'MANDATE_ERR_ORACLE_INVALID');
    expect(alert?.message).toMatch(/positions not re-valued at the EUR\/USD price: the EUR\/USD price is stale/);
    expect(steps).toBe(1);
    await runtime.shutdown();
  });
});
