import { describe, expect, it } from 'vitest';
import { SnapshotCache } from './SnapshotCache.ts';

function fakeRuntime() {
  const listeners = new Set<(event: never) => void>();
  return {
    runtime: {
      subscribe: (listener: (event: never) => void) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    emit: () => {
      for (const l of listeners) l(undefined as never);
    },
    listeners,
  };
}

describe('gateway - snapshot cache of read answers', () => {
  it('gateway - an answer is reused until a runtime event, then computed again', () => {
    const { runtime, emit } = fakeRuntime();
    let now = 0;
    const cache = new SnapshotCache(runtime, { now: () => now });
    let computed = 0;
    const body = () => `v${++computed}`;
    expect(cache.get('/api/agents', body)).toBe('v1');
    now = 10;
    expect(cache.get('/api/agents', body)).toBe('v1');
    emit();
    expect(cache.get('/api/agents', body)).toBe('v2');
    expect(cache.get('/api/agents?state=idle', body)).toBe('v3');
    expect(cache.get('/api/agents', body)).toBe('v2');
  });

  it('gateway - no answer is served older than maxAgeMs, with or without events', () => {
    const { runtime } = fakeRuntime();
    let now = 0;
    const cache = new SnapshotCache(runtime, { now: () => now, maxAgeMs: 50 });
    let computed = 0;
    const body = () => `v${++computed}`;
    cache.get('k', body);
    now = 50;
    expect(cache.get('k', body)).toBe('v1');
    now = 51;
    expect(cache.get('k', body)).toBe('v2');
  });

  it('gateway - clear() and close() drop entries; close() stops following the runtime', () => {
    const { runtime, listeners } = fakeRuntime();
    const cache = new SnapshotCache(runtime, { now: () => 0, maxEntries: 2 });
    let computed = 0;
    const body = () => `v${++computed}`;
    cache.get('a', body);
    cache.clear();
    expect(cache.get('a', body)).toBe('v2');
    cache.get('b', body);
    cache.get('c', body); // past maxEntries: emptied, then c kept
    expect(cache.get('a', body)).toBe('v5');
    cache.close();
    expect(listeners.size).toBe(0);
  });
});
