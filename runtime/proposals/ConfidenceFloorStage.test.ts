import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { decideConfigSchema, goalSchema, GoalDecider, RulesDecider, type Actuator } from '../../actors/index.ts';
import type { Outcome } from '../../machines/index.ts';
import { agentOf } from '../../test/support/agentOf.ts';
import { createRuntime, defineAgent, type MandateRuntime } from '../index.ts';

const human = { kind: 'human' as const, id: 'alice' };

async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

const swapRule = (name: string, type = 'fx.swap') => ({
  name,
  conditions: { all: [{ fact: 'bands', path: '$.eurShare', operator: 'greaterThan', value: 0.45 }] },
  event: {
    type,
    capability: 'fx.swap',
    account: 'treasury-eur',
    amount: { value: '100.00', asset: 'EURC' },
    expect: { 'bands.eurShare': 0.4 },
    cost: 0.02,
  },
});

/** An fx agent deciding by goal with a confidence floor; `share` is the perceived EURC share. */
async function fxAgent(runtime: MandateRuntime, share: { value: number }, rules = [swapRule('sell-excess')]) {
  const executed: string[] = [];
  const act: Actuator = {
    name: 'test.swap',
    effect: 'external',
    async execute(_a, ctx): Promise<Outcome> {
      executed.push(ctx.idempotencyKey);
      return { status: 'succeeded', receipt: { reference: `swap-${executed.length}` } };
    },
  };
  await runtime.spawn(
    defineAgent({
      id: 'fx',
      capabilities: ['fx.swap'],
      permissions: [{ capability: 'fx.swap', accounts: ['treasury-eur'] }],
      limits: { perTransaction: { EURC: '1000' }, daily: { EURC: '250' } },
      confidenceFloor: 0.5,
      perceive: () => ({ bands: { eurShare: share.value } }),
      decide: new GoalDecider({
        goals: [goalSchema.parse({ id: 'eur', kind: 'financial', metric: 'bands.eurShare', band: { max: 0.45 } })],
        generators: [RulesDecider.fromObject({ rules })],
        config: decideConfigSchema.parse({}),
      }),
      act,
    }),
  );
  return { host: agentOf(runtime, 'fx'), executed };
}

describe('confidence floor and conflicts in the runtime', () => {
  it('confidence floor - a clear decision is approved; one below the floor waits for a human, then acts once', async () => {
    const runtime = await createRuntime({ clock: new SimulatedClock(), mode: 'live' });
    const share = { value: 0.75 }; // gap 0.3 (one-sided band: width 1): score 0.28, confidence 0.7368
    const { host, executed } = await fxAgent(runtime, share);
    await runtime.trigger('fx', human);
    await settle();
    expect(host.context.decision?.confidence).toBeCloseTo(0.7368, 4);
    expect(executed).toHaveLength(1);

    share.value = 0.55; // gap 0.1: score 0.08, confidence 0.08 / 0.18 = 0.4444 < 0.5
    await runtime.trigger('fx', human);
    await settle();
    expect(host.context.decision?.confidence).toBeCloseTo(0.4444, 4);
    expect(host.context.verdict).toMatchObject({ status: 'pending', by: 'confidence' });
    expect(host.state).toBe('awaitingApproval');
    expect(executed).toHaveLength(1);
    const [pending] = runtime.listApprovals('pending');
    expect(pending!.reason).toBe('confidence 0.4444 is below the floor 0.5: a human approves');
    // The first swap spent 100 of the 250 EURC daily budget and governance reserved 100 more; the grant reserves the
    // same decision again, which must not count twice (else 300 > 250 and the grant is refused).
    await runtime.approve(pending!.id, human, 'checked');
    await settle();
    expect(executed).toHaveLength(2);
    expect(host.state).toBe('idle');
  });

  it('conflict - two rules firing different actions give no action and a MANDATE_DECISION_CONFLICT alert', async () => {
    const runtime = await createRuntime({ clock: new SimulatedClock(), mode: 'live' });
    const alerts: { code: string; message: string }[] = [];
    runtime.subscribe((e) => e.type === 'alert' && alerts.push({ code: e.code, message: e.message }));
    const { host, executed } = await fxAgent(runtime, { value: 0.75 }, [
      swapRule('sell-excess'),
      swapRule('buy-more', 'fx.buy'),
    ]);
    await runtime.trigger('fx', human);
    await settle();
    expect(host.context.decision).toMatchObject({ action: null, confidence: 0, conflict: { kind: 'rules' } });
    expect(host.context.outcome?.status).toBe('no-action');
    expect(executed).toEqual([]);
    expect(alerts).toContainEqual({
      code: 'MANDATE_DECISION_CONFLICT',
      message: 'fx took no action: conflicting rules (rules sell-excess, buy-more propose fx.swap and fx.buy)',
    });
  });
});
