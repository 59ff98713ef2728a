import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { GovernancePolicy } from 'mandate/actors';
import { createRuntime, type InspectionEvent } from 'mandate';
import type { Decision } from 'mandate/machines';
import { setup } from './index.ts';

async function settle(rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

describe('treasury example', () => {
  it('treasury example - agents cycle, the large invoice waits for a human, the flaky agent is restarted, fees gate payments', async () => {
    const clock = new SimulatedClock();
    clock.set(Date.parse('2026-11-21T09:00:00Z'));
    const text = await readFile(join(import.meta.dirname, 'governance.yaml'), 'utf8');
    const runtime = await createRuntime({
      clock,
      governance: GovernancePolicy.fromYaml(text, () => undefined).config,
      random: () => 0.5,
    });
    const events: InspectionEvent[] = [];
    runtime.subscribe((e) => events.push(e));
    const { sim } = await setup(runtime);
    expect(
      runtime
        .listAgents()
        .map((a) => a.id)
        .sort(),
    ).toEqual(['fee-watcher', 'fx-rebalancer', 'payables', 'statement-reconciler', 'treasury-strategist']);

    for (let second = 0; second < 120; second++) {
      clock.increment(1_000);
      await settle();
    }
    const cycles = Object.fromEntries(runtime.metrics().agents.map((a) => [a.id, a.cycles]));
    for (const id of ['fee-watcher', 'fx-rebalancer', 'statement-reconciler']) expect(cycles[id]).toBeGreaterThan(10);
    expect(cycles.payables).toBeGreaterThanOrEqual(3);

    // INV-1003 (18,500 USDC) is held for a human; nothing was sent (dry-run) and the approval waits.
    // Review items (flagged executed actions, one open per agent) share the queue; the proposals are the rest.
    const queue = runtime.listApprovals('pending');
    expect(new Set(queue.filter((a) => a.kind === 'review').map((a) => a.agentId)).size).toBe(
      queue.filter((a) => a.kind === 'review').length,
    );
    const pending = queue.filter((a) => a.kind !== 'review');
    expect(pending.map((a) => (a.action as { params: { invoice: string } }).params.invoice)).toEqual(['INV-1003']);
    expect(runtime.getAgent('payables')!.state).toBe('awaitingApproval');

    // Every agent with rules decides by its goals: hold and the fired rules weighed, one chosen, a computed confidence.
    const goalsOf = {
      'fee-watcher': ['fee-exposure', 'payments-flowing'],
      'fx-rebalancer': ['eur-band'],
      payables: ['pay-due-invoices'],
      'treasury-strategist': ['liquid-floor', 'staked-target', 'liquidity-target'],
    };
    for (const [id, goals] of Object.entries(goalsOf)) {
      const d = runtime.getAgent(id)!.context.decision as Decision;
      expect(d.options![0]).toMatchObject({ id: 'hold', score: 0 });
      expect(d.options!.map((o) => o.id)).toContain(d.chosen);
      expect(d.confidence).toBeGreaterThanOrEqual(0);
      expect(d.confidence).toBeLessThanOrEqual(1);
      expect(d.expectedOutcome!.goals.map((g) => g.id)).toEqual(goals);
    }
    // The strategist's options come from its balanced preset (strategy.allocate): in dry-run nothing is
    // booked, so every cycle it is still all liquid and would add liquidity first.
    const strategist = runtime.getAgent('treasury-strategist')!.context.decision as Decision;
    expect(strategist.options!.map((o) => o.id)).toEqual([
      'hold',
      'strategy:balanced:stake',
      'strategy:balanced:liquidity-add',
    ]);
    expect(strategist.chosen).toBe('strategy:balanced:liquidity-add');
    // The held payment: INV-1003's gap 18.5 (thousands owed) closed, cost 0.02, risk 18.5 × 0.01 → score
    // 18.295; the margin over hold 18.295 / 18.395 is the confidence.
    const held = runtime.getAgent('payables')!.context.decision as Decision;
    expect(held.options!.map((o) => [o.id, o.score])).toEqual([
      ['hold', 0],
      ['rule:pay-due-invoice', 18.295],
    ]);
    expect(held).toMatchObject({ chosen: 'rule:pay-due-invoice', confidence: 0.9946 });
    expect(held.expectedOutcome!.goals[0]).toMatchObject({ before: 18500, after: 0, gapBefore: 18.5, gapAfter: 0 });
    await runtime.approve(pending[0]!.id, { kind: 'human', id: 'treasurer' }, 'audit engagement letter checked');
    for (let second = 0; second < 30; second++) {
      clock.increment(1_000);
      await settle();
    }
    expect(sim.settled.has('INV-1003')).toBe(true);

    // The blocked counterparty is denied by governance, never approved.
    const denied = events.filter(
      (e) => e.type === 'transition' && e.actorId === 'payables' && e.summary.outcome === 'denied',
    );
    expect(denied.length).toBeGreaterThan(0);

    // The statement reconciler crashed on purpose and its supervisor restarted it. It has no rules: the
    // ledger annotations it proposes come from its strategy module, run in the sandbox.
    expect(runtime.getAgent('statement-reconciler')!.restarts).toBeGreaterThan(0);
    const annotations = events.filter(
      (e) => e.type === 'transition' && e.actorId === 'statement-reconciler' && e.summary.action === 'ledger.annotate',
    );
    expect(annotations.length).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'alert' && e.code === 'MANDATE_ERR_ACTOR_CRASHED')).toBe(true);

    // A fee spike closed the gate the payables agent depends on, and payables waited.
    expect(events.some((e) => e.type === 'alert' && e.code === 'MANDATE_GATE_CLOSED' && e.actorId === 'payables')).toBe(
      true,
    );

    // Dry-run: every external effect was recorded, none was made.
    expect(sim.balances).toEqual({ USDC: 180_000, EURC: 150_000, EUR: 50_000 });
    expect(runtime.metrics().payments['would-have-sent']).toBeGreaterThan(0);
    await runtime.shutdown();
  });
});
