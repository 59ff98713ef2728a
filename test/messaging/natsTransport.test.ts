import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AgentIdentity,
  MessageBus,
  NatsKvReplayStore,
  NatsTransport,
  ReplayGuard,
  type Rejection,
} from '../../transport/index.ts';
import { NatsKvCapabilityRegistry } from '../../registry/index.ts';
import { NatsServer } from '../support/natsServer.ts';
import { eventually } from './memoryNode.ts';

describe('NatsTransport + NATS KV registry (real nats-server with JetStream)', () => {
  let ns: NatsServer;
  const closers: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    ns = await NatsServer.start({ jetstream: true });
  });
  afterAll(async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    await ns[Symbol.asyncDispose]();
  });

  async function node(id: string, inboundConcurrency?: number) {
    const transport = await NatsTransport.connect({ servers: ns.url, name: id });
    const registry = await NatsKvCapabilityRegistry.open(transport.nc);
    const rejections: Rejection[] = [];
    const bus = await MessageBus.start({
      transport,
      registry,
      replay: new ReplayGuard(await NatsKvReplayStore.open(transport.nc)),
      node: { id, identity: AgentIdentity.generate() },
      onReject: (r) => rejections.push(r),
      ...(inboundConcurrency === undefined ? {} : { inboundConcurrency }),
    });
    closers.push(
      () => transport.close(),
      () => registry.close(),
      () => bus.close(),
    );
    return { transport, registry, bus, rejections };
  }

  it('nats - two nodes discover each other through KV and exchange signed request/reply', async () => {
    const a = await node('a');
    const b = await node('b');
    await a.bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'quoter', capabilities: [{ name: 'fx.quote', version: '1.2.0' }], reputation: 0.9 },
      serveCapabilities: ['fx.quote'],
      accepts: { 'fx.quote': {} },
      handler: async (m) => ({ rate: '1.0842', echo: m.body }),
    });
    const client = await b.bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'client', capabilities: [] },
      accepts: {},
      handler: async () => undefined,
    });
    await eventually(async () => (await b.registry.discover('fx.quote')).length === 1, 'node b sees the quoter');
    const [found] = await b.registry.discover('fx.quote', { minVersion: '1.0.0' });
    const direct = await client.request({ to: found!.did, type: 'fx.quote', body: { pair: 'EURUSD' } });
    expect(direct.body).toEqual({ rate: '1.0842', echo: { pair: 'EURUSD' } });
    const viaCap = await client.request({ to: 'cap:fx.quote', type: 'fx.quote', body: { pair: 'GBPUSD' } });
    expect(viaCap.envelope.from).toBe(found!.did);
  });

  it('nats - the JetStream consumer honours priority: durable work waiting behind a busy handler is taken urgent first', async () => {
    const a = await node('prio', 1);
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const worker = await a.bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'prio-worker', capabilities: [] },
      durable: true,
      accepts: { job: {} },
      handler: async (m) => {
        const tag = (m.body as { tag: string }).tag;
        order.push(tag);
        if (tag === 'blocker') await gate;
      },
    });
    const boss = await a.bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'prio-boss', capabilities: [] },
      accepts: {},
      handler: async () => undefined,
    });
    await boss.sendDurable({ to: worker.did, type: 'job', body: { tag: 'blocker' } });
    await eventually(() => order.length === 1, 'blocker running');
    for (const tag of ['low-1', 'low-2'])
      await boss.sendDurable({ to: worker.did, type: 'job', body: { tag }, priority: 'low' });
    await boss.sendDurable({ to: worker.did, type: 'job', body: { tag: 'normal' } });
    await boss.sendDurable({ to: worker.did, type: 'job', body: { tag: 'urgent' }, priority: 'urgent' });
    await new Promise((r) => setTimeout(r, 300)); // all four fetched by the consumer while the slot is held
    release();
    await eventually(() => order.length === 5, 'all handled');
    expect(order).toEqual(['blocker', 'urgent', 'normal', 'low-1', 'low-2']);
  });

  it('nats - publishes keep their order across a burst, an await per message and a request', async () => {
    const a = await NatsTransport.connect({ servers: ns.url, name: 'order-a' });
    const b = await NatsTransport.connect({ servers: ns.url, name: 'order-b' });
    closers.push(
      () => a.close(),
      () => b.close(),
    );
    const seen: string[] = [];
    const dec = new TextDecoder();
    b.subscribe('order.>', (m) => {
      seen.push(`${m.subject}:${dec.decode(m.data)}`);
      if (m.reply !== undefined) b.publish(m.reply, new TextEncoder().encode('pong'));
    });
    await b.flush();
    const enc = (s: string) => new TextEncoder().encode(s);
    const expected: string[] = [];
    for (let i = 0; i < 50; i++) {
      a.publish('order.one', enc(String(i)));
      expected.push(`order.one:${i}`);
      if (i % 7 === 0) await Promise.resolve(); // an agent awaiting between sends: a microtask checkpoint
    }
    // A request after held publishes: they go out first.
    expect(dec.decode(await a.request('order.req', enc('ping'), { timeoutMs: 5_000 }))).toBe('pong');
    expected.push('order.req:ping');
    for (let i = 50; i < 60; i++) {
      a.publish('order.two', enc(String(i)));
      expected.push(`order.two:${i}`);
    }
    await a.flush();
    await eventually(() => seen.length === expected.length, 'every publish delivered');
    expect(seen).toEqual(expected);
  });

  it('nats - a durable message survives a server restart and is handled once', async () => {
    const a = await node('dur-a');
    const got: string[] = [];
    const worker = await a.bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'w', capabilities: [] },
      durable: true,
      accepts: { 'task.award': {} },
      handler: async (m) => void got.push((m.body as { n: string }).n),
    });
    const boss = await a.bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'boss', capabilities: [] },
      accepts: {},
      handler: async () => undefined,
    });
    await boss.sendDurable({ to: worker.did, type: 'task.award', body: { n: 'before' } });
    await eventually(() => got.length === 1, 'first durable delivery');
    await ns.restart();
    await boss.sendDurable({ to: worker.did, type: 'task.award', body: { n: 'after' } });
    await eventually(() => got.length === 2, 'durable delivery after restart', 20_000);
    expect(got).toEqual(['before', 'after']);
  });

  it('nats - revocation in KV reaches other nodes and their buses refuse the revoked sender', async () => {
    const a = await node('rev-a');
    const b = await node('rev-b');
    let calls = 0;
    const target = await a.bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 't', capabilities: [] },
      accepts: { note: {} },
      handler: async () => void calls++,
    });
    const badId = AgentIdentity.generate();
    const bad = await b.bus.attach({
      identity: badId,
      descriptor: { id: 'bad', capabilities: [] },
      accepts: {},
      handler: async () => undefined,
    });
    await bad.send({ to: target.did, type: 'note', body: {} });
    await eventually(() => calls === 1, 'accepted before revocation');
    // Signed by node b, which hosts the agent (its descriptor names it): the revocation carries that descriptor.
    await b.registry.revoke(b.bus.options.node.identity, { did: bad.did, reason: 'compromised', by: 'operator:test' });
    await eventually(async () => (await a.registry.lookup(bad.did)).state === 'revoked', 'revocation reached node a');
    await bad.send({ to: target.did, type: 'note', body: {} });
    await eventually(() => a.rejections.length === 1, 'refused after revocation');
    expect(a.rejections[0]!.code).toBe('MANDATE_ERR_ENVELOPE_REVOKED');
    expect(calls).toBe(1);
    await expect(
      b.registry.register(badId, { id: 'bad', node: 'rev-b', nodeDid: badId.did, capabilities: [] }),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_REGISTRY_REVOKED' });
  });

  it('nats - the KV replay store is shared by nodes and atomic: a nonce claimed on one node is a replay on another', async () => {
    const t1 = await NatsTransport.connect({ servers: ns.url });
    const t2 = await NatsTransport.connect({ servers: ns.url });
    closers.push(
      () => t1.close(),
      () => t2.close(),
    );
    const s1 = await NatsKvReplayStore.open(t1.nc, { bucket: 'replay_test' });
    const s2 = await NatsKvReplayStore.open(t2.nc, { bucket: 'replay_test' });
    const now = Date.now();
    const results = await Promise.all([s1.claim('k1', now + 60_000, now), s2.claim('k1', now + 60_000, now)]);
    expect(results.sort()).toEqual([false, true]);
    expect(await s2.claim('k2', now + 60_000, now)).toBe(true);
    expect(await s1.has('k2', now)).toBe(true);
    expect(await s1.has('k3', now)).toBe(false);
  });

  it('nats - KV registry entries expire when heartbeats stop (bucket max age), and heartbeats keep them', async () => {
    const t = await NatsTransport.connect({ servers: ns.url });
    closers.push(() => t.close());
    const reg = await NatsKvCapabilityRegistry.open(t.nc, {
      ttlMs: 1_000,
      bucket: 'reg_ttl_test',
      revocationBucket: 'rev_ttl_test',
    });
    closers.push(() => reg.close());
    const keptId = AgentIdentity.generate();
    const droppedId = AgentIdentity.generate();
    const kept = keptId.did;
    const dropped = droppedId.did;
    const caps = [{ name: 'fx.quote', version: '1.0.0' }];
    await reg.register(keptId, { id: 'kept', node: 'n', nodeDid: kept, capabilities: caps });
    await reg.register(droppedId, { id: 'dropped', node: 'n', nodeDid: dropped, capabilities: caps });
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 400));
      await reg.heartbeat(keptId);
    }
    expect((await reg.lookup(kept)).state).toBe('active');
    expect((await reg.lookup(dropped)).state).toBe('unknown');
    expect((await reg.discover('fx.quote')).map((d) => d.did)).toEqual([kept]);
  });

  it('nats - the KV replay store remembers claims across a server restart', async () => {
    const t = await NatsTransport.connect({ servers: ns.url });
    closers.push(() => t.close());
    const store = await NatsKvReplayStore.open(t.nc, { bucket: 'replay_restart' });
    const now = Date.now();
    expect(await store.claim('before-restart', now + 60_000, now)).toBe(true);
    await ns.restart();
    let again: boolean | undefined;
    const until = Date.now() + 15_000;
    while (again === undefined && Date.now() < until)
      again = await store.claim('before-restart', now + 60_000, now).catch(() => undefined);
    expect(again).toBe(false);
  });
});
