import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createRuntime, PluginRegistry, type MandateRuntime } from '../../runtime/index.ts';
import { agentOf } from '../support/agentOf.ts';
import { payerCycle, spawnPayer, until } from '../support/payerAgent.ts';

const MIN = 60_000;
/** 2026-12-01 10:00 UTC: business hours. */
const T0 = Date.UTC(2026, 11, 1, 10);

let next = { amount: '100', payee: 'supplier-0' };
/** The EUR/USD rate each perceive returns, in turn; 1.08 once the list is empty. */
let rates: number[] = [];
let perceived = 0;
const paid: string[] = [];
const plugins = new PluginRegistry()
  .perceiver('invoice.next', () => {
    perceived++;
    return { invoice: { ...next }, fx: { eurUsd: rates.shift() ?? 1.08 } };
  })
  .actuator(
    {
      name: 'pay',
      effect: 'internal',
      execute: async (a) => (paid.push(String(a.counterparty)), { status: 'succeeded' }),
    },
    ['payments.send'],
  );

const alice = { kind: 'human' as const, id: 'alice' };
const LIMITS = { perTransaction: '100000', daily: '10000000' };

describe('zero trust - flagged verdicts are verified by a re-perceive', () => {
  let runtime: MandateRuntime | undefined;
  afterAll(async () => {
    await runtime?.shutdown().catch(() => undefined);
  });

  it('zero-trust - a new counterparty is paid when a re-perceive confirms the facts, and waits for a human when a fact moved', async () => {
    const clock = new SimulatedClock();
    clock.set(T0);
    const r = (runtime = await createRuntime({ clock }));
    await spawnPayer(r, plugins, LIMITS);
    async function cycle(invoice: typeof next): Promise<void> {
      next = invoice;
      await payerCycle(r, (h, before) => (h.cycles > before && h.state === 'idle') || h.state === 'awaitingApproval');
    }
    // A history of 25 payments to three suppliers: what normal looks like for this agent.
    for (let i = 0; i < 25; i++) {
      clock.increment(5 * MIN);
      await cycle({ amount: String(90 + (i % 5) * 5), payee: `supplier-${i % 3}` });
    }
    expect(paid).toHaveLength(25);
    expect(perceived).toBe(25); // nothing flagged yet: no re-perceive

    // A new counterparty is flagged (medium); the re-perceive finds the same facts: paid.
    clock.increment(5 * MIN);
    await cycle({ amount: '100', payee: 'new-co' });
    expect(perceived).toBe(27);
    expect(paid.at(-1)).toBe('new-co');
    expect(r.listApprovals('pending')).toEqual([]);

    // Another new counterparty, but the rate moved 1.08 → 1.2 between the decision and the re-perceive.
    clock.increment(5 * MIN);
    rates = [1.08, 1.2];
    await cycle({ amount: '100', payee: 'other-co' });
    expect(agentOf(r, 'payer').state).toBe('awaitingApproval');
    expect(paid).not.toContain('other-co');
    const [approval] = r.listApprovals('pending');
    expect(approval?.reason).toContain('flagged, threat medium: new counterparty other-co');
    expect(approval?.reason).toContain('not verified (a re-perceive disagrees: fact fx.eurUsd 1.08 → 1.2 (10% > 5%))');

    // A human approves: it is paid.
    await r.approve(approval!.id, alice, 'checked the rate');
    await until('the approved payment', () => paid.includes('other-co'));
  });
});
