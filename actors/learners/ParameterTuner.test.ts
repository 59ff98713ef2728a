import { describe, expect, it } from 'vitest';
import { RulesDecider } from '../deciders/RulesDecider.ts';
import { ParameterTuner, type TuningEvent } from './ParameterTuner.ts';
import type { TuningObservation } from './tuneParameter.ts';

const RULES = `
rules:
  - name: fees-spiking
    params:
      threshold: { value: 60, tunable: { min: 40, max: 80, step: 5 } }
      floor: 10
    conditions:
      all:
        - { fact: gas, path: $.gwei, operator: greaterThan, value: "$param:threshold" }
        - { fact: gas, path: $.gwei, operator: greaterThan, value: "$param:floor" }
    event: { type: gate.set, params: { gate: fees-ok, open: false } }
`;

function fixture(observations: TuningObservation[] = []) {
  const decider = RulesDecider.fromYaml(RULES);
  let now = 0;
  const audited: TuningEvent[] = [];
  const tuner = new ParameterTuner({
    agentId: 'fee-watcher',
    decider,
    periodMs: 60_000,
    clock: { now: () => now, setTimeout: () => 0, clearTimeout: () => {} },
    observations: async () => observations,
    audit: async (e) => void audited.push(e),
  });
  return { decider, tuner, audited, advance: (ms: number) => void (now += ms) };
}

const at = (value: number, n: number, succeeded = true) => Array.from({ length: n }, () => ({ value, succeeded }));

describe('ParameterTuner', () => {
  it('tuner - a rule reads its parameter; a tuned value takes effect on the next decision', async () => {
    const { decider } = fixture();
    expect((await decider.decide({ gas: { gwei: 70 } })).rulesFired).toEqual(['fees-spiking']);
    decider.setParameter('fees-spiking.threshold', 75);
    expect((await decider.decide({ gas: { gwei: 70 } })).rulesFired).toEqual([]);
    expect(() => decider.setParameter('fees-spiking.threshold', 85)).toThrowError(
      expect.objectContaining({ code: 'MANDATE_ERR_RULE_INVALID' }),
    );
    expect(() => decider.setParameter('fees-spiking.floor', 20)).toThrowError(/not a tunable parameter/);
    const engine = RulesDecider.fromYaml(RULES, 'rules', { evaluator: 'json-rules-engine' });
    expect((await engine.decide({ gas: { gwei: 70 } })).rulesFired).toEqual(['fees-spiking']);
    expect(() => RulesDecider.fromYaml(RULES.replace('"$param:floor"', '"$param:nope"'))).toThrowError(
      /names no parameter/,
    );
    expect(() => RulesDecider.fromYaml(RULES.replace('value: 60', 'value: 90'))).toThrowError(/within tunable/);
  });

  it('tuner - at most one audited step per period, with before, after and the evidence', async () => {
    const history = at(60, 5);
    const { decider, tuner, audited, advance } = fixture(history);
    const [step] = await tuner.tick();
    expect(step).toMatchObject({ action: 'learn.tuned', parameter: 'fees-spiking.threshold', before: 60, after: 65 });
    expect(step!.evidence).toMatchObject({
      reason: 'probe',
      arms: [{ value: 60, samples: 5, meanReward: 1 }, { value: 65 }, { value: 55 }],
    });
    expect(audited).toEqual([step]);
    expect(decider.parameters().find((p) => p.key === 'fees-spiking.threshold')!.value).toBe(65);
    history.push(...at(65, 5)); // the outcomes at the new value come in
    advance(30_000);
    expect(await tuner.tick()).toEqual([]);
    advance(30_000);
    expect((await tuner.tick()).map((e) => e.after)).toEqual([70]);
  });

  it('tuner - freeze stops it, revert undoes the last step and freezes, both audited', async () => {
    // Rewards 0 at 60, 0.9 at 65 (10 bps slippage), 1 at 70: two improving steps.
    const slipped = at(65, 5).map((o) => ({ ...o, slippageBps: 10 }));
    const { decider, tuner, audited, advance } = fixture([...at(60, 5, false), ...slipped, ...at(70, 5)]);
    await tuner.tick(); // 60 → 65
    advance(60_000);
    await tuner.tick(); // 65 → 70
    await tuner.freeze('fees-spiking.threshold', 'alice', 'quarter end');
    advance(60_000);
    expect(await tuner.tick()).toEqual([]);
    expect(tuner.frozen()).toEqual(['fees-spiking.threshold']);
    await tuner.unfreeze('fees-spiking.threshold', 'alice', 'done');
    expect(await tuner.revert('fees-spiking.threshold', 'bob', { why: 'fees went up' })).toBe(65);
    expect(await tuner.revert('fees-spiking.threshold', 'bob', { why: 'back to the YAML', toDeclared: true })).toBe(60);
    expect(decider.parameters().find((p) => p.key === 'fees-spiking.threshold')!.value).toBe(60);
    advance(60_000);
    expect(await tuner.tick()).toEqual([]);
    expect(audited.map((e) => [e.action, e.before, e.after, e.by])).toEqual([
      ['learn.tuned', 60, 65, 'learner'],
      ['learn.tuned', 65, 70, 'learner'],
      ['learn.frozen', 70, 70, 'alice'],
      ['learn.unfrozen', 70, 70, 'alice'],
      ['learn.reverted', 70, 65, 'bob'],
      ['learn.reverted', 65, 60, 'bob'],
    ]);
    await expect(tuner.freeze('fees-spiking.floor', 'alice', 'x')).rejects.toThrow(/no tunable parameter/);
  });

  it('tuner - a failed audit write leaves the parameter unchanged', async () => {
    const decider = RulesDecider.fromYaml(RULES);
    const tuner = new ParameterTuner({
      agentId: 'a',
      decider,
      periodMs: 1,
      clock: { now: () => 0, setTimeout: () => 0, clearTimeout: () => {} },
      observations: async () => at(60, 5),
      audit: async () => {
        throw new Error('audit down');
      },
    });
    await expect(tuner.tick()).rejects.toThrow('audit down');
    expect(decider.parameters().find((p) => p.key === 'fees-spiking.threshold')!.value).toBe(60);
  });
});
