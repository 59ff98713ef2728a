import { describe, expect, it } from 'vitest';
import { allowedCapabilities, perTransactionLimit } from './constraints.ts';
import { GoalDecider } from './GoalDecider.ts';
import { decideConfigSchema, goalSchema, type Goal } from './goalSchema.ts';
import type { OptionGenerator } from './OptionGenerator.ts';
import { RulesDecider } from './RulesDecider.ts';

const band: Goal = goalSchema.parse({
  id: 'eur-band',
  kind: 'financial',
  metric: 'bands.eurShare',
  band: { min: 0.25, max: 0.45 },
});

const rules = RulesDecider.fromObject({
  rules: [
    {
      name: 'sell-excess',
      priority: 10,
      conditions: { all: [{ fact: 'bands', path: '$.eurShare', operator: 'greaterThan', value: 0.45 }] },
      event: {
        type: 'fx.swap',
        account: 'treasury-eur',
        amount: { value: '$fact:bands.eurExcess', asset: 'EURC' },
        expect: { 'bands.eurShare': 0.4 },
        cost: 0.02,
        risks: [{ what: 'slippage', likelihood: 0.1, impact: 0.5 }],
        rationale: 'EURC above its band',
      },
    },
    {
      name: 'sell-half',
      priority: 5,
      conditions: { all: [{ fact: 'bands', path: '$.eurShare', operator: 'greaterThan', value: 0.5 }] },
      event: {
        type: 'fx.swap',
        amount: { value: '1000.00', asset: 'EURC' },
        expect: { 'bands.eurShare': 0.48 },
        cost: 0.01,
        rationale: 'a small step',
      },
    },
  ],
});

const decider = (extra: Partial<ConstructorParameters<typeof GoalDecider>[0]> = {}) =>
  new GoalDecider({ goals: [band], generators: [rules], config: decideConfigSchema.parse({}), ...extra });

describe('GoalDecider', () => {
  it('goal pipeline - a fixed scenario gives the documented options, scores, choice and confidence', async () => {
    const d = await decider().decide({ bands: { eurShare: 0.55, eurExcess: '5000.00' } });
    // gap before = (0.55 − 0.45) / 0.2 = 0.5. sell-excess: benefit 0.5, cost 0.02, risk 0.5 × 0.05 = 0.025.
    // sell-half: after 0.48 → gap 0.15, benefit 0.35, cost 0.01, no risk.
    expect(d.options!.map((o) => [o.id, o.score, o.benefit, o.cost, o.risk])).toEqual([
      ['hold', 0, 0, 0, 0],
      ['rule:sell-excess', 0.455, 0.5, 0.02, 0.025],
      ['rule:sell-half', 0.34, 0.35, 0.01, 0],
    ]);
    expect(d.chosen).toBe('rule:sell-excess');
    expect(d.action).toMatchObject({ type: 'fx.swap', amount: { value: '5000.00', asset: 'EURC' } });
    // margin: Δ = 0.455 − 0.34 = 0.115 → 0.115 / (0.115 + 0.1)
    expect(d.confidence).toBeCloseTo(0.5349, 4);
    expect(d.risk).toEqual({
      score: 0.05,
      level: 'medium',
      factors: [{ what: 'slippage', likelihood: 0.1, impact: 0.5 }],
      dataQuality: 1,
    });
    expect(d.expectedOutcome!.goals).toEqual([
      { id: 'eur-band', metric: 'bands.eurShare', before: 0.55, after: 0.4, gapBefore: 0.5, gapAfter: 0 },
    ]);
    expect(d.rulesFired).toEqual(['sell-excess', 'sell-half']);
  });

  it('goal pipeline - confidence is computed: a wider margin and fresher data give more of it', async () => {
    const near = await decider().decide({ bands: { eurShare: 0.47, eurExcess: '100.00' } });
    const far = await decider().decide({ bands: { eurShare: 0.49, eurExcess: '100.00' } });
    expect(near.chosen).toBe('rule:sell-excess');
    expect(far.confidence).toBeGreaterThan(near.confidence);
    const stale = await decider().decide({ bands: { eurShare: 0.49, eurExcess: '100.00' }, fx: { quality: 0.5 } });
    expect(stale.confidence).toBeCloseTo(far.confidence * 0.5, 3);
    expect(stale.risk!.dataQuality).toBe(0.5);
  });

  it('goal pipeline - inside the band nothing closes a gap, so holding wins over an action that costs', async () => {
    const d = await decider({ goals: [{ ...band, band: { min: 0.25, max: 0.6 } }] }).decide({
      bands: { eurShare: 0.55, eurExcess: '1.00' },
    });
    expect(d.chosen).toBe('hold');
    expect(d.action).toBeNull();
    expect(d.options!.find((o) => o.id === 'rule:sell-excess')!.score).toBe(-0.02); // benefit 0, cost 0.02
  });

  it('goal pipeline - constraints reject options with the reason and the rest are weighed', async () => {
    const d = await decider({
      constraints: [allowedCapabilities(['fx.swap']), perTransactionLimit({ EURC: '2000' })],
    }).decide({ bands: { eurShare: 0.55, eurExcess: '5000.00' } });
    expect(d.options!.find((o) => o.id === 'rule:sell-excess')).toMatchObject({
      score: null,
      rejected: '5000.00 EURC exceeds the per-transaction limit 2000 EURC',
    });
    expect(d.chosen).toBe('rule:sell-half');
    const none = await decider({ constraints: [allowedCapabilities(['payments.send'])] }).decide({
      bands: { eurShare: 0.55, eurExcess: '5000.00' },
    });
    expect(none.chosen).toBe('hold');
    expect(none.options!.filter((o) => o.rejected !== undefined)).toHaveLength(2);
  });

  it('goal pipeline - conflict: two rules firing different actions give no action and a rules conflict', async () => {
    const opposite = RulesDecider.fromObject({
      rules: [
        { name: 'sell', conditions: { all: [{ fact: 'x', operator: 'equal', value: 1 }] }, event: { type: 'fx.swap' } },
        { name: 'buy', conditions: { all: [{ fact: 'x', operator: 'equal', value: 1 }] }, event: { type: 'fx.buy' } },
      ],
    });
    const d = await decider({ generators: [opposite] }).decide({ x: 1, bands: { eurShare: 0.55 } });
    expect(d).toMatchObject({ action: null, confidence: 0, chosen: 'hold', conflict: { kind: 'rules' } });
    expect(d.conflict!.detail).toContain('fx.swap and fx.buy');
  });

  it('goal pipeline - conflict: a band whose low end (from a fact) exceeds its high end gives no action', async () => {
    const fromFacts = goalSchema.parse({ ...band, band: { min: '$fact:limits.low', max: '$fact:limits.high' } });
    const d = await decider({ goals: [fromFacts] }).decide({
      bands: { eurShare: 0.55 },
      limits: { low: 0.6, high: 0.4 },
    });
    expect(d).toMatchObject({ action: null, confidence: 0, conflict: { kind: 'band' } });
    expect(d.conflict!.detail).toBe("goal eur-band: its band's low end 0.6 exceeds its high end 0.4");
  });

  it('goal pipeline - generators that disagree lower the agreement factor', async () => {
    const strategy: OptionGenerator = {
      name: 'strategy',
      generate: async () => ({
        options: [
          {
            id: 'strategy:park',
            source: 'strategy',
            action: { type: 'treasury.stake', capability: 'treasury.stake', params: {} },
            expect: { 'bands.eurShare': 0.5 },
            cost: 0.01,
            risks: [],
            rationale: 'park it',
            priority: 1,
          },
        ],
        rulesFired: [],
      }),
    };
    const d = await decider({ generators: [rules, strategy] }).decide({ bands: { eurShare: 0.55, eurExcess: '9.00' } });
    expect(d.chosen).toBe('rule:sell-excess');
    expect(d.rationale).toContain('agreement 0.5');
  });

  it('goal pipeline - a goal with "when" counts only while its fact holds; an option may switch it off', async () => {
    const gate = RulesDecider.fromObject({
      rules: [
        {
          name: 'close',
          conditions: { all: [{ fact: 'gas', path: '$.gwei', operator: 'greaterThan', value: 60 }] },
          event: { type: 'gate.set', expect: { 'gate.open': false }, cost: 0.02 },
        },
      ],
    });
    const exposure = goalSchema.parse({
      id: 'fee-exposure',
      kind: 'financial',
      metric: 'gas.gwei',
      band: { max: 60 },
      scale: 20,
      when: { fact: 'gate.open', equals: true },
    });
    const g = decider({ goals: [exposure], generators: [gate] });
    // Open at 80 gwei: gap (80 − 60) / 20 = 1; closed afterwards it no longer counts → benefit 1.
    const open = await g.decide({ gas: { gwei: 80 }, gate: { open: true } });
    expect(open.options!.map((o) => [o.id, o.score])).toEqual([
      ['hold', 0],
      ['rule:close', 0.98],
    ]);
    expect(open.expectedOutcome!.goals[0]).toMatchObject({ gapBefore: 1, gapAfter: 0 });
    // Already closed: the goal does not count, so closing again gains nothing and hold wins.
    const closed = await g.decide({ gas: { gwei: 80 }, gate: { open: false } });
    expect(closed.chosen).toBe('hold');
  });

  it('goal pipeline - hold wins a tie, and an explicit hold rule is no alternative to hold', async () => {
    const rule = (name: string, event: Record<string, unknown>) =>
      RulesDecider.fromObject({
        rules: [{ name, priority: 50, conditions: { all: [{ fact: 'x', operator: 'equal', value: 1 }] }, event }],
      });
    // gap 0.5 closed for cost 0.5: score 0, the same as holding; the rule's priority does not beat hold.
    const nudge = rule('nudge', { type: 'fx.swap', expect: { 'bands.eurShare': 0.45 }, cost: 0.5 });
    const tie = await decider({ generators: [nudge] }).decide({ x: 1, bands: { eurShare: 0.55 } });
    expect(tie).toMatchObject({ chosen: 'hold', action: null, confidence: 0 });
    expect(tie.rationale).toContain('vs rule:nudge 0');
    // A rule of type none ties with hold too, but does the same thing: there is no alternative, margin 1.
    const wait = await decider({ generators: [rule('wait', { type: 'none' })] }).decide({
      x: 1,
      bands: { eurShare: 0.55 },
    });
    expect(wait).toMatchObject({ chosen: 'hold', action: null, confidence: 1 });
    expect(wait.rationale).toContain('vs no alternative');
  });

  it('goal pipeline - riskWeight and costWeight scale what risk and cost take from the score', async () => {
    const heavy = decider({ config: decideConfigSchema.parse({ riskWeight: 2, costWeight: 1.5 }) });
    const d = await heavy.decide({ bands: { eurShare: 0.55, eurExcess: '5000.00' } });
    // sell-excess: benefit 0.5, cost 1.5 × 0.02 = 0.03, risk 2 × 0.5 × 0.05 = 0.05 → 0.42
    expect(d.options!.find((o) => o.id === 'rule:sell-excess')).toMatchObject({ score: 0.42, cost: 0.03, risk: 0.05 });
  });

  it('goal pipeline - a literal inverted band or a duplicate goal id is refused at load with a code', () => {
    expect(() => decider({ goals: [{ ...band, band: { min: 0.6, max: 0.4 } }] })).toThrowError(
      expect.objectContaining({ code: 'MANDATE_ERR_GOAL_INVALID' }),
    );
    expect(() => decider({ goals: [band, band] })).toThrowError(/appears twice/);
  });
});
