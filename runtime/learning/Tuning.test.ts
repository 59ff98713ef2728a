import { afterEach, describe, expect, it, vi } from 'vitest';
import { SimulatedClock } from 'xstate';
import { RulesDecider, type Actuator } from '../../actors/index.ts';
import type { Outcome } from '../../machines/index.ts';
import { agentOf } from '../../test/support/agentOf.ts';
import { openTestStore, type TestStore } from '../../test/support/db.ts';
import { createRuntime, defineAgent, type MandateRuntime } from '../index.ts';

const human = { kind: 'human' as const, id: 'alice' };
const PERIOD = 1_000;

/**
 * A payer whose rule `pay.threshold` (declared 40, tunable 20..80 step 5) decides nothing about the
 * world here; the synthetic world makes payments succeed at a rate that peaks at 60:
 * `max(0, 1 − |θ − 60| / 25)` of the payments made at θ succeed, spread evenly.
 */
function payer(rulesOut: { rules?: RulesDecider }) {
  const rules = RulesDecider.fromObject({
    rules: [
      {
        name: 'pay',
        params: { threshold: { value: 40, tunable: { min: 20, max: 80, step: 5 } } },
        conditions: {
          all: [{ fact: 'invoice', path: '$.amount', operator: 'greaterThan', value: '$param:threshold' }],
        },
        event: {
          type: 'payment.send',
          capability: 'payments.send',
          account: 'ops',
          amount: { value: '10.00', asset: 'USDC' },
          counterparty: 'acme',
        },
      },
    ],
  });
  rulesOut.rules = rules;
  const seen = new Map<number, number>();
  const act: Actuator = {
    name: 'test.pay',
    effect: 'internal',
    async execute(): Promise<Outcome> {
      const theta = rules.parameters()[0]!.value;
      const i = seen.get(theta) ?? 0;
      seen.set(theta, i + 1);
      const rate = Math.max(0, 1 - Math.abs(theta - 60) / 25);
      // Spread evenly: the i-th payment at θ succeeds when it takes the success count up (⌊(i+1)·rate⌋ > ⌊i·rate⌋).
      return Math.floor((i + 1) * rate + 1e-9) > Math.floor(i * rate + 1e-9)
        ? { status: 'succeeded', receipt: { reference: `pay-${theta}-${i}` } }
        : { status: 'failed', error: { code: 'MANDATE_ERR_ACT_FAILED', message: 'synthetic failure' } };
    },
  };
  return defineAgent({
    id: 'payer',
    capabilities: ['payments.send'],
    permissions: [{ capability: 'payments.send', accounts: ['ops'] }],
    limits: { perTransaction: { USDC: '100' }, daily: { USDC: '100000' }, maxAttempts: 1 },
    tuning: { period: PERIOD, minSamples: 5 },
    perceive: () => ({ invoice: { amount: 1_000 } }),
    decide: rules,
    act,
  });
}

/** Runs `n` cycles, `PERIOD / 5` apart on the simulated clock; returns the parameter's value after each. */
async function cycles(runtime: MandateRuntime, clock: SimulatedClock, n: number): Promise<number[]> {
  const host = agentOf(runtime, 'payer');
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const before = host.context.cycle;
    await runtime.trigger('payer', human);
    await vi.waitFor(() => expect(host.context.cycle > before && host.state === 'idle').toBe(true), {
      timeout: 10_000,
      interval: 2,
    });
    // The learn phase's tuning step runs after the decision is recorded; wait until the phase runner is done.
    await runtime.flush();
    values.push((await runtime.parameters('payer'))[0]!.value);
    clock.increment(PERIOD / 5);
  }
  return values;
}

let t: TestStore | undefined;
afterEach(async () => {
  await t?.[Symbol.asyncDispose]();
  t = undefined;
});

describe('Tuning - the learning loop in the runtime', () => {
  it('tuning - climbs from the declared 40 to the best value 60 within bounds, at most one audited step per period', async () => {
    t = await openTestStore('postgresql');
    const clock = new SimulatedClock();
    const runtime = await createRuntime({ store: t.store, clock, mode: 'live' });
    await runtime.spawn(payer({}));
    const values = await cycles(runtime, clock, 90);
    expect(values.every((v) => v >= 20 && v <= 80)).toBe(true);
    expect(values.at(-1)).toBe(60);
    // Once it has found 60 it stays within a step of it.
    expect(values.slice(values.indexOf(60)).every((v) => Math.abs(v - 60) <= 5)).toBe(true);

    const { entries } = await t.store.audit.query({ agent: 'payer', action: 'learn.tuned', limit: 100 });
    const tuned = entries.reverse();
    expect(tuned.length).toBeGreaterThanOrEqual(4);
    for (const [i, e] of tuned.entries()) {
      expect(e.subject).toBe('payer/pay.threshold');
      expect(Math.abs((e.data.after as number) - (e.data.before as number))).toBe(5);
      expect(e.data.evidence).toMatchObject({ reason: expect.stringMatching(/^(improve|probe)$/) });
      if (i > 0) expect(e.at - tuned[i - 1]!.at).toBeGreaterThanOrEqual(PERIOD);
    }
    expect(tuned[0]!.data).toMatchObject({ before: 40, after: 45 });
    // Every decision records the parameter it was taken with.
    const rows = await t.store.queryOutcomes({ agentId: 'payer', statuses: ['succeeded', 'failed'], limit: 1000 });
    expect(rows).toHaveLength(90);
    expect(rows.every((r) => typeof r.params['pay.threshold'] === 'number')).toBe(true);
    await runtime.shutdown();
  });

  it('tuning - operators freeze and revert (audited, refused for unknown parameters); values and freezes survive a restart', async () => {
    t = await openTestStore('postgresql');
    const clock = new SimulatedClock();
    let runtime = await createRuntime({ store: t.store, clock, mode: 'live' });
    await runtime.spawn(payer({}));
    const values = await cycles(runtime, clock, 25);
    const now = values.at(-1)!;
    expect(now).toBeGreaterThan(40);

    await expect(
      runtime.tuneParameter('payer', { parameter: 'pay.nope', action: 'freeze', by: human, why: 'x' }),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_NOT_FOUND' });
    await expect(
      runtime.tuneParameter('payer', { parameter: 'pay.threshold', action: 'freeze', by: human, why: '' }),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_EVENT_INVALID' });
    await expect(runtime.parameters('ghost')).rejects.toMatchObject({ code: 'MANDATE_ERR_NOT_FOUND' });

    const frozen = await runtime.tuneParameter('payer', {
      parameter: 'pay.threshold',
      action: 'freeze',
      by: human,
      why: 'month-end',
    });
    expect(frozen).toMatchObject({ key: 'pay.threshold', value: now, frozen: true });
    expect(new Set(await cycles(runtime, clock, 15))).toEqual(new Set([now]));

    const reverted = await runtime.tuneParameter('payer', {
      parameter: 'pay.threshold',
      action: 'revert',
      by: human,
      why: 'back one step',
    });
    expect(reverted).toMatchObject({ value: now - 5, frozen: true });
    const { entries } = await t.store.audit.query({ agent: 'payer', action: 'learn.*', limit: 100 });
    expect(entries[0]).toMatchObject({
      action: 'learn.reverted',
      who: human,
      why: 'back one step',
      data: { parameter: 'pay.threshold', before: now, after: now - 5 },
    });
    await runtime.shutdown();

    // A new node on the same store: the tuned value and the freeze come back from the audit trail.
    t.store = await t.reopen();
    runtime = await createRuntime({ store: t.store, clock, mode: 'live' });
    const restored = { rules: undefined as RulesDecider | undefined };
    await runtime.spawn(payer(restored));
    expect(await runtime.parameters('payer')).toEqual([
      {
        key: 'pay.threshold',
        declared: 40,
        tunable: { min: 20, max: 80, step: 5 },
        value: now - 5,
        frozen: true,
        tunedAt: expect.any(Number),
      },
    ]);
    expect(restored.rules!.parameters()[0]!.value).toBe(now - 5);
    const back = await runtime.tuneParameter('payer', {
      parameter: 'pay.threshold',
      action: 'revert',
      by: human,
      why: 'as declared',
      toDeclared: true,
    });
    expect(back).toMatchObject({ value: 40, frozen: true });
    await runtime.shutdown();
  });

  it('tuning - without a store the runtime keeps the outcomes in memory and still takes bounded steps', async () => {
    const clock = new SimulatedClock();
    const runtime = await createRuntime({ clock, mode: 'live' });
    await runtime.spawn(payer({}));
    const values = await cycles(runtime, clock, 12);
    // The first step (after cycle 1) only gathers; the next comes a period later, after six samples at 40.
    expect(values.slice(0, 6)).toEqual([40, 40, 40, 40, 40, 45]);
    expect(values.every((v) => v >= 40 && v <= 50)).toBe(true);
    // An agent with fixed parameters only lists them, and has nothing to tune.
    const fixed = RulesDecider.fromObject({
      rules: [
        {
          name: 'hold',
          params: { floor: 10 },
          conditions: { all: [{ fact: 'x', operator: 'greaterThan', value: '$param:floor' }] },
          event: { type: 'none' },
        },
      ],
    });
    await runtime.spawn(
      defineAgent({ id: 'fixed', capabilities: ['payments.send'], perceive: () => ({}), decide: fixed }),
    );
    expect(await runtime.parameters('fixed')).toEqual([
      { key: 'hold.floor', declared: 10, value: 10, frozen: false, tunedAt: null },
    ]);
    await expect(
      runtime.tuneParameter('fixed', { parameter: 'hold.floor', action: 'revert', by: human, why: 'x' }),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_NOT_FOUND' });
    await runtime.shutdown();
  });
});
