import { describe, expect, it } from 'vitest';
import type { SnapshotRow } from '../persistence/RuntimeStore.ts';
import { WARM_ENTRY_OVERHEAD, WarmSnapshots } from './WarmSnapshots.ts';

/** A row whose stored JSON is exactly `size` bytes. */
function row(agentId: string, seq: number, size: number): SnapshotRow {
  const base = { agentId, supervisorId: 'root', snapshot: { status: 'active', value: 'idle', pad: '' }, state: 'idle' };
  const bare = JSON.stringify({ ...base, seq, at: 1 }).length;
  return { ...base, snapshot: { ...base.snapshot, pad: 'x'.repeat(size - bare) }, seq, at: 1, fence: 9 };
}

const cost = (size: number) => size + WARM_ENTRY_OVERHEAD;

describe('WarmSnapshots', () => {
  it('warm snapshots - take returns the row as the store would (no fence), once, and only to its own passivation', () => {
    const warm = new WarmSnapshots(1_000_000);
    const mine = {};
    expect(warm.put(row('a', 4, 300), mine)).toBe(true);
    expect(warm.bytes).toBe(cost(300));
    expect(warm.take('a', {})).toBeUndefined(); // another passivation's token: dropped, not handed over
    expect(warm.size).toBe(0);
    warm.put(row('a', 4, 300), mine);
    const { fence: _fence, ...stored } = row('a', 4, 300);
    expect(warm.take('a', mine)).toEqual([stored]);
    expect(warm.take('a', mine)).toBeUndefined();
    expect([warm.size, warm.bytes]).toEqual([0, 0]);
  });

  it('warm snapshots - the budget evicts the least recently passivated first and counts buffer plus overhead', () => {
    const warm = new WarmSnapshots(cost(400) * 2 + 100);
    const [a, b, c] = [{}, {}, {}];
    warm.put(row('a', 1, 400), a);
    warm.put(row('b', 1, 400), b);
    expect([warm.size, warm.bytes, warm.evicted]).toEqual([2, cost(400) * 2, 0]);
    warm.put(row('c', 1, 400), c);
    expect([warm.size, warm.bytes, warm.evicted]).toEqual([2, cost(400) * 2, 1]);
    expect(warm.has('a', a)).toBe(false);
    expect(warm.has('b', b) && warm.has('c', c)).toBe(true);
    // A bigger row evicts as many as it needs; one bigger than the whole budget is not kept at all.
    warm.put(row('d', 1, 700), {});
    expect([warm.size, warm.evicted]).toEqual([1, 3]);
    expect(warm.put(row('e', 1, cost(400) * 2), {})).toBe(false);
    expect(warm.bytes).toBeLessThanOrEqual(cost(400) * 2 + 100);
    expect(new WarmSnapshots(0).put(row('a', 1, 200), {})).toBe(false);
  });

  it('warm snapshots - a newer snapshot replaces the entry, an older one drops it, and drop forgets it', () => {
    const warm = new WarmSnapshots(1_000_000);
    const [first, second, stale] = [{}, {}, {}];
    warm.put(row('a', 5, 200), first);
    warm.put(row('a', 7, 250), second);
    expect([warm.size, warm.bytes]).toEqual([1, cost(250)]);
    expect(warm.has('a', first)).toBe(false);
    expect(warm.put(row('a', 6, 200), stale)).toBe(false); // older than the one kept: the store decides
    expect([warm.size, warm.bytes]).toEqual([0, 0]);
    warm.put(row('a', 8, 200), second);
    warm.drop('a');
    expect(warm.take('a', second)).toBeUndefined();
  });
});
