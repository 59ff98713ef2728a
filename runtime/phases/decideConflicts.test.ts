import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import {
  decideConfigSchema,
  GoalDecider,
  goalSchema,
  HybridDecider,
  RulesDecider,
  type Actuator,
  type Decider,
  type LlmProvider,
} from '../../actors/index.ts';
import type { Outcome } from '../../machines/index.ts';
import { agentOf } from '../../test/support/agentOf.ts';
import { createRuntime, defineAgent } from '../index.ts';

const human = { kind: 'human' as const, id: 'alice' };
const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

const swapRules = () =>
  RulesDecider.fromObject({
    rules: [
      {
        name: 'sell-excess',
        conditions: { all: [{ fact: 'bands', path: '$.eurShare', operator: 'greaterThan', value: 0.45 }] },
        event: {
          type: 'fx.swap',
          capability: 'fx.swap',
          account: 'treasury-eur',
          amount: { value: '100.00', asset: 'EURC' },
          expect: { 'bands.eurShare': 0.4 },
        },
      },
    ],
  });

/** Runs one cycle of an fx agent deciding with `decide`; returns its decision, what it executed and the alerts. */
async function cycle(decide: Decider, facts: Record<string, unknown>) {
  const runtime = await createRuntime({ clock: new SimulatedClock(), mode: 'live' });
  const alerts: { code: string; message: string }[] = [];
  runtime.subscribe((e) => e.type === 'alert' && alerts.push({ code: e.code, message: e.message }));
  const executed: string[] = [];
  const act: Actuator = {
    name: 'test.swap',
    effect: 'external',
    async execute(_a, ctx): Promise<Outcome> {
      executed.push(ctx.idempotencyKey);
      return { status: 'succeeded', receipt: { reference: 'swap' } };
    },
  };
  await runtime.spawn(
    defineAgent({
      id: 'fx',
      capabilities: ['fx.swap'],
      permissions: [{ capability: 'fx.swap', accounts: ['treasury-eur'] }],
      limits: { perTransaction: { EURC: '1000' }, daily: { EURC: '1000' } },
      perceive: () => facts,
      decide,
      act,
    }),
  );
  await runtime.trigger('fx', human);
  await settle();
  const host = agentOf(runtime, 'fx');
  const result = { decision: host.context.decision, outcome: host.context.outcome, executed, alerts };
  await runtime.shutdown();
  return result;
}

describe('decide safeguards in the runtime', () => {
  it('conflict - a band whose low end (from a fact) exceeds its high end gives no action and a MANDATE_DECISION_CONFLICT alert', async () => {
    const decide = new GoalDecider({
      goals: [
        goalSchema.parse({
          id: 'eur',
          kind: 'financial',
          metric: 'bands.eurShare',
          band: { min: '$fact:limits.low', max: 0.45 },
        }),
      ],
      generators: [swapRules()],
      config: decideConfigSchema.parse({}),
    });
    const r = await cycle(decide, { bands: { eurShare: 0.6 }, limits: { low: 0.5 } });
    expect(r.decision).toMatchObject({ action: null, confidence: 0, conflict: { kind: 'band' } });
    expect(r.outcome?.status).toBe('no-action');
    expect(r.executed).toEqual([]);
    expect(r.alerts.filter((a) => a.code === 'MANDATE_DECISION_CONFLICT')).toEqual([
      { code: 'MANDATE_DECISION_CONFLICT', message: expect.stringMatching(/^fx took no action: conflicting band \(/) },
    ]);
  });

  it('conflict - a model that disagrees with the rules in review mode gives no action and a MANDATE_DECISION_CONFLICT alert', async () => {
    const disagreeing: LlmProvider = {
      name: 'test:disagree',
      complete: async () => ({
        output: { action: null, confidence: 0.9, rationale: 'the pool is thin today' },
        model: 'test-model',
        usage: { inputTokens: 1, outputTokens: 1 },
      }),
    };
    const decide = new HybridDecider({
      rules: swapRules(),
      llm: disagreeing,
      mode: 'review',
      allowedActions: ['fx.swap'],
      instructions: 'review the swap',
    });
    const r = await cycle(decide, { bands: { eurShare: 0.6 } });
    expect(r.decision).toMatchObject({ action: null, conflict: { kind: 'model' }, model: 'test-model' });
    expect(r.executed).toEqual([]);
    expect(r.alerts.filter((a) => a.code === 'MANDATE_DECISION_CONFLICT')).toEqual([
      {
        code: 'MANDATE_DECISION_CONFLICT',
        message:
          'fx took no action: conflicting model (rules propose fx.swap, model test-model answered no action at confidence 0.9)',
      },
    ]);
  });
});
