import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { eventually, memoryNode, settle } from '../test/messaging/memoryNode.ts';
import { AgentIdentity } from './AgentIdentity.ts';
import { InboundScheduler } from './InboundScheduler.ts';
import { openEnvelope } from './openEnvelope.ts';
import { x25519FromSeed } from './payloadCipher.ts';
import { encodeEnvelope, signEnvelope } from './signEnvelope.ts';
import { agentInboxSubject } from './subjects.ts';

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

describe('MessageBus, protocol v1.1 (memory transport)', () => {
  it('bus - refusals are answered: a v1 envelope gets VERSION, a non-did sender a to-less error, junk a MALFORMED', async () => {
    const { bus, transport, registry } = await memoryNode();
    const alice = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'a', capabilities: [] },
      accepts: { note: {} },
      handler: async () => 'x',
    });
    const bob = AgentIdentity.generate();
    await registry.register(bob, { id: 'b', node: 'x', nodeDid: bob.did, capabilities: [] });
    const ask = async (bytes: Uint8Array) =>
      openEnvelope(await transport.request(agentInboxSubject(alice.did), bytes, { timeoutMs: 2_000 }), {
        now: Date.now(),
      });
    const v1 = { ...signEnvelope(bob, { to: alice.did, type: 'note', body: {} }), v: 1 };
    expect(await ask(enc(v1))).toMatchObject({
      type: 'mandate.error',
      to: bob.did,
      re: v1.id,
      body: { code: 'MANDATE_ERR_ENVELOPE_VERSION' },
    });
    const noDid = await ask(enc({ ...v1, v: '1.1', from: 'did:key:zNotAKey' }));
    expect(noDid.to).toBeUndefined();
    expect(noDid).toMatchObject({
      cap: 'mandate.node',
      from: bus.options.node.identity.did,
      body: { code: 'MANDATE_ERR_ENVELOPE_MALFORMED' },
    });
    expect((await ask(enc('\u0000\u0001'))).body).toMatchObject({ code: 'MANDATE_ERR_ENVELOPE_MALFORMED' });
    expect((await ask(enc('['.repeat(200_000)))).body).toMatchObject({ code: 'MANDATE_ERR_ENVELOPE_MALFORMED' });
    // A requester on the bus sees the node-signed refusal as a coded remote error.
    const carol = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'c', capabilities: [] },
      accepts: {},
      handler: async () => undefined,
    });
    await expect(carol.request({ to: alice.did, type: 'other', body: {} })).rejects.toMatchObject({
      details: { remoteCode: 'MANDATE_ERR_ENVELOPE_UNHANDLED' },
    });
    await bus.close();
  });

  it('bus - encrypted bodies: sealed to the recipient, opened for the handler, required where the type says so, replies sealed back', async () => {
    const { bus, rejections } = await memoryNode();
    const seen: unknown[] = [];
    const separate = x25519FromSeed(new Uint8Array(32).fill(5));
    const vault = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'vault', capabilities: [] },
      encryption: separate,
      accepts: { 'secret.put': { encrypted: true, body: z.strictObject({ iban: z.string() }) } },
      handler: async (m) => (seen.push(m.envelope.body, m.body), { stored: true }),
    });
    const client = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'c', capabilities: [] },
      accepts: {},
      handler: async () => undefined,
    });
    const reply = await client.request({
      to: vault.did,
      type: 'secret.put',
      body: { iban: 'DE89370400440532013000' },
      encrypt: true,
    });
    expect(reply.body).toEqual({ stored: true });
    expect(typeof reply.envelope.body).toBe('string'); // the reply travelled sealed
    expect(reply.envelope.enc?.alg).toBe('hpke-x25519-sha256-chacha20poly1305');
    expect(typeof seen[0]).toBe('string');
    expect(seen[0]).not.toContain('DE89');
    expect(seen[1]).toEqual({ iban: 'DE89370400440532013000' });
    await expect(client.request({ to: vault.did, type: 'secret.put', body: { iban: 'x' } })).rejects.toMatchObject({
      details: { remoteCode: 'MANDATE_ERR_ENVELOPE_ENCRYPTION' },
    });
    await expect(client.broadcast({ filter: {}, type: 'secret.put', body: {}, encrypt: true })).rejects.toMatchObject({
      code: 'MANDATE_ERR_TRANSPORT_USAGE',
    });
    expect(rejections.map((r) => r.code)).toEqual(['MANDATE_ERR_ENVELOPE_ENCRYPTION']);
    await bus.close();
  });

  it('bus - priority: with work waiting, urgent goes first, then high, normal, low; kill-switch orders are urgent', async () => {
    const { bus, transport } = await memoryNode({ controlAuthority: true, inboundConcurrency: 1 });
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    bus.options.onControl = (o) => void order.push(`control:${o.action}`);
    const worker = await bus.attach({
      identity: AgentIdentity.generate(),
      descriptor: { id: 'w', capabilities: [] },
      accepts: { job: {} },
      handler: async (m) => {
        const tag = (m.body as { tag: string }).tag;
        order.push(tag);
        if (tag === 'blocker') await gate;
      },
    });
    const sender = AgentIdentity.generate();
    await bus.options.registry.register(sender, { id: 's', node: 'x', nodeDid: sender.did, capabilities: [] });
    const send = (tag: string, priority?: 'low' | 'normal' | 'high' | 'urgent') =>
      transport.publish(
        agentInboxSubject(worker.did),
        encodeEnvelope(
          signEnvelope(sender, { to: worker.did, type: 'job', body: { tag }, ...(priority ? { priority } : {}) }),
        ),
      );
    send('blocker');
    await eventually(() => order.length === 1, 'the blocker holds the only slot');
    send('low', 'low');
    send('normal');
    send('high', 'high');
    send('urgent', 'urgent');
    await bus.control({ action: 'engage', all: true, reason: 'drill', by: 'ops' });
    await settle(5);
    expect(order).toEqual(['blocker']);
    release();
    await eventually(() => order.length === 6, 'everything handled');
    expect(order).toEqual(['blocker', 'urgent', 'control:engage', 'high', 'normal', 'low']);
    await bus.close();
  });

  it('bus - the scheduler starts work at once when nothing waits, and drains by priority, first come first served within one', async () => {
    const scheduler = new InboundScheduler(1);
    const seq: string[] = [];
    let free!: () => void;
    scheduler.run('low', () => new Promise<void>((r) => (free = r)).then(() => void seq.push('first')));
    expect(scheduler.load).toEqual({ running: 1, queued: 0 });
    for (const [tag, p] of [
      ['l', 'low'],
      ['n', 'normal'],
      ['u', 'urgent'],
      ['h', 'high'],
      ['u2', 'urgent'],
    ] as const)
      scheduler.run(p, async () => void seq.push(tag));
    expect(scheduler.load).toEqual({ running: 1, queued: 5 });
    free();
    await eventually(() => seq.length === 6, 'all ran');
    expect(seq).toEqual(['first', 'u', 'u2', 'h', 'n', 'l']);
  });
});
