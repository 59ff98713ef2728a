import { describe, expect, it } from 'vitest';
import { parseAgentYaml, PluginRegistry } from '../index.ts';

const plugins = new PluginRegistry()
  .perceiver('treasury.positions', () => ({}))
  .actuator({ name: 'noop', effect: 'internal', execute: async () => ({ status: 'succeeded' }) }, [
    'treasury.stake',
    'treasury.liquidity',
  ]);

// A rule that never fires here: the options come from the preset.
const rules = `rules:
  - name: never
    conditions: { all: [ { fact: strategy, path: $.next, operator: equal, value: never } ] }
    event: { type: none, capability: treasury.stake, params: {} }
`;

const agent = (strategy: string, extra = '') => `id: strategist
capabilities: [treasury.stake, treasury.liquidity]
triggers: [ { every: 7s } ]
permissions:
  - { capability: treasury.stake, accounts: [treasury-usd] }
  - { capability: treasury.liquidity, accounts: [treasury-usd] }
perceive: [treasury.positions]
rules: rules.yaml
act: noop
strategy: ${strategy}
${extra}`;

const load = (strategy: string, extra = '') =>
  parseAgentYaml({
    text: agent(strategy, extra),
    source: 'strategist.yaml',
    plugins,
    readRelative: async (p) => {
      if (p === 'rules.yaml') return rules;
      throw new Error(`no file ${p}`);
    },
  });

// 100,000 USDC: 60% liquid, 25% staked, 15% in the pool at a 7% APR.
const facts = {
  strategy: {
    liquid: 60_000,
    staked: 25_000,
    liquidity: 15_000,
    poolAprBps: 700,
    shares: { liquid: 0.6, staked: 0.25, liquidity: 0.15 },
  },
};

describe('strategy allocation', () => {
  it('strategy allocation - an opted-in preset proposes its steps and weighs them against its own bands', async () => {
    const def = await load('{ preset: balanced, allocate: { account: treasury-usd } }');
    const d = await def.decide.decide(facts);
    expect(d.options!.map((o) => [o.id, o.score])).toEqual([
      ['hold', 0],
      ['strategy:balanced:stake', 1.97],
      ['strategy:balanced:liquidity-add', 2.079],
    ]);
    expect(d.chosen).toBe('strategy:balanced:liquidity-add');
    expect(d.action).toEqual({
      type: 'treasury.liquidity.add',
      capability: 'treasury.liquidity',
      account: 'treasury-usd',
      amount: { value: '7500.00', asset: 'USDC' },
      params: { minAprBps: 500, maxSlippageBps: 100 },
    });
    expect(d.expectedOutcome!.goals.map((g) => g.id)).toEqual([
      'allocation-staked',
      'allocation-liquidity',
      'allocation-liquid',
    ]);
    expect(def.confidenceFloor).toBe(0.3);
  });

  it('strategy allocation - the options go through the constraints: a step above the per-transaction limit is rejected', async () => {
    const def = await load(
      '{ preset: balanced, allocate: { account: treasury-usd, minAprBps: 800 } }',
      'limits:\n  perTransaction: { USDC: "8000" }\n',
    );
    const d = await def.decide.decide(facts);
    // The 8% override keeps liquidity out (and withdraws the pool): both 10,000 steps exceed the limit.
    expect(d.options!.map((o) => [o.id, o.rejected ?? o.score])).toEqual([
      ['hold', 0],
      ['strategy:balanced:stake', '10000.00 USDC exceeds the per-transaction limit 8000 USDC'],
      ['strategy:balanced:liquidity-remove', '10000.00 USDC exceeds the per-transaction limit 8000 USDC'],
    ]);
    expect(d.chosen).toBe('hold');
  });

  it('strategy allocation - an agent with goals of its own weighs the preset options against those', async () => {
    const def = await load(
      '{ preset: balanced, allocate: { account: treasury-usd } }',
      'goals:\n  - { id: staked, kind: strategic, metric: strategy.shares.staked, band: { min: 0.38 }, scale: 0.1 }\n',
    );
    const d = await def.decide.decide(facts);
    // Only the staked share counts: stake closes 1.3 − 0.3 of its gap (1 − 0.01 − 1 × 0.01); adding widens it.
    expect(d.options!.map((o) => [o.id, o.score])).toEqual([
      ['hold', 0],
      ['strategy:balanced:stake', 0.98],
      ['strategy:balanced:liquidity-add', -0.194],
    ]);
    expect(d.chosen).toBe('strategy:balanced:stake');
    expect(d.expectedOutcome!.goals.map((g) => g.id)).toEqual(['staked']);
  });

  it('strategy allocation - without allocate the preset proposes nothing of its own', async () => {
    const def = await load(
      '{ preset: balanced }',
      'goals:\n  - { id: staked, kind: strategic, metric: strategy.shares.staked, band: { min: 0.38 }, scale: 0.1 }\n',
    );
    const d = await def.decide.decide(facts);
    expect(d.options!.map((o) => o.id)).toEqual(['hold']);
  });

  it.each([
    { name: 'allocate: true', strategy: '{ preset: balanced, allocate: true }', field: 'strategy.allocate' },
    { name: 'no account', strategy: '{ preset: balanced, allocate: {} }', field: 'strategy.allocate.account' },
    {
      name: 'a negative maxStep',
      strategy: '{ preset: balanced, allocate: { account: treasury-usd, maxStep: -1 } }',
      field: 'strategy.allocate.maxStep',
    },
    {
      name: 'an unknown allocate key',
      strategy: '{ preset: balanced, allocate: { account: treasury-usd, leverage: 3 } }',
      field: 'strategy.allocate.leverage',
    },
    {
      name: 'a facts group that is not a dot path',
      strategy: '{ preset: balanced, allocate: { account: treasury-usd, facts: "strategy..shares" } }',
      field: 'strategy.allocate.facts',
    },
    {
      name: 'a fractional minAprBps',
      strategy: '{ preset: aggressive, allocate: { account: treasury-usd, minAprBps: 2.5 } }',
      field: 'strategy.allocate.minAprBps',
    },
  ])(
    'strategy allocation - $name is refused with MANDATE_ERR_STRATEGY_INVALID naming $field',
    async ({ strategy, field }) => {
      const error = await load(strategy).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'MANDATE_ERR_STRATEGY_INVALID', details: { field } });
      expect((error as Error).message).toContain(`"${field}"`);
    },
  );
});
