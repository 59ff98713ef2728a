import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { RulesDecider, type Actuator } from '../../actors/index.ts';
import { prometheusText } from '../../gateway/prometheusText.ts';
import { createRuntime, defineAgent, type MandateRuntime } from '../index.ts';

const human = { kind: 'human' as const, id: 'alice' };

async function settle(rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** One rule that always proposes `type` on `capability` (with an amount for payments and swaps). */
function always(type: string, capability: string, amount?: string) {
  return RulesDecider.fromObject({
    rules: [
      {
        name: type,
        conditions: { all: [{ fact: 'go', operator: 'equal', value: true }] },
        event: {
          type,
          capability,
          account: 'ops',
          ...(amount === undefined ? {} : { amount: { value: amount, asset: 'USDC' }, counterparty: 'cp-1' }),
          rationale: type,
        },
      },
    ],
  });
}

function actuator(name: string, effect: 'external' | 'internal'): Actuator {
  return {
    name,
    effect,
    prepare: async () => ({ quoted: true }),
    execute: async () => ({ status: 'succeeded', receipt: { rail: name } }),
  };
}

async function spawnThree(runtime: MandateRuntime): Promise<void> {
  const agents: Array<[string, string, string, string | undefined, 'external' | 'internal']> = [
    ['fee-watcher', 'gate.set', 'gates.write', undefined, 'internal'],
    ['fx-rebalancer', 'fx.swap', 'fx.swap', '250', 'external'],
    ['payables', 'payment.send', 'payments.send', '100.5', 'external'],
  ];
  for (const [id, type, capability, amount, effect] of agents) {
    await runtime.spawn(
      defineAgent({
        id,
        capabilities: [capability],
        permissions: [{ capability, accounts: ['ops'] }],
        limits: { perTransaction: { USDC: '10000' }, daily: { USDC: '10000' } },
        perceive: () => ({ go: true }),
        decide: always(type, capability, amount),
        act: actuator(`test.${id}`, effect),
      }),
    );
    expect(await runtime.trigger(id, human)).toBe(true);
    await settle();
  }
}

describe('runtime metrics', () => {
  it('metrics - dry-run gate.set, FX swap and payment.send give the documented series: only the payment is a payment', async () => {
    const runtime = await createRuntime({ clock: new SimulatedClock(), region: 'eu-west' });
    await spawnThree(runtime);
    const text = prometheusText(runtime.metrics(), { liveClients: 0 });
    const line = (series: string): number | undefined => {
      const found = text.split('\n').find((l) => l.startsWith(`${series} `));
      return found === undefined ? undefined : Number(found.slice(series.length + 1));
    };
    expect(line('mandate_actions_total{agent="fee-watcher",action="gate.set",mode="dry-run",status="succeeded"}')).toBe(
      1,
    );
    expect(
      line('mandate_actions_total{agent="fx-rebalancer",action="fx.swap",mode="dry-run",status="would-have-sent"}'),
    ).toBe(1);
    expect(
      line('mandate_actions_total{agent="payables",action="payment.send",mode="dry-run",status="would-have-sent"}'),
    ).toBe(1);
    // Payments: the payment.send only, in dry-run, on the actuator that would have sent it.
    const payments = text.split('\n').filter((l) => l.startsWith('mandate_payments_total{'));
    expect(payments).toEqual([
      'mandate_payments_total{agent="payables",rail="test.payables",mode="dry-run",status="would-have-sent"} 1',
    ]);
    expect(runtime.metrics().payments).toEqual({ 'would-have-sent': 1 });
    expect(
      line(
        'mandate_payment_volume_total{agent="payables",asset="USDC",rail="test.payables",mode="dry-run",region="eu-west"}',
      ),
    ).toBe(100.5);
    expect(text).not.toMatch(/mandate_payment_volume_total\{agent="fx-rebalancer"/);
    // Histograms: every phase of every agent, whole cycles, and the propose-to-verdict time.
    for (const agent of ['fee-watcher', 'fx-rebalancer', 'payables']) {
      for (const phase of ['perceive', 'decide', 'propose', 'act', 'learn'])
        expect(line(`mandate_phase_duration_seconds_count{agent="${agent}",phase="${phase}"}`)).toBe(1);
      expect(line(`mandate_cycle_duration_seconds_count{agent="${agent}",outcome="completed"}`)).toBe(1);
      expect(line(`mandate_cycle_duration_seconds_bucket{agent="${agent}",outcome="completed",le="+Inf"}`)).toBe(1);
      expect(line(`mandate_proposal_verdict_seconds_count{agent="${agent}"}`)).toBe(1);
    }
    expect(text).toContain('# TYPE mandate_phase_duration_seconds histogram');
    // Trends: one completed cycle each, so an error-rate level of 0 and nothing to recommend yet.
    const trends = runtime.metrics().trends;
    expect(trends.filter((t) => t.metric === 'error_rate').map((t) => [t.agent, t.level, t.recommendation])).toEqual(
      expect.arrayContaining([
        ['fee-watcher', 0, null],
        ['fx-rebalancer', 0, null],
        ['payables', 0, null],
      ]),
    );
    expect(line('mandate_agent_ewma{agent="payables",metric="error_rate"}')).toBe(0);
    await runtime.shutdown();
  });

  it('metrics - off (metrics: false) there are no histograms and no payment series', async () => {
    const runtime = await createRuntime({ clock: new SimulatedClock(), metrics: false });
    await spawnThree(runtime);
    expect(runtime.metrics().families).toEqual([]);
    expect(runtime.metrics().payments).toEqual({});
    expect(runtime.metrics().actions).toEqual({ succeeded: 1, 'would-have-sent': 2 });
    await runtime.shutdown();
  });
});
