import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { defineAgent, MandateRuntimeImpl } from '../index.ts';

const H = 3_600_000;

describe('zero-trust stage', () => {
  it('zero-trust stage - runs before governance by default, and an agent the runtime does not host is refused as critical', async () => {
    const clock = new SimulatedClock();
    const runtime = new MandateRuntimeImpl({ clock });
    await runtime.start();
    const { pipeline, tree } = runtime.services();
    expect(pipeline.stages.map((s) => s.name)).toEqual([
      'sandbox',
      'reputation',
      'zero-trust',
      'governance',
      'confidence',
    ]);
    await runtime.spawn(
      defineAgent({
        id: 'payables',
        capabilities: ['payments.send'],
        perceive: () => ({}),
        decide: {
          decide: async () => ({ action: null, confidence: 1, rationale: 'idle', rulesFired: [], model: null }),
        },
      }),
    );
    const stage = pipeline.stages.find((s) => s.name === 'zero-trust')!;
    const proposal = {
      agentId: 'payables',
      group: 'default',
      capabilities: ['payments.send'],
      decision: { id: 'd', action: null, confidence: 1, rationale: '', rulesFired: [], model: null },
      action: { type: 'payment.send', capability: 'payments.send', amount: { value: '10', asset: 'USDC' }, params: {} },
      facts: {},
      at: 10 * H,
    };
    expect(await stage.evaluate(proposal)).toMatchObject({ status: 'approved' });
    expect(await stage.evaluate({ ...proposal, agentId: 'ghost' })).toEqual({
      status: 'denied',
      reason: 'threat critical: identity: ghost is not an agent of this runtime',
    });
    expect(tree.get('payables')).toBeDefined();
    await runtime.shutdown();
  });

  it('zero-trust stage - is left out only with zeroTrust: false', async () => {
    const runtime = new MandateRuntimeImpl({ clock: new SimulatedClock(), zeroTrust: false });
    await runtime.start();
    expect(runtime.services().pipeline.stages.map((s) => s.name)).toEqual([
      'sandbox',
      'reputation',
      'governance',
      'confidence',
    ]);
    await runtime.shutdown();
  });
});
