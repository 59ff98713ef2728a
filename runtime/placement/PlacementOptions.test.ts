import { describe, expect, it } from 'vitest';
import { resolvePlacementOptions, satisfies } from './PlacementOptions.ts';
import { rendezvousOwner } from './rendezvous.ts';

describe('placement options', () => {
  it('placement options - defaults: 10 s TTL, renewal a third of it, settle one TTL', () => {
    expect(resolvePlacementOptions({})).toMatchObject({ ttlMs: 10_000, renewMs: 3_333, settleMs: 10_000, replicas: 1 });
  });

  it('placement options - a TTL under 1 s, renewal past half the TTL or 7 replicas are refused with MANDATE_ERR_PLACEMENT_CONFIG', () => {
    for (const bad of [{ ttlMs: 500 }, { ttlMs: 2_000, renewMs: 1_500 }, { replicas: 7 }, { labels: { 'a b': 'x' } }])
      expect(() => resolvePlacementOptions(bad)).toThrow(
        expect.objectContaining({ code: 'MANDATE_ERR_PLACEMENT_CONFIG' }),
      );
  });

  it('placement options - constraints match region and every label', () => {
    const node = { region: 'eu', labels: { signer: 'hsm-1', tier: 'gold' } };
    expect(satisfies(undefined, node)).toBe(true);
    expect(satisfies({ region: 'eu', labels: { signer: 'hsm-1' } }, node)).toBe(true);
    expect(satisfies({ region: 'us' }, node)).toBe(false);
    expect(satisfies({ labels: { signer: 'hsm-2' } }, node)).toBe(false);
  });

  it('rendezvous - every node computes the same owner; removing a node moves only the agents it owned', () => {
    const nodes = ['n0', 'n1', 'n2'];
    const agents = Array.from({ length: 300 }, (_, i) => `agent-${i}`);
    const before = new Map(agents.map((a) => [a, rendezvousOwner(a, nodes)!]));
    expect(new Map(agents.map((a) => [a, rendezvousOwner(a, [...nodes].reverse())!]))).toEqual(before);
    const counts = nodes.map((n) => [...before.values()].filter((o) => o === n).length);
    expect(Math.min(...counts)).toBeGreaterThan(60); // roughly a third each
    const after = new Map(agents.map((a) => [a, rendezvousOwner(a, ['n0', 'n2'])!]));
    expect(agents.filter((a) => before.get(a) !== 'n1' && after.get(a) !== before.get(a))).toEqual([]);
  });
});
