import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AgentIdentity } from './AgentIdentity.ts';
import { eventually, memoryNode, settle } from '../test/messaging/memoryNode.ts';
import type { InboundMessage } from './AgentEndpoint.ts';
import { encodeEnvelope, signEnvelope } from './signEnvelope.ts';
import { agentInboxSubject } from './subjects.ts';

const cap = (name: string) => ({ name, version: '1.0.0' });

describe('MessageBus (memory transport)', () => {
  it('bus - delivers a signed message and answers a request with a signed reply', async () => {
    const { bus } = await memoryNode();
    const seen: InboundMessage[] = [];
    const alice = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'alice', capabilities: [cap('fx.quote')] },
      accepts: { 'fx.quote': { body: z.strictObject({ pair: z.string() }) }, note: {} },
      handler: async (m) => {
        seen.push(m);
        return m.envelope.type === 'fx.quote' ? { rate: '1.0842' } : undefined;
      },
    });
    const bob = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'bob', capabilities: [] },
      accepts: {},
      handler: async () => undefined,
    });
    await bob.send({ to: alice.did, type: 'note', body: { hello: 1 } });
    const reply = await bob.request({ to: alice.did, type: 'fx.quote', body: { pair: 'EURUSD' } });
    expect(reply.body).toEqual({ rate: '1.0842' });
    expect(reply.envelope.from).toBe(alice.did);
    expect(reply.envelope.type).toBe('fx.quote.reply');
    await eventually(() => seen.length === 2, 'two deliveries');
    expect(seen.map((m) => m.envelope.type).sort()).toEqual(['fx.quote', 'note']);
    expect(seen.every((m) => m.envelope.from === bob.did)).toBe(true);
    await bus.close();
  });

  it('bus - a refused request gets a coded mandate.error reply and the handler never runs', async () => {
    const { bus, rejections } = await memoryNode();
    let calls = 0;
    const alice = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'a', capabilities: [] },
      accepts: { 'pay.request': { capability: 'payments.request' } },
      handler: async () => ++calls,
    });
    const bob = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'b', capabilities: [] },
      accepts: {},
      handler: async () => undefined,
    });
    await expect(
      bob.request({ to: alice.did, type: 'pay.request', body: {}, cap: 'payments.request' }),
    ).rejects.toMatchObject({
      code: 'MANDATE_ERR_TRANSPORT_REMOTE',
      details: { remoteCode: 'MANDATE_ERR_ENVELOPE_CAPABILITY' },
    });
    await expect(bob.request({ to: alice.did, type: 'pay.request', body: {} })).rejects.toMatchObject({
      details: { remoteCode: 'MANDATE_ERR_ENVELOPE_CAPABILITY' },
    });
    await expect(bob.request({ to: alice.did, type: 'other.type', body: {} })).rejects.toMatchObject({
      details: { remoteCode: 'MANDATE_ERR_ENVELOPE_UNHANDLED' },
    });
    expect(calls).toBe(0);
    expect(rejections.map((r) => r.code)).toEqual([
      'MANDATE_ERR_ENVELOPE_CAPABILITY',
      'MANDATE_ERR_ENVELOPE_CAPABILITY',
      'MANDATE_ERR_ENVELOPE_UNHANDLED',
    ]);
    await bus.close();
  });

  it('bus - refuses unknown and revoked signers, and envelopes redirected to another inbox', async () => {
    const { bus, registry, rejections, transport } = await memoryNode();
    let calls = 0;
    const alice = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'a', capabilities: [] },
      accepts: { note: {} },
      handler: async () => void calls++,
    });
    const carol = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'c', capabilities: [] },
      accepts: { note: {} },
      handler: async () => void calls++,
    });
    const stranger = AgentIdentity.generate();
    transport.publish(
      agentInboxSubject(alice.did),
      encodeEnvelope(signEnvelope(stranger, { to: alice.did, type: 'note', body: {} })),
    );
    const mallory = AgentIdentity.generate();
    await registry.register(mallory, { id: 'm', node: 'x', nodeDid: mallory.did, capabilities: [] });
    await registry.revoke(mallory, { did: mallory.did, reason: 'leaked key', by: 'operator:alice' });
    transport.publish(
      agentInboxSubject(alice.did),
      encodeEnvelope(signEnvelope(mallory, { to: alice.did, type: 'note', body: {} })),
    );
    // A valid envelope for carol, replayed into alice's inbox.
    const bob = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'b', capabilities: [] },
      accepts: {},
      handler: async () => undefined,
    });
    const forCarol = await bob.send({ to: carol.did, type: 'note', body: {} });
    transport.publish(agentInboxSubject(alice.did), encodeEnvelope(forCarol));
    await eventually(() => rejections.length === 3, 'three rejections');
    expect(rejections.map((r) => r.code).sort()).toEqual([
      'MANDATE_ERR_ENVELOPE_RECIPIENT',
      'MANDATE_ERR_ENVELOPE_REVOKED',
      'MANDATE_ERR_ENVELOPE_UNKNOWN_SIGNER',
    ]);
    expect(calls).toBe(1); // only carol's genuine delivery
    await bus.close();
  });

  it('bus - capability subjects load-balance over a queue group; broadcasts reach only matching agents', async () => {
    const { bus } = await memoryNode();
    const got: string[] = [];
    const mk = async (id: string, caps: string[]) =>
      bus.attach({
        identity: AgentIdentity.generate(),
        descriptor: { id, capabilities: caps.map(cap) },
        serveCapabilities: caps,
        accepts: { 'fx.quote': {}, 'market.halt': {} },
        handler: async (m) => void got.push(`${id}:${m.envelope.type}`),
      });
    await mk('q1', ['fx.quote']);
    await mk('q2', ['fx.quote']);
    await mk('other', ['kyc.check']);
    const sender = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 's', capabilities: [] },
      accepts: {},
      handler: async () => undefined,
    });
    for (let i = 0; i < 4; i++) await sender.send({ to: 'cap:fx.quote', type: 'fx.quote', body: { i } });
    await eventually(() => got.length === 4, 'four capability deliveries');
    expect(got.filter((g) => g.startsWith('q1')).length).toBe(2);
    expect(got.filter((g) => g.startsWith('q2')).length).toBe(2);
    got.length = 0;
    await sender.broadcast({
      filter: { capability: 'fx.quote' },
      type: 'market.halt',
      body: { reason: 'circuit breaker' },
    });
    await eventually(() => got.length === 2, 'two broadcast deliveries');
    await settle();
    expect(got.sort()).toEqual(['q1:market.halt', 'q2:market.halt']);
    await bus.close();
  });

  it('bus - durable messages are redelivered until the handler succeeds, and run again only on redelivery', async () => {
    const { bus } = await memoryNode();
    let attempts = 0;
    const worker = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'w', capabilities: [] },
      durable: { ackWaitMs: 5_000 },
      accepts: { 'task.award': {} },
      handler: async () => {
        attempts++;
        if (attempts === 1) throw new Error('transient');
      },
    });
    const boss = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'b', capabilities: [] },
      accepts: {},
      handler: async () => undefined,
    });
    await boss.sendDurable({ to: worker.did, type: 'task.award', body: { n: 1 } });
    await eventually(() => attempts === 2, 'a redelivery after the failure', 5_000);
    await settle();
    expect(attempts).toBe(2);
    await bus.close();
  });

  it('bus - kill switch orders fan out to every node and are obeyed only from control nodes', async () => {
    const a = await memoryNode({ id: 'a', controlAuthority: true });
    const b = await memoryNode({ id: 'b', transport: a.transport, registry: a.registry });
    const orders: string[] = [];
    for (const n of [a, b]) n.bus.options.onControl = (o) => orders.push(`${n.bus.options.node.id}:${o.action}`);
    await a.bus.control({ action: 'engage', all: true, reason: 'incident 42', by: 'operator:ops' });
    await eventually(() => orders.length === 2, 'both nodes got the order');
    expect(orders.sort()).toEqual(['a:engage', 'b:engage']);
    await b.bus.control({ action: 'release', reason: 'not allowed', by: 'node:b' });
    await eventually(() => a.rejections.length === 1 && b.rejections.length === 1, 'both refuse node b');
    expect(a.rejections[0]!.code).toBe('MANDATE_ERR_ENVELOPE_CAPABILITY');
    expect(orders.length).toBe(2);
    await a.bus.close();
    await b.bus.close();
  });
});

describe('MessageBus extras (memory transport)', () => {
  it('bus - inspection events are signed by the node and verified by subscribers on other nodes', async () => {
    const a = await memoryNode({ id: 'a' });
    const b = await memoryNode({ id: 'b', transport: a.transport, registry: a.registry });
    const seen: Array<{ type: string; from: string }> = [];
    b.bus.subscribeInspection((event, env) => seen.push({ type: event.type, from: env.from }));
    a.bus.publishInspection({
      type: 'alert',
      seq: 1,
      severity: 'critical',
      code: 'MANDATE_ERR_KILL_SWITCH',
      message: 'engaged',
      at: 1,
    });
    await eventually(() => seen.length === 1, 'inspection event on node b');
    expect(seen[0]).toEqual({ type: 'alert', from: a.bus.options.node.identity.did });
    // An agent (not a node) cannot publish inspection events.
    const rogue = AgentIdentity.generate();
    await a.registry.register(rogue, { id: 'r', node: 'a', nodeDid: rogue.did, capabilities: [] });
    a.transport.publish(
      'mandate.inspect.a',
      encodeEnvelope(signEnvelope(rogue, { to: '*', type: 'inspect.event', cap: 'mandate.node', body: {} })),
    );
    await eventually(() => b.rejections.length === 1, 'rogue inspection refused');
    expect(b.rejections[0]!.code).toBe('MANDATE_ERR_ENVELOPE_CAPABILITY');
    expect(seen).toHaveLength(1);
    // A node's inspection message must be a type-tagged object: the transport checks the tag it routes by.
    a.transport.publish(
      'mandate.inspect.a',
      encodeEnvelope(
        a.bus.sign(a.bus.options.node.identity, {
          to: '*',
          type: 'inspect.event',
          cap: 'mandate.node',
          body: { seq: 2 },
        }),
      ),
    );
    await eventually(() => b.rejections.length === 2, 'untagged inspection refused');
    expect(b.rejections[1]!.code).toBe('MANDATE_ERR_ENVELOPE_MALFORMED');
    expect(seen).toHaveLength(1);
    await a.bus.close();
    await b.bus.close();
  });

  it('bus - a handler that throws is reported, answers a request with MANDATE_ERR_HANDLER_FAILED, and breaks nothing', async () => {
    const errors: unknown[] = [];
    const { bus } = await memoryNode();
    bus.options.onHandlerError = (e) => errors.push(e);
    const a = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'a', capabilities: [] },
      accepts: { boom: {}, 'market.halt': {} },
      handler: async () => {
        throw new Error('kaput');
      },
    });
    const b = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'b', capabilities: [] },
      accepts: {},
      handler: async () => undefined,
    });
    await expect(b.request({ to: a.did, type: 'boom', body: {} })).rejects.toMatchObject({
      details: { remoteCode: 'MANDATE_ERR_HANDLER_FAILED' },
    });
    await b.broadcast({ filter: {}, type: 'market.halt', body: {} });
    await eventually(() => errors.length === 2, 'both handler errors reported');
    await bus.close();
  });

  it('bus - a durable re-publish with the same envelope id is stored once (msg-id de-duplication)', async () => {
    const { bus, transport } = await memoryNode();
    let n = 0;
    const w = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'w', capabilities: [] },
      durable: true,
      accepts: { 'pay.request': {} },
      handler: async () => void n++,
    });
    const s = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 's', capabilities: [] },
      accepts: {},
      handler: async () => undefined,
    });
    const env = await s.sendDurable({ to: w.did, type: 'pay.request', body: { amount: '10.00' } });
    await transport.publishDurable(`mandate.durable.${w.did.slice(8)}`, encodeEnvelope(env), { msgId: env.id });
    await eventually(() => n === 1, 'one delivery');
    await settle(5);
    expect(n).toBe(1);
    await bus.close();
  });
});
