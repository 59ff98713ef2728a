import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { RulesDecider, type Actuator } from '../actors/index.ts';
import type { Outcome } from '../machines/index.ts';
import { agentOf, servicesOf } from '../test/support/agentOf.ts';
import { createRuntime, defineAgent, MandateRuntimeImpl, type InspectionEvent, type MandateRuntime } from './index.ts';

const human = { kind: 'human' as const, id: 'alice' };

/** Lets promise chains (phases) settle between clock steps. */
async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

function payRules(threshold = 10_000) {
  return RulesDecider.fromObject({
    rules: [
      {
        name: 'pay-invoice',
        conditions: { all: [{ fact: 'due', operator: 'equal', value: true }] },
        event: {
          type: 'payment.send',
          capability: 'payments.send',
          account: 'ops',
          amount: { value: '$fact:amount', asset: 'USDC' },
          counterparty: 'cp-1',
          rationale: `invoice due (threshold ${threshold})`,
        },
      },
    ],
  });
}

function recordingActuator(effect: 'external' | 'internal' = 'external') {
  const executed: string[] = [];
  const actuator: Actuator = {
    name: 'test.pay',
    effect,
    async prepare(action) {
      return { quoted: action.amount?.value };
    },
    async execute(action, ctx): Promise<Outcome> {
      executed.push(ctx.idempotencyKey);
      return { status: 'succeeded', receipt: { reference: `ref-${executed.length}`, amount: action.amount?.value } };
    },
  };
  return { actuator, executed };
}

async function payables(
  runtime: MandateRuntime,
  opts: {
    amount?: string;
    perceiveThrows?: boolean;
    actuator?: Actuator;
    restart?: 'permanent' | 'transient' | 'temporary';
  } = {},
) {
  await runtime.spawn(
    defineAgent({
      id: 'payables',
      capabilities: ['payments.send'],
      group: 'payables',
      restart: opts.restart ?? 'permanent',
      permissions: [{ capability: 'payments.send', accounts: ['ops'] }],
      limits: {
        perTransaction: { USDC: '25000' },
        daily: { USDC: '25000' },
        maxAttempts: 2,
        baseDelay: 100,
        maxDelay: 1000,
      },
      perceive: () => {
        if (opts.perceiveThrows) throw new Error('bank statement parser crashed');
        return { due: true, amount: opts.amount ?? '100.00' };
      },
      decide: payRules(),
      act: opts.actuator ?? recordingActuator().actuator,
    }),
  );
  return agentOf(runtime, 'payables');
}

describe('runtime', () => {
  it('runtime - a triggered agent runs a full cycle in dry-run and records "would have sent"', async () => {
    const clock = new SimulatedClock();
    const runtime = await createRuntime({ clock });
    const { actuator, executed } = recordingActuator();
    const host = await payables(runtime, { actuator });
    const events: InspectionEvent[] = [];
    runtime.subscribe((e) => events.push(e));
    expect(await runtime.trigger('payables', human)).toBe(true);
    await settle();
    expect(host.state).toBe('idle');
    expect(host.context.outcome).toMatchObject({ status: 'would-have-sent', receipt: { quoted: '100.00' } });
    expect(executed).toEqual([]);
    const path = events
      .filter((e) => e.type === 'transition' && e.actorId === 'payables')
      .map((e) => (e as { to: string }).to);
    expect(path).toEqual(['perceive', 'decide', 'propose', 'act', 'learn', 'idle']);
  });

  it('runtime - live mode executes once per decision; the write-ahead key makes a repeat return the first result', async () => {
    const runtime = await createRuntime({ clock: new SimulatedClock(), mode: 'live' });
    const { actuator, executed } = recordingActuator();
    const host = await payables(runtime, { actuator });
    await runtime.trigger('payables', human);
    await settle();
    expect(executed).toHaveLength(1);
    const key = executed[0]!;
    expect(await servicesOf(runtime).intents.findIntent(key)).toMatchObject({
      status: 'succeeded',
      reference: 'ref-1',
    });
    expect(host.context.outcome?.status).toBe('succeeded');
  });

  it('runtime - sandbox denies an account the agent has no permission on; nothing is executed', async () => {
    const runtime = await createRuntime({ clock: new SimulatedClock(), mode: 'live' });
    const { actuator, executed } = recordingActuator();
    await runtime.spawn(
      defineAgent({
        id: 'rogue',
        capabilities: ['payments.send'],
        permissions: [{ capability: 'payments.send', accounts: ['petty-cash'] }],
        limits: { perTransaction: { USDC: '25000' }, daily: { USDC: '30000' } },
        perceive: () => ({ due: true, amount: '5.00' }),
        decide: payRules(),
        act: actuator,
      }),
    );
    await runtime.trigger('rogue', human);
    await settle();
    const ctx = agentOf(runtime, 'rogue').context;
    expect(ctx.verdict).toMatchObject({ status: 'denied', by: 'sandbox' });
    expect(ctx.outcome?.status).toBe('denied');
    expect(executed).toEqual([]);
  });

  it('runtime - governance holds a large payment for approval; approve executes it, budgets hold', async () => {
    const runtime = await createRuntime({
      clock: new SimulatedClock(),
      mode: 'live',
      governance: {
        approvalTimeout: 60_000,
        groupBudgets: {},
        rules: [
          {
            name: 'big',
            priority: 1,
            conditions: { all: [{ fact: 'amount', operator: 'greaterThan', value: 10_000 }] },
            effect: 'require-approval',
            reason: 'over 10k needs a human',
          },
        ],
      },
    });
    const { actuator, executed } = recordingActuator();
    const host = await payables(runtime, { amount: '15000.00', actuator });
    await runtime.trigger('payables', human);
    await settle();
    expect(host.state).toBe('awaitingApproval');
    const [pending] = runtime.listApprovals('pending');
    expect(pending).toMatchObject({ agentId: 'payables', reason: 'big: over 10k needs a human' });
    expect(executed).toEqual([]);
    await runtime.approve(pending!.id, human, 'checked the invoice');
    await settle();
    expect(executed).toHaveLength(1);
    expect(host.state).toBe('idle');
    await expect(runtime.approve(pending!.id, human)).rejects.toMatchObject({
      code: 'MANDATE_ERR_STATE_CONFLICT',
      status: 409,
    });
    // 15,000 of the 25,000 daily limit is used: approving a second 15,000 is refused by the budget.
    await runtime.trigger('payables', human);
    await settle();
    expect(host.context.verdict).toMatchObject({ status: 'pending' });
    const second = runtime.listApprovals('pending')[0]!;
    await runtime.approve(second.id, human);
    await settle();
    expect(runtime.listApprovals().find((a) => a.id === second.id)?.status).toBe('rejected');
    expect(executed).toHaveLength(1);
  });

  it('runtime - an unanswered approval expires and never reaches act', async () => {
    const clock = new SimulatedClock();
    const runtime = await createRuntime({
      clock,
      mode: 'live',
      governance: {
        approvalTimeout: 5_000,
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
    const { actuator, executed } = recordingActuator();
    const host = await payables(runtime, { actuator });
    await runtime.trigger('payables', human);
    await settle();
    clock.increment(5_000);
    await settle();
    expect(host.context.outcome?.status).toBe('expired');
    expect(runtime.listApprovals()[0]?.status).toBe('expired');
    expect(executed).toEqual([]);
  });

  it('runtime - the kill switch stops new cycles at once, refuses approvals in flight and survives release', async () => {
    const runtime = await createRuntime({
      clock: new SimulatedClock(),
      mode: 'live',
      governance: {
        approvalTimeout: 60_000,
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
    const { actuator, executed } = recordingActuator();
    const host = await payables(runtime, { actuator });
    await runtime.trigger('payables', human);
    await settle();
    const approval = runtime.listApprovals('pending')[0]!;
    await runtime.engageKillSwitch({ all: true }, human, 'incident');
    expect(host.state).toBe('killed');
    await expect(runtime.approve(approval.id, human)).rejects.toMatchObject({ code: 'MANDATE_ERR_STATE_CONFLICT' });
    expect(await runtime.trigger('payables', human)).toBe(false);
    await expect(runtime.engageKillSwitch({}, human, 'x')).rejects.toMatchObject({ code: 'MANDATE_ERR_EVENT_INVALID' });
    await runtime.releaseKillSwitch({ all: true }, human, 'resolved');
    expect(host.state).toBe('idle');
    expect(executed).toEqual([]);
  });

  it('runtime - pause, resume and stop are validated; a stopped permanent agent is not restarted', async () => {
    const runtime = await createRuntime({ clock: new SimulatedClock() });
    const host = await payables(runtime);
    await expect(runtime.resume('payables', human, 'x')).rejects.toMatchObject({ code: 'MANDATE_ERR_STATE_CONFLICT' });
    await expect(runtime.pause('nobody', human, 'x')).rejects.toMatchObject({
      code: 'MANDATE_ERR_NOT_FOUND',
      status: 404,
    });
    await runtime.pause('payables', human, 'month end');
    expect(host.state).toBe('paused');
    expect(await runtime.trigger('payables', human)).toBe(false);
    await runtime.resume('payables', human, 'done');
    await runtime.stop('payables', human, 'retired');
    await settle();
    expect(host.state).toBe('stopped');
    expect(host.restarts).toBe(0);
    expect(runtime.tree().children[0]!.children[0]!.children).toEqual([]);
  });

  it('runtime - a crashing agent is restarted by its sandbox supervisor (one_for_one), then escalation past the intensity', async () => {
    const clock = new SimulatedClock();
    const runtime = await createRuntime({ clock, groups: { payables: { maxRestarts: 2, periodMs: 60_000 } } });
    const host = await payables(runtime, { perceiveThrows: true });
    await runtime.spawn(
      defineAgent({
        id: 'sibling',
        group: 'payables',
        capabilities: ['payments.send'],
        perceive: () => ({}),
        decide: payRules(),
      }),
    );
    const other = agentOf(runtime, 'sibling');
    const alerts: string[] = [];
    runtime.subscribe((e) => e.type === 'alert' && alerts.push(e.code));
    const crash = async () => {
      await runtime.trigger('payables', human);
      await settle();
      clock.increment(1_000);
      await settle();
    };
    await crash();
    expect(host.restarts).toBe(1);
    expect(host.state).toBe('idle');
    expect(other.restarts).toBe(0);
    await crash();
    expect(host.restarts).toBe(2);
    await crash(); // third restart within the period: the sandbox escalates and is restarted by reputation
    expect(alerts).toContain('MANDATE_ERR_SUPERVISOR_ESCALATED');
    const sandbox = servicesOf(runtime).tree.sandbox('payables');
    expect(sandbox.restarts).toBe(1);
    expect(sandbox.lastState).toBe('running');
    expect(other.restarts).toBe(1);
    expect(host.state).toBe('idle');
  });

  it('runtime - invalid definitions are refused with the field named, and nothing running is disturbed', async () => {
    const runtime = await createRuntime({
      clock: new SimulatedClock(),
      capabilityCatalog: new Map([['payments.send', 'pay']]),
    });
    const host = await payables(runtime);
    expect(() =>
      defineAgent({ id: 'Bad Id', capabilities: ['payments.send'], perceive: () => ({}), decide: payRules() }),
    ).toThrowError(
      expect.objectContaining({
        code: 'MANDATE_ERR_AGENT_DEFINITION',
        details: expect.objectContaining({ field: 'id' }),
      }),
    );
    await expect(
      runtime.spawn(
        defineAgent({ id: 'x', capabilities: ['teleport.money'], perceive: () => ({}), decide: payRules() }),
      ),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_CAPABILITY_UNKNOWN' });
    await expect(
      runtime.spawn(
        defineAgent({ id: 'payables', capabilities: ['payments.send'], perceive: () => ({}), decide: payRules() }),
      ),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_DUPLICATE_ID' });
    expect(runtime.listAgents().map((a) => a.id)).toEqual(['payables']);
    await runtime.trigger('payables', human);
    await settle();
    expect(host.context.cycle).toBe(1);
  });

  it('runtime - submitTask runs a cycle of a capable agent and returns verdict and outcome', async () => {
    const runtime = await createRuntime({ clock: new SimulatedClock() });
    await payables(runtime);
    const result = await Promise.all([runtime.submitTask('payments.send', { note: 'x' }, human), settle()]).then(
      ([r]) => r,
    );
    expect(result).toMatchObject({
      agentId: 'payables',
      verdict: { status: 'approved' },
      outcome: { status: 'would-have-sent' },
    });
    await expect(runtime.submitTask('teleport', {}, human)).rejects.toMatchObject({ code: 'MANDATE_ERR_NOT_FOUND' });
  });
});

describe('runtime - designer machines and operator controls', () => {
  it('runtime - a designer machine extended with provide() runs under the runtime; one without the phases is refused', async () => {
    const { agentMachine } = await import('../machines/index.ts');
    const { createMachine } = await import('xstate');
    const runtime = await createRuntime({ clock: new SimulatedClock() });
    const seen: string[] = [];
    const custom = agentMachine.provide({ guards: { canRetry: () => false } });
    await runtime.spawn(
      defineAgent({
        id: 'custom',
        capabilities: ['payments.send'],
        machine: custom,
        limits: { maxAttempts: 5 },
        perceive: () => {
          seen.push('perceive');
          throw new Error('down');
        },
        decide: payRules(),
      }),
    );
    const host = agentOf(runtime, 'custom');
    await runtime.trigger('custom', human);
    await settle();
    expect(seen).toEqual(['perceive']);
    expect(host.restarts).toBe(1); // canRetry overridden: the first failure is final, the supervisor restarts it
    expect(() =>
      defineAgent({
        id: 'bare',
        capabilities: ['payments.send'],
        machine: createMachine({ initial: 'a', states: { a: {} } }),
        perceive: () => ({}),
        decide: payRules(),
      }),
    ).toThrowError(
      expect.objectContaining({
        code: 'MANDATE_ERR_AGENT_DEFINITION',
        details: expect.objectContaining({ field: 'machine' }),
      }),
    );
  });

  it('runtime - dependency gates: a gated agent waits until an operator opens the gate', async () => {
    const runtime = await createRuntime({ clock: new SimulatedClock() });
    await runtime.spawn(
      defineAgent({
        id: 'gated',
        capabilities: ['payments.send'],
        dependsOn: ['pre-check'],
        perceive: () => ({}),
        decide: payRules(),
      }),
    );
    const host = agentOf(runtime, 'gated');
    expect(await runtime.trigger('gated', human)).toBe(false);
    await runtime.setGate({ name: 'pre-check', open: true, by: human, why: 'KYB done' });
    expect(await runtime.trigger('gated', human)).toBe(true);
    await settle();
    expect(host.context.cycle).toBe(1);
  });
});

describe('runtime - restore', () => {
  it('runtime - an agent resumes from a persisted snapshot; an incompatible one starts fresh with a critical alert', async () => {
    const first = await createRuntime({ clock: new SimulatedClock() });
    const host = await payables(first);
    await first.pause('payables', human, 'before restart');
    const snapshot = host.actor.getPersistedSnapshot();

    const second = new MandateRuntimeImpl({ clock: new SimulatedClock() });
    second
      .services()
      .tree.restore(new Map(), [
        { agentId: 'payables', supervisorId: 'sandbox:payables', snapshot, state: 'paused', seq: 1, at: 0 },
      ]);
    const resumed = await payables(second);
    expect(resumed.state).toBe('paused');

    const third = new MandateRuntimeImpl({ clock: new SimulatedClock() });
    const alerts: string[] = [];
    third.subscribe((e) => e.type === 'alert' && alerts.push(e.code));
    third.services().tree.restore(new Map(), [
      {
        agentId: 'payables',
        supervisorId: 'sandbox:payables',
        snapshot: { ...(snapshot as object), value: 'no-such-state' },
        state: 'x',
        seq: 1,
        at: 0,
      },
    ]);
    const fresh = await payables(third);
    expect(fresh.state).toBe('idle');
    expect(alerts).toContain('MANDATE_ERR_SNAPSHOT_INCOMPATIBLE');
  });
});

describe('runtime - early approval answers', () => {
  it('runtime - an approval answered before the agent waits is handed over when it does (approve and reject)', async () => {
    for (const answer of ['approve', 'reject'] as const) {
      const runtime = await createRuntime({
        clock: new SimulatedClock(),
        mode: 'live',
        governance: {
          approvalTimeout: 60_000,
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
      const { actuator, executed } = recordingActuator();
      const host = await payables(runtime, { actuator });
      let answered = false;
      runtime.subscribe((e) => {
        // Answer the instant the approval is published: the agent is still in propose.
        if (e.type === 'approval' && e.approval.status === 'pending' && !answered) {
          answered = true;
          expect(host.state).toBe('propose');
          void (answer === 'approve'
            ? runtime.approve(e.approval.id, human, 'fast')
            : runtime.reject(e.approval.id, human, 'fast no'));
        }
      });
      await runtime.trigger('payables', human);
      await settle();
      expect(host.state).toBe('idle');
      expect(host.context.outcome?.status).toBe(answer === 'approve' ? 'succeeded' : 'rejected');
      expect(executed).toHaveLength(answer === 'approve' ? 1 : 0);
    }
  });
});

describe('runtime - kill switch at the signer', () => {
  it("runtime - the rails' kill switch view covers agent, group, capability and the signing capability", async () => {
    const runtime = await createRuntime({ clock: new SimulatedClock() });
    await payables(runtime);
    const ks = runtime.railKillSwitch();
    expect(ks.isEngaged('payables', ['payments.crypto.send'])).toBe(false);
    await runtime.engageKillSwitch({ capabilities: ['payments.crypto.send'] }, human, 'chain incident');
    expect(ks.isEngaged('payables', ['payments.crypto.send'])).toBe(true);
    expect(ks.isEngaged('payables', ['payments.fiat.send'])).toBe(false);
    await runtime.engageKillSwitch({ groups: ['payables'] }, human, 'group');
    expect(ks.isEngaged('payables', ['payments.fiat.send'])).toBe(true);
  });
});

describe('runtime - business idempotency keys', () => {
  it('runtime - two decisions to pay the same invoice execute once: the second returns the first result', async () => {
    const runtime = await createRuntime({ clock: new SimulatedClock(), mode: 'live' });
    const { actuator, executed } = recordingActuator();
    const decide = RulesDecider.fromObject({
      rules: [
        {
          name: 'pay',
          conditions: { all: [{ fact: 'due', operator: 'equal', value: true }] },
          event: {
            type: 'payment.send',
            capability: 'payments.send',
            account: 'ops',
            amount: { value: '10.00', asset: 'USDC' },
            params: { idempotencyKey: 'INV-1' },
          },
        },
      ],
    });
    await runtime.spawn(
      defineAgent({
        id: 'payer',
        capabilities: ['payments.send'],
        permissions: [{ capability: 'payments.send', accounts: ['ops'] }],
        limits: { perTransaction: { USDC: '100' }, daily: { USDC: '100' } },
        perceive: () => ({ due: true }),
        decide,
        act: actuator,
      }),
    );
    const host = agentOf(runtime, 'payer');
    for (let i = 0; i < 2; i++) {
      await runtime.trigger('payer', human);
      await settle();
      expect(host.context.outcome?.status).toBe('succeeded');
    }
    expect(host.cycles).toBe(2);
    expect(executed).toEqual(['payer:INV-1']);
  });
});
