import { describe, expect, it } from 'vitest';
import { AgentIdentity } from '../transport/index.ts';
import { TestClock } from '../test/messaging/memoryNode.ts';
import { MemoryCapabilityRegistry } from './MemoryCapabilityRegistry.ts';
import { compareDecimal, versionSatisfies } from './rankCandidates.ts';

const did = () => AgentIdentity.generate().did;

describe('MemoryCapabilityRegistry', () => {
  it('registry - discovery filters by capability and requirements and sorts by reputation, then price, then freshness', async () => {
    const clock = new TestClock();
    const reg = new MemoryCapabilityRegistry({ clock });
    const mk = (id: string, reputation: number, price: string, version = '1.2.0', extra = {}) =>
      reg.register({
        did: did(),
        id,
        node: 'n1',
        capabilities: [{ name: 'fx.quote', version }],
        reputation,
        terms: { price: { amount: price, asset: 'USDC' } },
        ...extra,
      });
    const low = await mk('low', 0.3, '0.10');
    const hiDear = await mk('hi-dear', 0.9, '10.5');
    const hiCheap = await mk('hi-cheap', 0.9, '9.75');
    await mk('old-major', 0.99, '0.01', '2.0.0');
    await mk('draining', 0.95, '0.01', '1.2.0', { status: 'draining' });
    await reg.register({
      did: did(),
      id: 'other',
      node: 'n1',
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

  it('registry - a descriptor expires without heartbeats; heartbeats keep it and update reputation', async () => {
    const clock = new TestClock();
    const reg = new MemoryCapabilityRegistry({ clock, ttlMs: 30_000 });
    const a = await reg.register({ did: did(), id: 'a', node: 'n', capabilities: [] });
    const b = await reg.register({ did: did(), id: 'b', node: 'n', capabilities: [] });
    clock.t += 20_000;
    await reg.heartbeat(a.did, { reputation: 0.8 });
    clock.t += 20_000;
    expect((await reg.lookup(a.did)).state).toBe('active');
    expect((await reg.lookup(b.did)).state).toBe('unknown');
    const s = await reg.lookup(a.did);
    expect(s.state === 'active' && s.descriptor.reputation).toBe(0.8);
    await expect(reg.heartbeat(b.did)).rejects.toMatchObject({ code: 'MANDATE_ERR_REGISTRY_NOT_FOUND' });
  });

  it('registry - revocation is permanent and refuses re-registration; bad input names the field', async () => {
    const reg = new MemoryCapabilityRegistry();
    const a = await reg.register({
      did: did(),
      id: 'a',
      node: 'n',
      capabilities: [{ name: 'payments.execute', version: '1.0.0' }],
    });
    await reg.revoke(a.did, 'key leaked', 'operator:sec');
    expect(await reg.lookup(a.did)).toMatchObject({
      state: 'revoked',
      revocation: { reason: 'key leaked', by: 'operator:sec' },
    });
    expect(await reg.discover('payments.execute')).toEqual([]);
    await expect(reg.register({ did: a.did, id: 'a', node: 'n', capabilities: [] })).rejects.toMatchObject({
      code: 'MANDATE_ERR_REGISTRY_REVOKED',
    });
    await expect(reg.register({ did: 'did:web:x', id: 'a', node: 'n', capabilities: [] })).rejects.toMatchObject({
      code: 'MANDATE_ERR_REGISTRY_INPUT',
      details: { path: 'did' },
    });
    await expect(
      reg.register({ did: did(), id: 'a', node: 'n', capabilities: [{ name: 'Bad Name', version: '1' }] }),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_REGISTRY_INPUT' });
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
