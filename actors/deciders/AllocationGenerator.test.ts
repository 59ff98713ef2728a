import { describe, expect, it } from 'vitest';
import { AllocationGenerator } from './AllocationGenerator.ts';
import { ALLOCATION_TARGETS, allocationGoals } from './allocationPresets.ts';
import { GoalDecider } from './GoalDecider.ts';
import { strategySettings, type StrategyPresetName } from './strategyPresets.ts';

// 100,000 USDC: 60% liquid, 25% staked, 15% in the pool; the shares as the strategist's perceiver reports them.
const facts = (poolAprBps: number, over: Record<string, number> = {}) => {
  const a = { liquid: 60_000, staked: 25_000, liquidity: 15_000, ...over };
  const total = a.liquid + a.staked + a.liquidity;
  const shares = { liquid: a.liquid / total, staked: a.staked / total, liquidity: a.liquidity / total };
  return { strategy: { ...a, poolAprBps, shares } };
};

const generator = (preset: StrategyPresetName, maxStep = 10_000) =>
  new AllocationGenerator({
    preset,
    targets: ALLOCATION_TARGETS[preset],
    allocate: { account: 'treasury-usd', asset: 'USDC', facts: 'strategy', maxStep },
  });

const summary = async (preset: StrategyPresetName, f: Record<string, unknown>) =>
  (await generator(preset).generate(f)).options.map((o) => ({
    id: o.id,
    type: o.action!.type,
    amount: o.action!.amount!.value,
    params: o.action!.params,
    after: [
      o.expect['strategy.shares.staked'],
      o.expect['strategy.shares.liquidity'],
      o.expect['strategy.shares.liquid'],
    ],
  }));

/** The preset's own goals and weights, as an allocating agent without `goals:` gets them. */
const decide = (preset: StrategyPresetName, f: Record<string, unknown>) =>
  new GoalDecider({
    goals: allocationGoals(ALLOCATION_TARGETS[preset], 'strategy'),
    generators: [generator(preset)],
    config: strategySettings({ preset }, 'test'),
  }).decide(f);

describe('allocation presets', () => {
  it('allocation presets - conservative (20/10/70, LP at 8% APR or better) unstakes the excess, withdraws the pool at 7%', async () => {
    expect(await summary('conservative', facts(700))).toEqual([
      // Staked 25% vs 20%: unstake 5,000 → 20/15/65.
      {
        id: 'strategy:conservative:unstake',
        type: 'treasury.unstake',
        amount: '5000.00',
        params: {},
        after: [0.2, 0.15, 0.65],
      },
      // 7% is under the 8% minimum: withdraw the whole position, capped at 10,000 (2/3 of it); half comes back as USDC.
      {
        id: 'strategy:conservative:liquidity-remove',
        type: 'treasury.liquidity.remove',
        amount: '10000.00',
        params: { shareBps: 6667 },
        after: [0.2632, 0.0526, 0.6842],
      },
    ]);
    // At 9% only the 5% of excess liquidity is withdrawn.
    const at9 = await summary('conservative', facts(900));
    expect(at9[1]).toMatchObject({ amount: '5000.00', params: { shareBps: 3333 } });
    const d = await decide('conservative', facts(700));
    // unstake: benefit 0.3 (staked) + 0.5 (liquid) = 0.8, cost 1.5 × 0.01; remove: 0.694 − 1.5 × 0.02.
    expect(d.options!.map((o) => [o.id, o.score])).toEqual([
      ['hold', 0],
      ['strategy:conservative:unstake', 0.785],
      ['strategy:conservative:liquidity-remove', 0.664],
    ]);
    expect(d.chosen).toBe('strategy:conservative:unstake');
    expect(d.action).toMatchObject({
      capability: 'treasury.stake',
      account: 'treasury-usd',
      amount: { asset: 'USDC' },
    });
    expect(d.confidence).toBe(0.3769); // 0.121 / (0.121 + 0.2)
  });

  it('allocation presets - balanced (40/30/30, LP at 5% or better) stakes and adds liquidity, and adding wins', async () => {
    expect(await summary('balanced', facts(700))).toEqual([
      // Staked 25% vs 40%, liquid 30,000 above its target: stake min(15,000, 30,000) capped at 10,000.
      {
        id: 'strategy:balanced:stake',
        type: 'treasury.stake',
        amount: '10000.00',
        params: {},
        after: [0.35, 0.15, 0.5],
      },
      // Pool 15% vs 30%: add half of the 15,000 gap (the pair doubles it) → 25,000 + 30,000 + 52,500.
      {
        id: 'strategy:balanced:liquidity-add',
        type: 'treasury.liquidity.add',
        amount: '7500.00',
        params: { minAprBps: 500, maxSlippageBps: 100 },
        after: [0.2326, 0.2791, 0.4884],
      },
    ]);
    const d = await decide('balanced', facts(700));
    // stake: 2 − 0.01 − 2 × 0.01; add: 2.233 − 0.02 − 2.233 × 0.06.
    expect(d.options!.map((o) => [o.id, o.score])).toEqual([
      ['hold', 0],
      ['strategy:balanced:stake', 1.97],
      ['strategy:balanced:liquidity-add', 2.079],
    ]);
    expect(d.chosen).toBe('strategy:balanced:liquidity-add');
    expect(d.confidence).toBe(0.5215); // 0.109 / (0.109 + 0.1)
  });

  it('allocation presets - aggressive (50/40/10, LP at 3% or better) adds the capped 10,000 of liquidity', async () => {
    expect((await summary('aggressive', facts(400))).map((o) => [o.id, o.amount, o.after])).toEqual([
      ['strategy:aggressive:stake', '10000.00', [0.35, 0.15, 0.5]],
      ['strategy:aggressive:liquidity-add', '10000.00', [0.2273, 0.3182, 0.4545]],
    ]);
    const d = await decide('aggressive', facts(400));
    expect(d.options!.map((o) => [o.id, o.score])).toEqual([
      ['hold', 0],
      ['strategy:aggressive:stake', 1.9825],
      ['strategy:aggressive:liquidity-add', 2.8077],
    ]);
    expect(d.chosen).toBe('strategy:aggressive:liquidity-add');
  });

  it('allocation presets - no liquidity is added below the minimum APR, and at exactly the minimum it is', async () => {
    const below = await summary('balanced', facts(499));
    expect(below.map((o) => o.id)).toEqual(['strategy:balanced:stake', 'strategy:balanced:liquidity-remove']);
    expect(below.some((o) => o.type === 'treasury.liquidity.add')).toBe(false);
    // Withdrawing scores below hold against the 30% liquidity goal: the stake wins.
    expect((await decide('balanced', facts(499))).chosen).toBe('strategy:balanced:stake');
    expect((await summary('balanced', facts(500))).map((o) => o.id)).toContain('strategy:balanced:liquidity-add');
    // Without an APR fact nothing is added either.
    const noApr = await generator('balanced').generate({
      strategy: { liquid: 60_000, staked: 25_000, liquidity: 15_000 },
    });
    expect(noApr.options.map((o) => o.id)).toEqual(['strategy:balanced:stake']);
  });

  it('allocation presets - on target, or without the amounts, nothing is proposed and hold is chosen', async () => {
    const onTarget = facts(700, { liquid: 30_000, staked: 40_500, liquidity: 29_500 });
    expect(await summary('balanced', onTarget)).toEqual([]);
    expect((await decide('balanced', onTarget)).chosen).toBe('hold');
    expect((await generator('balanced').generate({ strategy: { liquid: 'lots' } })).options).toEqual([]);
    expect((await generator('balanced').generate({})).options).toEqual([]);
  });

  it('allocation presets - maxStep caps every step', async () => {
    const out = await generator('balanced', 2_500).generate(facts(700));
    expect(out.options.map((o) => o.action!.amount!.value)).toEqual(['2500.00', '2500.00']);
  });
});
