import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { RulesDecider, type Actuator } from '../../actors/index.ts';
import type { Outcome } from '../../machines/index.ts';
import { servicesOf } from '../../test/support/agentOf.ts';
import { openTestStore, type TestStore } from '../../test/support/db.ts';
import { createRuntime, defineAgent, type MandateRuntime } from '../index.ts';

const ops = { kind: 'human' as const, id: 'ops' };
const T0 = Date.UTC(2026, 11, 1, 12);

const rules = RulesDecider.fromObject({
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
        rationale: 'invoice due',
      },
    },
  ],
});

function bank() {
  const paid: string[] = [];
  const actuator: Actuator = {
    name: 'test.pay',
    effect: 'external',
    async execute(_action, ctx): Promise<Outcome> {
      paid.push(ctx.idempotencyKey);
      return { status: 'succeeded', receipt: { reference: `ref-${paid.length}` } };
    },
  };
  return { actuator, paid };
}

const payer = (actuator: Actuator, extra: { triggers?: Array<Record<string, unknown>> } = {}) =>
  defineAgent({
    id: 'payer',
    capabilities: ['payments.send'],
    permissions: [{ capability: 'payments.send', accounts: ['ops'] }],
    limits: { perTransaction: { USDC: '1000' }, daily: { USDC: '100000' } },
    triggers: (extra.triggers ?? [{ every: '10m' }, { message: 'invoice.due' }]) as never,
    passivation: { idleAfter: '2m' },
    perceive: () => ({ due: true, amount: '10.00' }),
    decide: rules,
    act: actuator,
  });

let diag: (() => unknown) | undefined;
async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`not reached in time: ${what} ${JSON.stringify(diag?.())}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('passivation', () => {
  let t: TestStore | undefined;
  let rt: MandateRuntime | undefined;
  afterEach(async () => {
    await rt?.shutdown();
    rt = undefined;
    await t?.[Symbol.asyncDispose]();
    t = undefined;
  });

  async function start(clock: SimulatedClock, extra: { messaging?: boolean } = {}) {
    t ??= await openTestStore('postgresql');
    rt = await createRuntime({
      store: t.store,
      clock,
      mode: 'live',
      ...(extra.messaging === true ? { messaging: { publishInspection: false } } : {}),
    });
    return { rt, s: servicesOf(rt), store: t.store };
  }

  it('passivation - an idle agent leaves memory with its snapshot stored; its next time trigger reactivates it with its state intact and no decision lost', async () => {
    const clock = new SimulatedClock();
    clock.set(T0);
    const { actuator, paid } = bank();
    const { rt, s, store } = await start(clock);
    diag = () => ({
      st: s.tree.get('payer')?.state,
      ctx: s.tree.get('payer')?.context.outcome,
      alerts: rt.listAlerts().map((a) => a.message),
      rec: s.journal.recent('payer').map((e) => `${e.from}>${e.to}`),
    });
    await rt.spawn(payer(actuator));
    // Registered passivated: it has never run, so there is nothing in memory but its definition.
    expect(s.passivation.size).toBe(1);
    expect(s.tree.get('payer')).toBeUndefined();
    expect(rt.listAgents()).toEqual([expect.objectContaining({ id: 'payer', state: 'passivated', cycles: 0 })]);

    clock.increment(10 * 60_000); // the first time trigger reactivates it and starts a cycle
    await until(() => s.tree.get('payer')?.state === 'idle' && paid.length === 1, 'first cycle');
    const first = s.tree.get('payer')!;
    expect(first.context.cycle).toBe(1);
    await rt.flush();

    clock.increment(2 * 60_000 + 1); // idle for idleAfter: passivated
    await until(() => s.passivation.size === 1, 'passivated');
    expect(s.tree.get('payer')).toBeUndefined();
    // Still listed (GET /api/agents), as passivated on the node that would reactivate it, with its identity.
    const listed = JSON.parse(JSON.stringify(rt.listAgents())) as Array<Record<string, unknown>>;
    expect(listed).toEqual([
      expect.objectContaining({
        id: 'payer',
        state: 'passivated',
        node: s.nodeId,
        did: first.identity.did,
        cycles: 1,
        parentId: first.parent.id,
        paused: false,
      }),
    ]);
    const stored = (await store.loadSnapshots('payer'))[0]!;
    expect(stored).toMatchObject({ state: 'idle', seq: first.snapshotSeq });
    expect((stored.snapshot as { context: { cycle: number } }).context.cycle).toBe(1);

    clock.increment(8 * 60_000); // the next time trigger: reactivated from that snapshot
    await until(() => paid.length === 2 && s.tree.get('payer')?.state === 'idle', 'second cycle');
    const second = s.tree.get('payer')!;
    expect(second).not.toBe(first);
    expect(second.context.cycle).toBe(2); // the machine's own counter went on from the snapshot
    expect(second.cycles).toBe(2); // and so did the host's
    expect(second.identity.did).toBe(first.identity.did);
    expect(second.snapshotSeq).toBeGreaterThan(stored.seq);
    expect(new Set(paid).size).toBe(2); // two decisions, two distinct idempotency keys, each paid once
    for (const key of paid) expect(await store.findIntent(key)).toMatchObject({ status: 'succeeded' });
    expect(s.passivation.counts).toEqual({ passivated: 1, reactivated: 2 });

    // Passivated again, and a restart of the node finds it in the store (its snapshot newest at its step).
    await rt.flush();
    clock.increment(2 * 60_000 + 1);
    await until(() => s.passivation.size === 1, 'passivated again');
    expect((await store.loadSnapshots('payer'))[0]).toMatchObject({ seq: second.snapshotSeq });
  });

  it('passivation - a signed message to a passivated agent is delivered: it is reactivated and the message starts its cycle', async () => {
    const clock = new SimulatedClock();
    clock.set(T0);
    const { actuator, paid } = bank();
    const { rt, s } = await start(clock, { messaging: true });
    await rt.spawn(payer(actuator, { triggers: [{ message: 'invoice.due' }] }));
    await rt.spawn(
      defineAgent({
        id: 'clerk',
        capabilities: ['ledger.read'],
        perceive: () => ({}),
        decide: rules,
      }),
    );
    expect(s.passivation.size).toBe(1);
    const to = s.messaging!.endpoints.get('payer')!.did;
    await s.messaging!.endpoints.get('clerk')!.send({ to, type: 'invoice.due', body: { invoice: 'inv-7' } });
    await until(() => paid.length === 1 && s.tree.get('payer')?.state === 'idle', 'message cycle');
    expect(s.tree.get('payer')!.context.trigger).toMatchObject({
      kind: 'message',
      name: 'invoice.due',
      data: { body: { invoice: 'inv-7' } },
    });
  });

  it('passivation - the kill switch and pausing hold for passivated agents: no reactivation while killed, a paused agent is not passivated and runs nothing', async () => {
    const clock = new SimulatedClock();
    clock.set(T0);
    const { actuator, paid } = bank();
    const { rt, s } = await start(clock);
    await rt.spawn(payer(actuator));

    await rt.engageKillSwitch({ agents: ['payer'] }, ops, 'incident');
    clock.increment(10 * 60_000);
    expect(await rt.trigger('payer', ops)).toBe(false);
    expect(
      await rt.send('payer', { type: 'agent.trigger', trigger: { kind: 'message', name: 'invoice.due', at: T0 } }),
    ).toBe(false);
    expect(s.tree.get('payer')).toBeUndefined(); // still passivated: nothing was started, nothing paid
    expect(paid).toEqual([]);
    await rt.releaseKillSwitch({ agents: ['payer'] }, ops, 'resolved');

    // A pause reaches a passivated agent: it is reactivated, paused, and not passivated while paused.
    await rt.pause('payer', ops, 'quarter close');
    expect(s.tree.get('payer')?.state).toBe('paused');
    clock.increment(10 * 60_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.tree.get('payer')?.state).toBe('paused');
    expect(paid).toEqual([]);
    expect(s.passivation.size).toBe(0);

    await rt.resume('payer', ops, 'closed');
    clock.increment(10 * 60_000);
    await until(() => paid.length === 1 && s.tree.get('payer')?.state === 'idle', 'cycle after resume');
  });

  it('passivation - a definition refuses passivation beside a fact threshold trigger or a contractor role', () => {
    const base = {
      id: 'w',
      capabilities: ['x.y'],
      perceive: () => ({}),
      decide: rules,
      passivation: { idleAfter: '5m' },
    };
    expect(() => defineAgent({ ...base, triggers: [{ every: '1m' }, { event: { fact: 'gas', above: 10 } }] })).toThrow(
      expect.objectContaining({ code: 'MANDATE_ERR_AGENT_DEFINITION', message: expect.stringContaining('triggers.1') }),
    );
    expect(() => defineAgent({ ...base, contractor: {} })).toThrow(
      expect.objectContaining({ code: 'MANDATE_ERR_AGENT_DEFINITION', message: expect.stringContaining('contractor') }),
    );
    expect(() => defineAgent({ ...base, passivation: { idleAfter: 'soon' } })).toThrow(
      expect.objectContaining({
        code: 'MANDATE_ERR_AGENT_DEFINITION',
        message: expect.stringContaining('passivation.idleAfter'),
      }),
    );
  });
});
