import { parseUnits } from 'ethers';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { RulesDecider, type Actuator } from '../../actors/index.ts';
import { prometheusText } from '../../gateway/prometheusText.ts';
import { ErrorCode } from '../../kernel/index.ts';
import type { PositionValue } from '../../machines/index.ts';
import { createRuntime, defineAgent, type MandateRuntime, type PriceTick } from '../index.ts';

const human = { kind: 'human' as const, id: 'alice' };
const T0 = Date.parse('2026-12-08T10:00:00Z');
const LP = 'uniswap-v2-lp:0xpair';
const VAULT = 'erc4626:0xvault';

async function settle(rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** What the strategy step reports: 4000 USDC + 3700 EURC at the pool's mid 1.08 (cost 8000), and 500 USDC staked. */
const stepPositions: PositionValue[] = [
  {
    position: LP,
    currency: 'USDC',
    value: '7996',
    costBasis: '8000',
    unrealizedPnl: '-4',
    realizedPnl: '0',
    holdings: [
      { asset: 'USDC', amount: '4000', price: '1' },
      { asset: 'EURC', amount: '3700', price: '1.08' },
    ],
  },
  {
    position: VAULT,
    currency: 'USDC',
    value: '500',
    costBasis: '500',
    unrealizedPnl: '0',
    realizedPnl: '0',
    holdings: [{ asset: 'USDC', amount: '500', price: '1' }],
  },
];

/** A runtime at T0 pricing EURC in USDC with EUR/USD, and a strategist that took one strategy step. */
async function strategistRuntime(): Promise<{ runtime: MandateRuntime; steps: () => number }> {
  const clock = new SimulatedClock();
  clock.increment(T0);
  const runtime = await createRuntime({
    clock,
    positionPrices: { 'EUR/USD': { base: 'EURC', quote: 'USDC', maxAgeMs: 60_000 } },
  });
  let steps = 0;
  const strategies: Actuator = {
    name: 'test.strategies',
    effect: 'internal',
    execute: async () => {
      steps++;
      return { status: 'succeeded', receipt: { rail: 'test' }, positions: stepPositions };
    },
  };
  await runtime.spawn(
    defineAgent({
      id: 'strategist',
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
      act: strategies,
    }),
  );
  expect(await runtime.trigger('strategist', human)).toBe(true);
  await settle();
  expect(steps).toBe(1);
  return { runtime, steps: () => steps };
}

/** The `/metrics` position lines of the strategist, as the gateway serves them. */
function positionLines(runtime: MandateRuntime): string[] {
  return prometheusText(runtime.metrics(), { liveClients: 0 })
    .split('\n')
    .filter((l) => /^mandate_(position_value|position_cost_basis|unrealized_pnl)\{agent="strategist"/.test(l));
}

const line = (metric: string, position: string, value: number) =>
  `${metric}{agent="strategist",position="${position}",currency="USDC"} ${value}`;

describe('price updates re-value strategy positions', () => {
  it('prices - an EUR/USD tick re-values the pool share holding EURC and its metrics at once, without a treasury step', async () => {
    const { runtime, steps } = await strategistRuntime();
    expect(positionLines(runtime)).toContain(line('mandate_position_value', LP, 7996));
    const result = runtime.priceUpdate({
      pair: 'EUR/USD',
      price: '1.1',
      updatedAt: new Date(T0 - 1_000),
      source: 'chainlink:0xfeed',
    });
    // 4000 USDC + 3700 EURC × 1.1 = 8070 against the 8000 it cost.
    expect(result).toMatchObject({ pair: 'EUR/USD', price: '1.1', updatedAt: new Date(T0 - 1_000).toISOString() });
    expect(result.positions).toHaveLength(1);
    expect(result.positions[0]).toMatchObject({ agent: 'strategist', position: LP, value: '8070.0' });
    expect(result.positions[0]!.unrealizedPnl).toBe('70.0');
    expect(result.positions[0]!.holdings).toContainEqual({ asset: 'EURC', amount: '3700', price: '1.1' });
    const lines = positionLines(runtime);
    expect(lines).toContain(line('mandate_position_value', LP, 8070));
    expect(lines).toContain(line('mandate_unrealized_pnl', LP, 70));
    expect(lines).toContain(line('mandate_position_cost_basis', LP, 8000));
    // The vault stake holds no EURC: untouched.
    expect(lines).toContain(line('mandate_position_value', VAULT, 500));
    // An oracle's PriceObservation as it is (18-decimal bigint): 4000 + 3700 × 1.05 = 7885.
    runtime.priceUpdate({ pair: 'EUR/USD', price: parseUnits('1.05', 18), updatedAt: new Date(T0), source: 'pool' });
    expect(positionLines(runtime)).toContain(line('mandate_position_value', LP, 7885));
    expect(positionLines(runtime)).toContain(line('mandate_unrealized_pnl', LP, -115));
    expect(steps()).toBe(1);
    await runtime.shutdown();
  });

  it('prices - invalid ticks (NaN, negative, zero, stale, future, older than accepted, wrong pair) are refused with MANDATE_ERR_ORACLE_INVALID and change nothing', async () => {
    const { runtime, steps } = await strategistRuntime();
    runtime.priceUpdate({ pair: 'EUR/USD', price: 1.1, updatedAt: T0 - 5_000 });
    const accepted = positionLines(runtime);
    expect(accepted).toContain(line('mandate_position_value', LP, 8070));
    const fresh = T0 - 1_000;
    const refused: Array<[string, PriceTick, RegExp]> = [
      ['NaN', { pair: 'EUR/USD', price: Number.NaN, updatedAt: fresh }, /price is NaN, not a finite number/],
      ['"NaN"', { pair: 'EUR/USD', price: 'NaN', updatedAt: fresh }, /price "NaN" is not a decimal number/],
      ['Infinity', { pair: 'EUR/USD', price: Infinity, updatedAt: fresh }, /not a finite number/],
      ['negative', { pair: 'EUR/USD', price: -1.2, updatedAt: fresh }, /price -1\.2 is negative/],
      ['negative bigint', { pair: 'EUR/USD', price: -(10n ** 18n), updatedAt: fresh }, /is negative/],
      ['zero', { pair: 'EUR/USD', price: '0.000', updatedAt: fresh }, /price is zero/],
      ['too precise', { pair: 'EUR/USD', price: '1.' + '1'.repeat(19), updatedAt: fresh }, /more than 18 decimals/],
      [
        'stale',
        { pair: 'EUR/USD', price: '1.2', updatedAt: T0 - 61_000 },
        /price is stale: .* 61 s ago, above the 60 s/,
      ],
      ['future', { pair: 'EUR/USD', price: '1.2', updatedAt: T0 + 120_000 }, /120 s ahead of this node's clock/],
      ['no timestamp', { pair: 'EUR/USD', price: '1.2', updatedAt: new Date('soon') }, /no valid timestamp/],
      [
        'older than accepted',
        { pair: 'EUR/USD', price: '1.2', updatedAt: T0 - 6_000 },
        /older than the one already accepted/,
      ],
      ['undeclared pair', { pair: 'GBP/USD', price: '1.3', updatedAt: fresh }, /GBP\/USD.*declared: EUR\/USD/],
      ['inverted pair', { pair: 'USD/EUR', price: '0.9', updatedAt: fresh }, /USD\/EUR, a pair no position/],
      ['malformed pair', { pair: 'EURUSD', price: '1.2', updatedAt: fresh }, /"EURUSD" is not BASE\/QUOTE/],
    ];
    for (const [what, tick, message] of refused) {
      let error: unknown;
      try {
        runtime.priceUpdate(tick);
      } catch (e) {
        error = e;
      }
      expect(error, what).toMatchObject({ code: ErrorCode.MANDATE_ERR_ORACLE_INVALID });
      expect((error as Error).message, what).toMatch(message);
      expect(positionLines(runtime), what).toEqual(accepted);
    }
    // The accepted price stands: a tick just after it (older than every refused one) is still accepted.
    const next = runtime.priceUpdate({ pair: 'EUR/USD', price: '1', updatedAt: T0 - 4_000 });
    expect(next.positions[0]).toMatchObject({ position: LP, value: '7700.0', unrealizedPnl: '-300.0' });
    expect(steps()).toBe(1);
    await runtime.shutdown();
  });

  it('prices - without declared pairs every update is a wrong pair; with metrics off an update is checked, with nothing to re-value', async () => {
    const bare = await createRuntime({ clock: new SimulatedClock() });
    expect(() => bare.priceUpdate({ pair: 'EUR/USD', price: '1.1', updatedAt: 0 })).toThrow(
      /declared: none\); declare it in RuntimeOptions.positionPrices/,
    );
    await bare.shutdown();
    const off = await createRuntime({
      clock: new SimulatedClock(),
      metrics: false,
      positionPrices: { 'EUR/USD': {} },
    });
    expect(off.priceUpdate({ pair: 'EUR/USD', price: '1.1', updatedAt: 0 }).positions).toEqual([]);
    expect(() => off.priceUpdate({ pair: 'EUR/USD', price: '-1', updatedAt: 0 })).toThrow(/negative/);
    await off.shutdown();
  });
});
