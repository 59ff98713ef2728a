import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import type { ZeroTrustPolicy } from '../../actors/index.ts';
import { createRuntime, PluginRegistry, type MandateRuntime } from '../../runtime/index.ts';
import { servicesOf } from '../support/agentOf.ts';
import { STORE_DRIVERS, openTestStore, type TestStore } from '../support/db.ts';
import { payerCycle, spawnPayer } from '../support/payerAgent.ts';

const MIN = 60_000;
/** 2026-12-01 10:00 UTC: business hours. */
const T0 = Date.UTC(2026, 11, 1, 10);

let next = { amount: '100', payee: 'supplier-0' };
const plugins = new PluginRegistry()
  .perceiver('invoice.next', () => ({ invoice: { ...next } }))
  .actuator({ name: 'pay', effect: 'internal', execute: async () => ({ status: 'succeeded' }) }, ['payments.send']);

const LIMITS = { perTransaction: '100000', daily: '10000000' };

describe.each(STORE_DRIVERS)('zero-trust baselines across a restart on %s', (driver) => {
  let t: TestStore;
  let runtime: MandateRuntime;
  let clock: SimulatedClock;
  afterAll(async () => {
    await runtime?.shutdown().catch(() => undefined);
    await t?.[Symbol.asyncDispose]();
  });

  async function start(): Promise<ZeroTrustPolicy> {
    clock = new SimulatedClock();
    clock.set(T0);
    runtime = await createRuntime({ store: t.store, clock });
    await spawnPayer(runtime, plugins, LIMITS);
    const stage = servicesOf(runtime).pipeline.stages.find((s) => s.name === 'zero-trust') as unknown as {
      policy: ZeroTrustPolicy;
    };
    return stage.policy;
  }

  async function cycle(invoice: typeof next): Promise<void> {
    next = invoice;
    await payerCycle(
      runtime,
      (h, before) => h.cycles > before && (h.state === 'idle' || h.state === 'awaitingApproval'),
    );
  }

  it('zero-trust - the stage is on by default, and a restart keeps each agent’s baseline: a tenfold amount is still routed to approval', async () => {
    t = await openTestStore(driver);
    let policy = await start();
    for (let i = 0; i < 25; i++) {
      clock.increment(5 * MIN);
      await cycle({ amount: String(90 + (i % 5) * 5), payee: `supplier-${i % 3}` });
    }
    expect(policy.baseline('payer').size).toBe(25);
    await runtime.shutdown();
    t.store = await t.reopen();

    policy = await start();
    // Before any new cycle: the history came back from the store, not empty.
    expect(policy.baseline('payer').size).toBe(25);
    const verdict = policy.assess({
      agentId: 'payer',
      group: 'default',
      capabilities: ['payments.send'],
      decision: { id: 'd', action: null, confidence: 1, rationale: '', rulesFired: [], model: null },
      action: {
        type: 'payment.send',
        capability: 'payments.send',
        account: 'ops',
        amount: { value: '1000', asset: 'USDC' },
        counterparty: 'supplier-1',
        params: {},
      },
      facts: {},
      at: T0 + 3 * 60 * MIN,
    });
    expect(verdict).toMatchObject({ level: 'high', outcome: 'requires-approval' });
    expect(verdict.reasons[0]).toMatch(/^amount 1000 is \d+\.\d robust z above the median 100/);
    // A counterparty paid before the restart is not new after it (kept as a digest, never in clear).
    const seen = policy.baseline('payer').signals({ counterparty: 'unknown-co', at: T0 });
    expect(seen.newCounterparty).toBe(true);
    const su = await t.superuser();
    const rows = await su.query<{ counterparty: string | null }>(
      "select counterparty from mandate_behaviour_event where kind = 'executed'",
    );
    expect(rows.rows).toHaveLength(25);
    expect(rows.rows.every((r) => r.counterparty !== null && !r.counterparty.includes('supplier'))).toBe(true);
  }, 180_000); // the embedded database, under load, takes most of it
});
