import { describe, expect, it } from 'vitest';
import type { PaymentReceipt } from './PaymentReceipt.ts';
import { MemoryReceiptCache, readThroughReceipt, type ReceiptCache } from './ReceiptCache.ts';

const receipt = (key: string, status: PaymentReceipt['status'] = 'confirmed') =>
  ({ idempotencyKey: key, status }) as PaymentReceipt;

describe('receipt caches', () => {
  it('rails cache - the in-process cache keeps final receipts until their TTL, and drops the oldest past its bound', async () => {
    let now = 0;
    const cache = new MemoryReceiptCache({ ttlMs: 1_000, maxEntries: 2, now: () => now });
    expect(await cache.put(receipt('a', 'submitted'))).toBe(false);
    await cache.put(receipt('a'));
    await cache.put(receipt('b'));
    await cache.put(receipt('c'));
    expect(await cache.get('a')).toBeUndefined();
    expect((await cache.get('b'))?.idempotencyKey).toBe('b');
    now = 1_000;
    expect(await cache.get('c')).toBeUndefined();
  });

  it('rails cache - a failing cache is skipped: the ledger answers and the payment goes on', async () => {
    const broken: ReceiptCache = {
      get: () => Promise.reject(new Error('connection lost')),
      put: () => Promise.reject(new Error('connection lost')),
    };
    let loads = 0;
    const load = async (k: string) => (loads++, receipt(k));
    expect((await readThroughReceipt(broken, 'k', load)).idempotencyKey).toBe('k');
    const memory = new MemoryReceiptCache({ ttlMs: 60_000 });
    await readThroughReceipt(memory, 'k', load);
    await readThroughReceipt(memory, 'k', load);
    expect(loads).toBe(2);
  });
});
