import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RulesDecider, type Actuator } from '../../actors/index.ts';
import { NatsServer } from '../../test/support/natsServer.ts';
import { agentOf, servicesOf } from '../../test/support/agentOf.ts';
import { createRuntime, defineAgent, type InspectionEvent, type MandateRuntime } from '../index.ts';
import { TASK_REQUEST, type RuntimeMessaging } from './RuntimeMessaging.ts';

const noop: Actuator = {
  name: 'note',
  effect: 'internal',
  execute: async (a) => ({ status: 'succeeded', receipt: { reference: `note-${String(a.params.n)}` } }),
};
const rules = RulesDecider.fromObject({
  rules: [
    {
      name: 'note-invoice',
      // A task request carries its input as-is; a message trigger carries { from, id, body }.
      conditions: {
        any: [
          { fact: 'input', path: '$.n', operator: 'greaterThan', value: 0 },
          { fact: 'input', path: '$.body.n', operator: 'greaterThan', value: 0 },
        ],
      },
      event: { type: 'ledger.annotate', capability: 'ledger.annotate', params: { n: '$fact:input.n' } },
    },
  ],
});

async function node(
  ns: NatsServer,
  id: string,
): Promise<{ runtime: MandateRuntime; messaging: RuntimeMessaging; events: InspectionEvent[] }> {
  const runtime = await createRuntime({ nodeId: id, messaging: { natsUrl: ns.url, publishInspection: false } });
  const events: InspectionEvent[] = [];
  runtime.subscribe((e) => events.push(e));
  await runtime.spawn(
    defineAgent({
      id: `${id}-clerk`,
      capabilities: ['ledger.annotate'],
      permissions: [{ capability: 'ledger.annotate', accounts: ['*'] }],
      triggers: [{ message: 'invoice.received' }],
      perceive: () => ({}),
      decide: rules,
      act: noop,
    }),
  );
  const messaging = servicesOf(runtime).messaging!;
  return { runtime, messaging, events };
}

async function until(check: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('runtime messaging over NATS', () => {
  let ns: NatsServer;
  let a: Awaited<ReturnType<typeof node>>;
  let b: Awaited<ReturnType<typeof node>>;
  beforeAll(async () => {
    ns = await NatsServer.start({ jetstream: true });
    a = await node(ns, 'node-a');
    b = await node(ns, 'node-b');
  });
  afterAll(async () => {
    await a?.runtime.shutdown();
    await b?.runtime.shutdown();
    await ns?.stop();
  });

  it('runtime messaging - agents on two nodes find each other by capability in the registry', async () => {
    // Each node's registry is a cache fed by a KV watcher: node b's registration reaches node a's
    // view asynchronously (milliseconds, longer on a loaded machine).
    const ids = async () => (await a.messaging.registry.discover('ledger.annotate', {})).map((d) => d.id).sort();
    await until(async () => (await ids()).length === 2);
    expect(await ids()).toEqual(['node-a-clerk', 'node-b-clerk']);
  });

  it('runtime messaging - a signed message from a peer triggers a cycle (message trigger)', async () => {
    const from = a.messaging.endpoints.get('node-a-clerk')!;
    const target = agentOf(b.runtime, 'node-b-clerk');
    await from.send({ to: target.identity.did, type: 'invoice.received', body: { n: 7 } });
    await until(() => target.cycles === 1 && target.state === 'idle');
    expect(a.runtime.metrics().messages.sent).toBeGreaterThan(0);
    expect(b.runtime.metrics().messages.received).toBeGreaterThan(0);
    // The successful cycle raised the agent's trust score (reliability 75 → 77.5, overall 75.75: docs/reputation.md), and peers see it in the registry.
    const published = async () => {
      const status = await a.messaging.registry.lookup(target.identity.did);
      return status.state === 'active' ? status.descriptor.reputation : undefined;
    };
    const end = Date.now() + 5_000;
    while ((await published()) !== 0.7575 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(await published()).toBe(0.7575);
    expect(target.context.trigger).toMatchObject({
      kind: 'message',
      name: 'invoice.received',
      data: { from: agentOf(a.runtime, 'node-a-clerk').identity.did, body: { n: 7 } },
    });
  });

  it('runtime messaging - a peer asks for work by capability and gets the governed result back', async () => {
    const from = a.messaging.endpoints.get('node-a-clerk')!;
    const reply = await from.request({
      to: agentOf(b.runtime, 'node-b-clerk').identity.did,
      type: TASK_REQUEST,
      body: { capability: 'ledger.annotate', input: { n: 3 } },
      timeoutMs: 10_000,
    });
    expect(reply.body).toMatchObject({
      agentId: 'node-b-clerk',
      verdict: { status: 'approved' },
      outcome: { status: 'succeeded', receipt: { reference: 'note-3' } },
    });
    // The request/reply histogram of the asking node: one ok request of this type, with its time.
    const family = a.runtime.metrics().families.find((f) => f.name === 'mandate_request_reply_seconds');
    const ok = family?.series.find((x) => x.labels.type === TASK_REQUEST && x.labels.outcome === 'ok');
    expect(ok).toMatchObject({ count: 1, sum: expect.any(Number) });
    expect(ok!.sum).toBeGreaterThan(0);
    // A request nobody answers ends as a timeout (no responders on NATS).
    await expect(
      from.request({ to: 'cap:nobody.here', type: 'nobody.ping', body: {}, timeoutMs: 500 }),
    ).rejects.toThrow();
    const after = a.runtime.metrics().families.find((f) => f.name === 'mandate_request_reply_seconds');
    expect(after?.series.find((x) => x.labels.type === 'nobody.ping')).toMatchObject({
      labels: { outcome: 'timeout' },
      count: 1,
    });
  });

  it('runtime messaging - a message type the agent does not accept is refused with a code and audited, reaching no actor', async () => {
    const from = a.messaging.endpoints.get('node-a-clerk')!;
    const target = agentOf(b.runtime, 'node-b-clerk');
    const cycles = target.cycles;
    await from.send({ to: target.identity.did, type: 'payment.please', body: { amount: '1000000' } });
    await until(() => b.events.some((e) => e.type === 'alert' && e.code.startsWith('MANDATE_ERR_ENVELOPE')));
    expect(target.cycles).toBe(cycles);
    expect(b.messaging.counters.rejected).toBeGreaterThan(0);
  });

  it('runtime messaging - a node revokes one of its agents with a revocation it signs; the other node refuses the agent from then on', async () => {
    await a.runtime.spawn(
      defineAgent({
        id: 'node-a-leaky',
        capabilities: ['ledger.annotate'],
        perceive: () => ({}),
        decide: rules,
        act: noop,
      }),
    );
    const did = agentOf(a.runtime, 'node-a-leaky').identity.did;
    await until(async () => (await b.messaging.registry.lookup(did)).state === 'active');
    await a.messaging.revoke('node-a-leaky', 'key leaked', 'operator:sec');
    await until(async () => (await b.messaging.registry.lookup(did)).state === 'revoked');
    expect(await b.messaging.registry.lookup(did)).toMatchObject({
      revocation: { reason: 'key leaked', by: 'operator:sec' },
    });
  });

  it('runtime messaging - the kill switch engaged on one node stops the agents on the other', async () => {
    await a.runtime.engageKillSwitch({ all: true }, { kind: 'human', id: 'ops' }, 'incident drill');
    await until(() => agentOf(b.runtime, 'node-b-clerk').state === 'killed');
    expect(b.runtime.killSwitchState().all).toBe(true);
    await a.runtime.releaseKillSwitch({ all: true }, { kind: 'human', id: 'ops' }, 'drill over');
    await until(() => agentOf(b.runtime, 'node-b-clerk').state === 'idle');
  });
});
