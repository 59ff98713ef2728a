import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { PaymentReceipt } from '../actors/index.ts';
import { openCaches, redactRedisUrl } from './openCaches.ts';
import { runCommand } from './runCommand.ts';

const url = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const root = mkdtempSync(join(tmpdir(), 'mandate-redis-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every `mandate:receipt:*` key in the Redis at `url`. */
async function receiptKeys(redis: Redis): Promise<Set<string>> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', 'mandate:receipt:*', 'COUNT', 1000);
    cursor = next;
    for (const k of batch) keys.add(k);
  } while (cursor !== '0');
  return keys;
}

describe('REDIS_URL', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('caches - a password in REDIS_URL is never shown', () => {
    expect(redactRedisUrl('redis://:s3cret@cache.internal:6379/2')).toBe('redis://:***@cache.internal:6379/2');
    expect(redactRedisUrl('rediss://app:s3cret@cache.internal:6380')).toBe('rediss://***:***@cache.internal:6380');
    expect(redactRedisUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('caches - without REDIS_URL the receipts are cached in process and the banner says so', async () => {
    const opened = await openCaches({});
    expect(opened.redis).toBeUndefined();
    expect(opened.description).toContain('in-process');
    const receipt = { idempotencyKey: 'k1', status: 'confirmed' } as PaymentReceipt;
    expect(await opened.caches.receipts.put(receipt)).toBe(true);
    expect(await opened.caches.receipts.get('k1')).toEqual(receipt);
    expect(await opened.caches.receipts.put({ ...receipt, idempotencyKey: 'k2', status: 'submitted' })).toBe(false);
  });

  it('mandate run - a REDIS_URL where nothing answers, or that is not a Redis URL, is MANDATE_ERR_REDIS_UNAVAILABLE naming it without its password, before anything starts', async () => {
    vi.stubEnv('REDIS_URL', 'redis://:hunter2@127.0.0.1:1');
    const started = Date.now();
    const refused = runCommand(['examples/treasury', '--no-gateway', '--data-dir', join(root, 'refused', 'data')]);
    await expect(refused).rejects.toMatchObject({
      code: 'MANDATE_ERR_REDIS_UNAVAILABLE',
      message: expect.stringContaining('redis://:***@127.0.0.1:1'),
    });
    await expect(refused).rejects.not.toMatchObject({ message: expect.stringContaining('hunter2') });
    expect(Date.now() - started).toBeLessThan(10_000);
    vi.stubEnv('REDIS_URL', 'http://127.0.0.1:6379');
    await expect(openCaches(process.env)).rejects.toMatchObject({
      code: 'MANDATE_ERR_REDIS_UNAVAILABLE',
      message: expect.stringContaining('is not a Redis URL'),
    });
  });

  it('mandate run - with REDIS_URL a live run keeps its final payment receipts in Redis and says so in the banner', async () => {
    const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect().catch((cause: unknown) => {
      throw new Error(`Redis is not reachable at ${url}; start it (e.g. "redis-server --port 6379") or set REDIS_URL`, {
        cause,
      });
    });
    try {
      const before = await receiptKeys(redis);
      vi.stubEnv('REDIS_URL', url);
      const lines: string[] = [];
      vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
      const dataDir = join(root, 'live', 'data');
      const args = ['examples/treasury', '--live', '--no-gateway', '--accept-weak-durability', '--quiet'];
      expect(await runCommand([...args, '--data-dir', dataDir, '--duration', '15s'])).toBe(0);
      expect(lines.find((l) => l.startsWith('mandate: ') && l.includes('agents on node'))).toContain(
        `caches: Redis ${url.replace(/\/$/, '')} (receipts, prices)`,
      );
      const added = [...(await receiptKeys(redis))].filter((k) => !before.has(k));
      const invoice = added.find((k) => k.includes('INV-1001'));
      expect(invoice, `new receipt keys: ${added.join(', ')}`).toBeDefined();
      const receipt = JSON.parse((await redis.get(invoice!))!) as PaymentReceipt;
      expect(receipt.status).toBe('confirmed');
      expect(receipt.rail).toBe('evm:31337');
      expect(receipt.reference).toMatch(/^0x[0-9a-f]{64}$/);
      expect(await redis.pttl(invoice!)).toBeGreaterThan(0);
      await redis.del(...added);
    } finally {
      redis.disconnect();
    }
  }, 90_000);
});
