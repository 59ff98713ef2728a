import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, loadAgentYaml, type AgentDefinition, type MandateRuntime } from 'mandate';
import type { Decision } from 'mandate/machines';
import { treasuryPlugins } from './plugins.ts';
import { SimulatedWorld } from './SimulatedWorld.ts';
import { TreasurySimulation } from './TreasurySimulation.ts';
import { strategyFacts, type StrategyFacts } from './TreasuryWorld.ts';

let runtime: MandateRuntime;
beforeAll(async () => {
  runtime = await createRuntime({});
});
afterAll(async () => runtime.shutdown());

/** The example's strategist over a fresh simulated world. */
async function strategist(): Promise<{ def: AgentDefinition; world: SimulatedWorld; sim: TreasurySimulation }> {
  const sim = new TreasurySimulation([]);
  const world = new SimulatedWorld(sim);
  const def = await loadAgentYaml(
    join(import.meta.dirname, 'agents', 'treasury-strategist.yaml'),
    treasuryPlugins(world, sim, runtime),
  );
  return { def, world, sim };
}

interface Step {
  chosen: string | null | undefined;
  confidence: number;
  before: StrategyFacts;
  after: StrategyFacts;
}

/** Decides and executes (as a live run on the simulated world would) until the strategist holds. */
async function rebalance(def: AgentDefinition, world: SimulatedWorld): Promise<Step[]> {
  const steps: Step[] = [];
  for (let n = 0; n < 40; n++) {
    const before = await world.strategy();
    const d = (await def.decide.decide({ strategy: before })) as Decision;
    if (d.action === null) return steps;
    const outcome = await world.strategies.execute(d.action, {
      agentId: def.id,
      decisionId: `d${n}`,
      idempotencyKey: `rebalance-${n}`,
      mode: 'live',
      now: 0,
    });
    expect(outcome.status).toBe('succeeded');
    steps.push({ chosen: d.chosen, confidence: d.confidence, before, after: await world.strategy() });
  }
  throw new Error('the strategist never settled in 40 steps');
}

const short = (id: string | null | undefined) => id?.replace('strategy:balanced:', '');

describe('treasury strategist', () => {
  it('treasury strategist - from all liquid, the balanced preset adds liquidity, then stakes, until its bands hold', async () => {
    const { def, world } = await strategist();
    const steps = await rebalance(def, world);
    // Adding scores higher while the pool is furthest from its band (closing 1.053 of a 2.8 gap vs staking's 0.556).
    expect(steps.map((s) => short(s.chosen))).toEqual([
      ...Array<string>(3).fill('liquidity-add'),
      ...Array<string>(8).fill('stake'),
    ]);
    for (const s of steps.filter((x) => x.chosen?.endsWith('stake'))) {
      expect(s.after.staked - s.before.staked).toBe(10_000);
      expect(s.after.liquidity).toBe(s.before.liquidity);
    }
    expect(steps.at(-1)!.after.shares).toEqual({ liquid: 0.3333, staked: 0.381, liquidity: 0.2857 });
    // The confidence is computed from each step's margin, not a constant.
    expect(new Set(steps.map((s) => s.confidence)).size).toBeGreaterThan(2);
  });

  it('treasury strategist - too much in the pool: removals shrink the pool position (never the stake) and the liquid share comes back', async () => {
    const { def, world, sim } = await strategist();
    const add = { type: 'treasury.liquidity.add', capability: 'treasury.liquidity', account: 'treasury-usd' };
    for (let i = 0; i < 5; i++)
      await world.strategies.execute(
        { ...add, amount: { value: '10000.00', asset: 'USDC' }, params: {} },
        { agentId: def.id, decisionId: `p${i}`, idempotencyKey: `seed-${i}`, mode: 'live', now: 0 },
      );
    const eurcBefore = sim.balances.EURC!;
    const steps = await rebalance(def, world);
    const removals = steps.filter((s) => s.chosen === 'strategy:balanced:liquidity-remove');
    expect(removals.length).toBe(4);
    for (const s of removals) {
      expect(s.after.staked).toBe(s.before.staked);
      expect(s.after.liquidity).toBeLessThan(s.before.liquidity);
      // Half the withdrawn value comes back as USDC (the other half as EURC).
      expect(s.after.liquid - s.before.liquid).toBeCloseTo((s.before.liquidity - s.after.liquidity) / 2, 6);
    }
    expect(sim.balances.EURC!).toBeGreaterThan(eurcBefore);
    expect(steps.at(-1)!.after.shares).toEqual({ liquid: 0.3192, staked: 0.3769, liquidity: 0.3039 });
  });

  it('treasury strategist - below the 25% liquid floor its rule unstakes; where withdrawing liquidity refills it without unstaking, that wins', async () => {
    const { def } = await strategist();
    const decide = async (p: { liquid: number; staked: number; liquidity: number }) =>
      (await def.decide.decide({ strategy: strategyFacts({ ...p, poolAprBps: 700 }) })) as Decision;
    // The vault over its target too: the rule and the preset propose the same 10,000 unstake; the rule is listed first.
    const over = await decide({ liquid: 20_000, staked: 50_000, liquidity: 30_000 });
    expect(over.rulesFired).toEqual(['unstake-to-floor']);
    expect(over.options!.map((o) => [o.id, o.score])).toEqual([
      ['hold', 0],
      ['rule:unstake-to-floor', 1.79],
      ['strategy:balanced:unstake', 1.79],
    ]);
    expect(over).toMatchObject({ chosen: 'rule:unstake-to-floor', action: { amount: { value: '10000.00' } } });
    // The vault under its target: unstaking would widen the staked gap as much as it closes the floor's.
    const under = await decide({ liquid: 20_000, staked: 35_000, liquidity: 45_000 });
    expect(under.options!.map((o) => [o.id, o.score])).toEqual([
      ['hold', 0],
      ['rule:unstake-to-floor', -0.01],
      ['strategy:balanced:liquidity-remove', 1.98],
    ]);
    expect(under.chosen).toBe('strategy:balanced:liquidity-remove');
  });
});
