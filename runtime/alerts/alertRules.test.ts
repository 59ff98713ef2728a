import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { RulesDecider, type Actuator } from '../../actors/index.ts';
import { ErrorCode } from '../../kernel/index.ts';
import { servicesOf } from '../../test/support/agentOf.ts';
import { defineAgent } from '../agents/defineAgent.ts';
import type { MandateRuntime } from '../MandateRuntime.ts';
import { createRuntime } from '../MandateRuntimeImpl.ts';
import type { RuntimeOptions } from '../RuntimeOptions.ts';
import { nodeLostCondition } from './alertConditions.ts';

const human = { kind: 'human' as const, id: 'alice' };
const T0 = Date.parse('2026-12-01T09:00:00Z');

async function settle(rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

const pay: Actuator = {
  name: 'test.pay',
  effect: 'external',
  prepare: async () => ({}),
  execute: async () => ({ status: 'succeeded', receipt: { reference: 'r' } }),
};

/** A runtime on a simulated clock with one agent paying `amount` USDC per cycle (daily limit 100). */
async function payingRuntime(amount: string, options: RuntimeOptions = {}) {
  const clock = new SimulatedClock();
  clock.set(T0);
  const runtime = await createRuntime({ clock, ...options });
  await runtime.spawn(
    defineAgent({
      id: 'payables',
      capabilities: ['payments.send'],
      permissions: [{ capability: 'payments.send', accounts: ['ops'] }],
      limits: { perTransaction: { USDC: '100' }, daily: { USDC: '100' } },
      perceive: () => ({ go: true }),
      decide: RulesDecider.fromObject({
        rules: [
          {
            name: 'pay',
            conditions: { all: [{ fact: 'go', operator: 'equal', value: true }] },
            event: {
              type: 'payment.send',
              capability: 'payments.send',
              account: 'ops',
              amount: { value: amount, asset: 'USDC' },
            },
          },
        ],
      }),
      act: pay,
    }),
  );
  const cycle = async () => {
    await runtime.trigger('payables', human);
    await settle();
  };
  return { runtime, clock, cycle, book: servicesOf(runtime).alertBook };
}

const byCode = (runtime: MandateRuntime, code: string) => runtime.listAlerts().filter((a) => a.code === code);

describe('alert rules', () => {
  it('alerts - a daily limit 80% used raises one budget alert, resolved when the 24 h window frees it', async () => {
    const { runtime, clock, cycle, book } = await payingRuntime('45');
    await cycle();
    book.tick();
    expect(byCode(runtime, 'MANDATE_ALERT_BUDGET_HIGH')).toEqual([]); // 45%
    await cycle();
    book.tick();
    book.tick(); // still holding: not raised again
    const [high] = byCode(runtime, 'MANDATE_ALERT_BUDGET_HIGH');
    expect(high).toMatchObject({
      severity: 'warning',
      status: 'open',
      count: 1,
      dedupKey: 'MANDATE_ALERT_BUDGET_HIGH:payables',
      message: 'payables used 90 of its daily limit 100 USDC (90%) in the last 24 h',
    });
    clock.increment(86_400_000);
    book.tick();
    expect(byCode(runtime, 'MANDATE_ALERT_BUDGET_HIGH')[0]).toMatchObject({
      status: 'resolved',
      resolvedBy: 'budget use back under 80%',
    });
    await runtime.shutdown();
  });

  it('alerts - an approval waiting past the threshold raises one alert, resolved once it is answered', async () => {
    const { runtime, clock, cycle, book } = await payingRuntime('10', {
      alerting: { rules: { approvalWaitMs: 300_000 } },
      governance: {
        approvalTimeout: 3_600_000,
        groupBudgets: {},
        rules: [
          {
            name: 'all',
            priority: 1,
            conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: 0 }] },
            effect: 'require-approval',
            reason: 'manual',
          },
        ],
      },
    });
    await cycle();
    const [pending] = runtime.listApprovals('pending');
    clock.increment(299_000);
    book.tick();
    expect(byCode(runtime, 'MANDATE_ALERT_APPROVAL_OVERDUE')).toEqual([]);
    clock.increment(1_000);
    book.tick();
    expect(byCode(runtime, 'MANDATE_ALERT_APPROVAL_OVERDUE')).toEqual([
      expect.objectContaining({
        status: 'open',
        actorId: 'payables',
        message: expect.stringContaining(`approval ${pending!.id} (payment.send of payables) has waited 5 min`),
      }),
    ]);
    await runtime.approve(pending!.id, human, 'ok');
    await settle();
    book.tick();
    expect(byCode(runtime, 'MANDATE_ALERT_APPROVAL_OVERDUE')[0]).toMatchObject({
      status: 'resolved',
      resolvedBy: 'the approval was answered, expired or withdrawn',
    });
    expect(book.rules).toMatchObject({ approvalWaitMs: 300_000, budgetShare: 0.8 });
    await runtime.shutdown();
  });

  it('alerts - a swap above its slippage bound (or refused for slippage) raises an alert; the next swap within it resolves it', async () => {
    const { runtime, clock, book } = await payingRuntime('1');
    const swap = { type: 'fx.swap', params: { maxSlippageBps: 50 } };
    book.onSettled('fx', { action: { type: 'gate.set' }, outcome: { status: 'succeeded' } });
    book.onSettled('fx', { action: swap, outcome: { status: 'succeeded', slippageBps: 20 } });
    expect(runtime.listAlerts()).toEqual([]);
    book.onSettled('fx', { action: swap, outcome: { status: 'succeeded', slippageBps: 80 } });
    book.onSettled('fx', {
      action: swap,
      outcome: { status: 'failed', error: { code: ErrorCode.MANDATE_ERR_SWAP_SLIPPAGE } },
    });
    expect(byCode(runtime, 'MANDATE_ALERT_SLIPPAGE')).toEqual([
      expect.objectContaining({
        status: 'open',
        count: 2,
        actorId: 'fx',
        message: 'fx fx.swap refused by the rail: slippage above 50 bps',
      }),
    ]);
    clock.increment(3_600_000);
    book.tick(); // no quiet period: only a good swap ends it
    expect(byCode(runtime, 'MANDATE_ALERT_SLIPPAGE')[0]!.status).toBe('open');
    book.onSettled('fx', { action: swap, outcome: { status: 'succeeded', slippageBps: 10 } });
    expect(byCode(runtime, 'MANDATE_ALERT_SLIPPAGE')[0]).toMatchObject({
      status: 'resolved',
      resolvedBy: 'fx swapped within its bound',
    });
    await runtime.shutdown();
  });

  it('alerts - oracle sources disagreeing alert on the agent; its next sane perception resolves it', async () => {
    const { runtime, book } = await payingRuntime('1');
    runtime.alert({
      severity: 'warning',
      code: ErrorCode.MANDATE_ERR_ORACLE_DEVIATION,
      message: 'fx perceive: EUR/USD sources deviate by 420 bps',
      actorId: 'fx',
    });
    book.onAgentTransition('payables', 'sandbox:payables', { from: 'perceive', to: 'decide' });
    expect(runtime.listAlerts()[0]!.status).toBe('open');
    book.onAgentTransition('fx', 'sandbox:fx', { from: 'perceive', to: 'decide' });
    expect(runtime.listAlerts()[0]).toMatchObject({
      status: 'resolved',
      resolvedBy: 'fx perceived again with sane sources',
    });
    await runtime.shutdown();
  });

  it('alerts - a peer node that stops announcing itself raises a critical node-lost alert, resolved when it is back', async () => {
    const { runtime, book } = await payingRuntime('1');
    let nodes = [
      { id: 'node-a', alive: true },
      { id: 'node-b', alive: true },
    ];
    book.watch(nodeLostCondition({ nodes: () => nodes, self: 'node-a' }));
    book.tick();
    expect(runtime.listAlerts()).toEqual([]);
    nodes = [
      { id: 'node-a', alive: false }, // this node, stopping: never "lost"
      { id: 'node-b', alive: false },
    ];
    book.tick();
    book.tick();
    expect(runtime.listAlerts()).toEqual([
      expect.objectContaining({
        code: 'MANDATE_ALERT_NODE_LOST',
        severity: 'critical',
        actorId: 'node:node-b',
        count: 1,
        status: 'open',
      }),
    ]);
    nodes = [{ id: 'node-b', alive: true }];
    book.tick();
    expect(runtime.listAlerts()[0]).toMatchObject({
      status: 'resolved',
      resolvedBy: 'the node announces itself again, or left',
    });
    await runtime.shutdown();
  });
});
