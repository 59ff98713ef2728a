import { describe, expect, it } from 'vitest';
import { STRATEGY_PRESETS } from '../../actors/index.ts';
import { parseAgentYaml, PluginRegistry } from '../index.ts';

const plugins = new PluginRegistry()
  .perceiver('market.gas', () => ({ gas: { gwei: 80 } }))
  .actuator({ name: 'noop', effect: 'internal', execute: async () => ({ status: 'succeeded' }) }, ['gates.write']);

// Closing the gate brings the exposure from 80 to 50 gwei (gap 1 → 0) at cost 0.1 with risk 0.2 × 0.5.
const rules = `rules:
  - name: spike
    conditions: { all: [ { fact: gas, path: $.gwei, operator: greaterThan, value: 60 } ] }
    event:
      type: gate.set
      capability: gates.write
      params: { gate: fees-ok, open: false }
      expect: { gas.gwei: 50 }
      cost: 0.1
      risks: [ { what: a payment is held too long, likelihood: 0.2, impact: 0.5 } ]
`;

const agent = (extra: string) => `id: watcher
capabilities: [gates.write]
triggers: [ { every: 2s } ]
permissions: [ { capability: gates.write, accounts: ["*"] } ]
perceive: [market.gas]
rules: rules.yaml
act: noop
${extra}`;

const goals = `goals:
  - { id: fees, kind: financial, metric: gas.gwei, band: { max: 60 }, scale: 20 }
`;

const load = (extra: string) =>
  parseAgentYaml({
    text: agent(extra),
    source: 'watcher.yaml',
    plugins,
    readRelative: async (p) => {
      if (p === 'rules.yaml') return rules;
      throw new Error(`no file ${p}`);
    },
  });

const spikeScore = async (extra: string) => {
  const def = await load(extra);
  const d = await def.decide.decide({ gas: { gwei: 80 } });
  return { def, d, score: d.options!.find((o) => o.id === 'rule:spike')!.score };
};

describe('strategy presets', () => {
  it('strategy presets - each preset sets the evaluator weights and the confidence floor as documented', async () => {
    // benefit 1; score = 1 − costWeight × 0.1 − riskWeight × 1 × 0.1
    const conservative = await spikeScore(`${goals}strategy: { preset: conservative }`);
    expect(conservative.score).toBe(0.65); // 1 − 1.5 × 0.1 − 2 × 0.1
    expect(conservative.def.confidenceFloor).toBe(0.5);
    const balanced = await spikeScore(`${goals}strategy: { preset: balanced }`);
    expect(balanced.score).toBe(0.8);
    expect(balanced.def.confidenceFloor).toBe(0.3);
    const aggressive = await spikeScore(`${goals}strategy: { preset: aggressive }`);
    expect(aggressive.score).toBe(0.875);
    expect(aggressive.def.confidenceFloor).toBe(0.1);
    // margin = score / (score + marginScale): the preset's marginScale too.
    expect(conservative.d.confidence).toBeCloseTo(0.65 / (0.65 + STRATEGY_PRESETS.conservative.marginScale), 4);
    expect(aggressive.d.confidence).toBeCloseTo(0.875 / (0.875 + STRATEGY_PRESETS.aggressive.marginScale), 4);
  });

  it('strategy presets - the block overrides single settings of its preset', async () => {
    const { def, score } = await spikeScore(
      `${goals}strategy: { preset: conservative, riskWeight: 0, confidenceFloor: 0.6 }`,
    );
    expect(score).toBe(0.85); // 1 − 1.5 × 0.1, risk not counted
    expect(def.confidenceFloor).toBe(0.6);
  });

  it.each([
    { name: 'an unknown preset', extra: `${goals}strategy: { preset: reckless }`, field: 'strategy.preset' },
    { name: 'no preset', extra: `${goals}strategy: { riskWeight: 1 }`, field: 'strategy.preset' },
    {
      name: 'a negative weight',
      extra: `${goals}strategy: { preset: balanced, riskWeight: -1 }`,
      field: 'strategy.riskWeight',
    },
    {
      name: 'a floor above 1',
      extra: `${goals}strategy: { preset: balanced, confidenceFloor: 2 }`,
      field: 'strategy.confidenceFloor',
    },
    {
      name: 'an unknown key',
      extra: `${goals}strategy: { preset: balanced, leverage: 3 }`,
      field: 'strategy.leverage',
    },
    { name: 'not a block', extra: `${goals}strategy: balanced`, field: 'strategy' },
    {
      name: 'a preset beside decision:',
      extra: `${goals}strategy: { preset: balanced }\ndecision: { marginScale: 0.2 }`,
      field: 'decision',
    },
    { name: 'a preset without goals', extra: 'strategy: { preset: balanced }', field: 'goals' },
  ])(
    'strategy presets - $name is refused with MANDATE_ERR_STRATEGY_INVALID naming $field',
    async ({ extra, field }) => {
      const error = await load(extra).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'MANDATE_ERR_STRATEGY_INVALID', details: { field } });
      expect((error as Error).message).toContain(`"${field}"`);
    },
  );
});
