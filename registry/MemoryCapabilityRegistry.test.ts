import { describe, expect, it } from 'vitest';
import { AgentIdentity, encodeRecord, RecordType, signRecord } from '../transport/index.ts';
import { TestClock } from '../test/messaging/memoryNode.ts';
import { MemoryCapabilityRegistry } from './MemoryCapabilityRegistry.ts';
import { compareDecimal, versionSatisfies } from './rankCandidates.ts';
import type { RecordProblem } from './RecordBook.ts';

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const node = AgentIdentity.generate();
const base = { node: 'n1', nodeDid: node.did };

/** One fx.quote provider of the discovery test. */
interface Listing {
  id: string;
  reputation: number;
  price: string;
  version?: string;
  status?: 'draining';
}

describe('MemoryCapabilityRegistry', () => {
  it('registry - discovery filters by capability and requirements and sorts by reputation, then price, then freshness', async () => {
    const clock = new TestClock();
    const reg = new MemoryCapabilityRegistry({ clock });
    const mk = ({ id, reputation, price, version = '1.2.0', status }: Listing) =>
      reg.register(AgentIdentity.generate(), {
        id,
        ...base,
        capabilities: [{ name: 'fx.quote', version }],
        reputation,
        terms: { price: { amount: price, asset: 'USDC' } },
        ...(status === undefined ? {} : { status }),
      });
    const low = await mk({ id: 'low', reputation: 0.3, price: '0.10' });
    const hiDear = await mk({ id: 'hi-dear', reputation: 0.9, price: '10.5' });
    const hiCheap = await mk({ id: 'hi-cheap', reputation: 0.9, price: '9.75' });
    await mk({ id: 'old-major', reputation: 0.99, price: '0.01', version: '2.0.0' });
    await mk({ id: 'draining', reputation: 0.95, price: '0.01', status: 'draining' });
    await reg.register(AgentIdentity.generate(), {
      id: 'other',
      ...base,
      capabilities: [{ name: 'kyc.check', version: '1.0.0' }],
    });
    const found = await reg.discover('fx.quote', { minVersion: '1.1.0' });
    expect(found.map((d) => d.id)).toEqual(['hi-cheap', 'hi-dear', 'low']);
    expect(
      (
        await reg.discover('fx.quote', {
          minVersion: '1.0.0',
          minReputation: 0.5,
          maxPrice: { amount: '10', asset: 'USDC' },
        })
      ).map((d) => d.id),
    ).toEqual(['hi-cheap']);
    expect(
      (await reg.discover('fx.quote', { minVersion: '1.0.0', exclude: [hiCheap.did, hiDear.did] })).map((d) => d.did),
    ).toEqual([low.did]);
  });

  it('registry - a descriptor expires without heartbeats; signed heartbeats keep it and update reputation', async () => {
    const clock = new TestClock();
    const reg = new MemoryCapabilityRegistry({ clock, ttlMs: 30_000 });
    const ida = AgentIdentity.generate();
    const idb = AgentIdentity.generate();
    const a = await reg.register(ida, { id: 'a', ...base, capabilities: [] });
    const b = await reg.register(idb, { id: 'b', ...base, capabilities: [] });
    clock.t += 20_000;
    await reg.heartbeat(ida, { reputation: 0.8 });
    clock.t += 20_000;
    expect((await reg.lookup(a.did)).state).toBe('active');
    expect((await reg.lookup(b.did)).state).toBe('unknown');
    const s = await reg.lookup(a.did);
    expect(s.state === 'active' && s.descriptor.reputation).toBe(0.8);
    await expect(reg.heartbeat(idb)).rejects.toMatchObject({ code: 'MANDATE_ERR_REGISTRY_NOT_FOUND' });
  });

  it('registry - revocation is permanent and refuses re-registration; bad input names the field', async () => {
    const reg = new MemoryCapabilityRegistry();
    const id = AgentIdentity.generate();
    const a = await reg.register(id, {
      id: 'a',
      ...base,
      capabilities: [{ name: 'payments.execute', version: '1.0.0' }],
    });
    await reg.revoke(id, { did: a.did, reason: 'key leaked', by: 'operator:sec' });
    expect(await reg.lookup(a.did)).toMatchObject({
      state: 'revoked',
      revocation: { reason: 'key leaked', by: 'operator:sec' },
    });
    expect(await reg.discover('payments.execute')).toEqual([]);
    await expect(reg.register(id, { id: 'a', ...base, capabilities: [] })).rejects.toMatchObject({
      code: 'MANDATE_ERR_REGISTRY_REVOKED',
    });
    await expect(
      reg.register(AgentIdentity.generate(), { id: 'a', ...base, nodeDid: 'did:web:x', capabilities: [] }),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_REGISTRY_INPUT', details: { path: 'nodeDid' } });
    await expect(
      reg.register(AgentIdentity.generate(), { id: 'a', ...base, capabilities: [{ name: 'Bad Name', version: '1' }] }),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_REGISTRY_INPUT' });
  });

  it('registry - unsigned, wrongly signed, mis-keyed and foreign-signed descriptors are ignored and reported', async () => {
    const problems: RecordProblem[] = [];
    const reg = new MemoryCapabilityRegistry({ onRecordProblem: (p) => problems.push(p) });
    const victim = AgentIdentity.generate();
    const mallory = AgentIdentity.generate();
    const key = victim.did.slice('did:key:'.length);
    const body = {
      did: victim.did,
      id: 'victim',
      ...base,
      capabilities: [{ name: 'payments.execute', version: '1.0.0' }],
      reputation: 1,
      registeredAt: Date.now(),
      heartbeatAt: Date.now(),
    };
    reg.putRaw('agents', key, enc(body)); // v1-style unsigned descriptor
    reg.putRaw('agents', key, encodeRecord(signRecord(mallory, RecordType.descriptor, body))); // signed by someone else
    const genuine = signRecord(victim, RecordType.descriptor, body);
    reg.putRaw('agents', key, enc({ ...genuine, body: { ...body, reputation: 0.99 } })); // tampered after signing
    reg.putRaw('agents', mallory.did.slice(8), encodeRecord(genuine)); // stored under another agent's key
    reg.putRaw('agents', key, new TextEncoder().encode('['.repeat(100_000))); // hostile nesting
    expect((await reg.lookup(victim.did)).state).toBe('unknown');
    expect(problems).toHaveLength(5);
    expect(problems.every((p) => p.code === 'MANDATE_ERR_REGISTRY_RECORD')).toBe(true);
    reg.putRaw('agents', key, encodeRecord(genuine));
    expect((await reg.lookup(victim.did)).state).toBe('active');
    expect(problems).toHaveLength(5);
  });

  it('registry - a replayed older heartbeat never rolls a descriptor back', async () => {
    const clock = new TestClock();
    const reg = new MemoryCapabilityRegistry({ clock });
    const id = AgentIdentity.generate();
    await reg.register(id, { id: 'a', ...base, capabilities: [{ name: 'fx.quote', version: '1.0.0' }] });
    const old = signRecord(id, RecordType.descriptor, {
      did: id.did,
      id: 'a',
      ...base,
      capabilities: [{ name: 'payments.execute', version: '1.0.0' }],
      registeredAt: clock.t - 5,
      heartbeatAt: clock.t - 5,
    });
    clock.t += 1_000;
    await reg.heartbeat(id, { reputation: 0.7 });
    reg.putRaw('agents', id.did.slice(8), encodeRecord(old));
    const s = await reg.lookup(id.did);
    expect(s.state === 'active' && s.descriptor.capabilities.map((c) => c.name)).toEqual(['fx.quote']);
    expect(s.state === 'active' && s.descriptor.reputation).toBe(0.7);
  });

  it('registry - only the agent, its node (with evidence) or an authority may revoke; others are refused and ignored', async () => {
    const authority = AgentIdentity.generate();
    const problems: RecordProblem[] = [];
    const reg = new MemoryCapabilityRegistry({
      revocationAuthorities: [authority.did],
      onRecordProblem: (p) => problems.push(p),
    });
    const agents = [1, 2, 3, 4].map(() => AgentIdentity.generate());
    for (const a of agents) await reg.register(a, { id: 'x', ...base, capabilities: [] });
    const mallory = AgentIdentity.generate();
    await expect(reg.revoke(mallory, { did: agents[0]!.did, reason: 'spite' })).rejects.toMatchObject({
      code: 'MANDATE_ERR_REGISTRY_INPUT',
    });
    expect((await reg.lookup(agents[0]!.did)).state).toBe('active');
    expect(problems.map((p) => p.bucket)).toEqual(['revocations']);
    // A revocation body that names a node which is not the agent's: no authority either.
    const forged = signRecord(mallory, RecordType.revocation, {
      did: agents[0]!.did,
      reason: 'x',
      by: 'm',
      at: 1,
      descriptor: signRecord(mallory, RecordType.descriptor, { did: agents[0]!.did }),
    });
    reg.putRaw('revocations', agents[0]!.did.slice(8), encodeRecord(forged));
    expect((await reg.lookup(agents[0]!.did)).state).toBe('active');
    await reg.revoke(agents[1]!, { did: agents[1]!.did, reason: 'retired' });
    await reg.revoke(node, { did: agents[2]!.did, reason: 'node decided', by: 'operator:ops' });
    await reg.revoke(authority, { did: agents[3]!.did, reason: 'authority decided' });
    for (const a of agents.slice(1)) expect((await reg.lookup(a.did)).state).toBe('revoked');
  });

  it('registry - versions need the same major; decimals compare without floats', () => {
    expect(versionSatisfies('1.2.3', '1.2.0')).toBe(true);
    expect(versionSatisfies('1.1.9', '1.2.0')).toBe(false);
    expect(versionSatisfies('2.0.0', '1.0.0')).toBe(false);
    expect(compareDecimal('10.5', '9.75')).toBe(1);
    expect(compareDecimal('0.30', '0.3')).toBe(0);
    expect(compareDecimal('007.1', '7.10')).toBe(0);
    expect(compareDecimal('0.1', '0.10000000000000001')).toBe(-1);
  });
});
