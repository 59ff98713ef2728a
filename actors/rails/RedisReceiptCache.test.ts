import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingReceipt } from './IntentLedger.ts';
import type { PaymentReceipt } from './PaymentReceipt.ts';
import { RedisReceiptCache } from './RedisReceiptCache.ts';

const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
let redis: Redis;
beforeAll(async () => {
  redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
  } catch (cause) {
    throw new Error(`Redis is not reachable at ${url}; start it (e.g. "redis-server --port 6379") or set REDIS_URL`, {
      cause,
    });
  }
});
afterAll(() => {
  redis?.disconnect();
});

describe('RedisReceiptCache', () => {
  it('rails cache - only final receipts are cached, and read-through loads once', async () => {
    const prefix = `mandate:test:receipts:${Date.now()}:`;
    const cache = new RedisReceiptCache({ redis, ttlMs: 60_000, prefix });
    const intent = {
      kind: 'crypto' as const,
      idempotencyKey: `cache-${Date.now()}`,
      agentId: 'a',
      supervisorIds: [],
      asset: 'USDC',
      amount: '1',
      to: `0x${'1'.repeat(40)}`,
    };
    const pending = pendingReceipt(intent, 'evm:31337', new Date('2026-03-02T00:00:00Z'));
    expect(await cache.put(pending)).toBe(false);
    expect(await cache.get(intent.idempotencyKey)).toBeUndefined();
    const confirmed: PaymentReceipt = {
      ...pending,
      status: 'confirmed',
      reference: `0x${'ab'.repeat(32)}`,
      confirmations: 3,
    };
    let loads = 0;
    const load = async () => (loads++, confirmed);
    expect(await cache.receipt(intent.idempotencyKey, load)).toEqual(confirmed);
    expect(await cache.receipt(intent.idempotencyKey, load)).toEqual(confirmed);
    expect(loads).toBe(1);
    expect(await redis.pttl(`${prefix}${intent.idempotencyKey}`)).toBeGreaterThan(0);
    await redis.del(`${prefix}${intent.idempotencyKey}`);
  });
});
