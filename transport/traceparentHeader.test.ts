import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCapabilityRegistry } from '../registry/index.ts';
import { eventually } from '../test/messaging/memoryNode.ts';
import { NatsServer } from '../test/support/natsServer.ts';
import { AgentIdentity } from './AgentIdentity.ts';
import type { InboundMessage } from './AgentEndpoint.ts';
import { MemoryReplayStore } from './MemoryReplayStore.ts';
import { MemoryTransport } from './MemoryTransport.ts';
import { MessageBus } from './MessageBus.ts';
import { NatsTransport } from './NatsTransport.ts';
import { ReplayGuard } from './ReplayGuard.ts';
import { encodeEnvelope, signEnvelope } from './signEnvelope.ts';
import { agentInboxSubject } from './subjects.ts';
import type { Transport } from './Transport.ts';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/** Alice (durable inbox) and Bob on one bus whose hook says Bob sends from span TP. */
async function pair(transport: Transport) {
  const bob = AgentIdentity.generate();
  const bus = await MessageBus.start({
    transport,
    registry: new MemoryCapabilityRegistry(),
    replay: new ReplayGuard(new MemoryReplayStore()),
    node: { id: 'node-t', identity: AgentIdentity.generate() },
    traceparentOf: (did) => (did === bob.did ? TP : undefined),
  });
  const seen: InboundMessage[] = [];
  const alice = await bus.attach({
    identity: AgentIdentity.generate(),
    descriptor: { id: 'alice', capabilities: [] },
    accepts: { note: {}, ask: {}, shout: {} },
    durable: true,
    handler: async (m) => void seen.push(m),
  });
  const b = await bus.attach({
    identity: bob,
    descriptor: { id: 'bob', capabilities: [] },
    accepts: {},
    handler: async () => undefined,
  });
  return { bus, alice, bob: b, seen };
}

async function carriesEverywhere(transport: Transport): Promise<void> {
  const { bus, alice, bob, seen } = await pair(transport);
  await bob.send({ to: alice.did, type: 'note', body: { via: 'core' } });
  await bob.request({ to: alice.did, type: 'ask', body: {} });
  await bob.sendDurable({ to: alice.did, type: 'note', body: { via: 'durable' } });
  await bob.broadcast({ filter: {}, type: 'shout', body: {} });
  await eventually(() => seen.length === 4, 'four deliveries');
  expect(seen.map((m) => [m.envelope.type, m.durable, m.traceparent]).sort()).toEqual(
    [
      ['ask', false, TP],
      ['note', false, TP],
      ['note', true, TP],
      ['shout', false, TP],
    ].sort(),
  );
  // Alice has no trace: what she sends has no header at all.
  const back: InboundMessage[] = [];
  const carol = await bus.attach({
    identity: AgentIdentity.generate(),
    descriptor: { id: 'carol', capabilities: [] },
    accepts: { note: {} },
    handler: async (m) => void back.push(m),
  });
  await alice.send({ to: carol.did, type: 'note', body: {} });
  await eventually(() => back.length === 1, 'one delivery');
  expect(back[0]!.traceparent).toBeUndefined();
  expect('traceparent' in back[0]!).toBe(false);
  await bus.close();
}

/** The header is outside the signature: a changed or malformed one leaves the envelope valid; a malformed one is dropped. */
async function headerIsUnsigned(transport: Transport): Promise<void> {
  const { bus, alice, seen } = await pair(transport);
  const mallory = AgentIdentity.generate();
  await bus.attach({
    identity: mallory,
    descriptor: { id: 'mallory', capabilities: [] },
    accepts: {},
    handler: async () => undefined,
  });
  const env = (type: string) => encodeEnvelope(signEnvelope(mallory, { to: alice.did, type, body: {} }));
  const other = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  transport.publish(agentInboxSubject(alice.did), env('note'), { headers: { traceparent: other } });
  transport.publish(agentInboxSubject(alice.did), env('ask'), { headers: { traceparent: 'not-a-traceparent' } });
  transport.publish(agentInboxSubject(alice.did), env('shout'), {
    headers: { traceparent: '00-00000000000000000000000000000000-b7ad6b7169203331-01' },
  });
  await eventually(() => seen.length === 3, 'three deliveries');
  const by = Object.fromEntries(seen.map((m) => [m.envelope.type, m.traceparent]));
  expect(by).toEqual({ note: other, ask: undefined, shout: undefined });
  await bus.close();
}

describe('traceparent header (memory transport)', () => {
  it('traceparent - every kind of message an agent sends inside a trace carries its traceparent; others carry none', async () => {
    await carriesEverywhere(new MemoryTransport());
  });
  it('traceparent - the header is not signed: another one is handed on, a malformed or all-zero one is dropped', async () => {
    await headerIsUnsigned(new MemoryTransport());
  });
});

describe('traceparent header (NATS headers)', () => {
  let ns: NatsServer;
  beforeAll(async () => {
    ns = await NatsServer.start({ jetstream: true });
  });
  afterAll(async () => {
    await ns?.stop();
  });
  it('traceparent - core, request, JetStream and broadcast messages carry it as a NATS header', async () => {
    const t = await NatsTransport.connect({ servers: ns.url });
    try {
      await carriesEverywhere(t);
    } finally {
      await t.close();
    }
  });
  it('traceparent - over NATS, a changed header leaves the signature valid and a malformed one is dropped', async () => {
    const t = await NatsTransport.connect({ servers: ns.url });
    try {
      await headerIsUnsigned(t);
    } finally {
      await t.close();
    }
  });
});
