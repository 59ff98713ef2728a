import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createRuntime, parseAgentYaml, PluginRegistry, type MandateRuntime } from '../../runtime/index.ts';
import { agentOf } from '../support/agentOf.ts';

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

const yaml = `id: payer
capabilities: [payments.send]
permissions: [ { capability: payments.send, accounts: ["*"] } ]
limits: { perTransaction: { USDC: "100000" }, daily: { USDC: "10000000" } }
perceive: [invoice.next]
code: ./strategy.js
act: pay
`;

const strategy = `export function decide(f) {
  return { action: { type: 'payment.send', capability: 'payments.send', account: 'ops',
    amount: { value: f.invoice.amount, asset: 'USDC' }, counterparty: f.invoice.payee, params: {} },
    confidence: 0.9, rationale: 'invoice due', rulesFired: ['due'] };
}`;

const alice = { kind: 'human' as const, id: 'alice' };

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
}

describe('zero trust - flagged verdicts are verified by a re-perceive', () => {
  let runtime: MandateRuntime | undefined;
  afterAll(async () => {
    await runtime?.shutdown().catch(() => undefined);
  });

  it('zero-trust - a new counterparty is paid when a re-perceive confirms the facts, and waits for a human when a fact moved', async () => {
    const clock = new SimulatedClock();
    clock.set(T0);
    const r = (runtime = await createRuntime({ clock }));
    await r.spawn(
      await parseAgentYaml({ text: yaml, source: 'payer.yaml', plugins, readRelative: async () => strategy }),
    );
    async function cycle(invoice: typeof next): Promise<void> {
      next = invoice;
      const before = agentOf(r, 'payer').cycles;
      expect(await r.trigger('payer', alice)).toBe(true);
      await until('the cycle to end', () => {
        const h = agentOf(r, 'payer');
        return (h.cycles > before && h.state === 'idle') || h.state === 'awaitingApproval';
      });
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
