/**
 * An optional Redis cache (`REDIS_URL`) of recent payment receipts, so status queries from many
 * agents and the UI do not each hit PostgreSQL. Only final receipts are cached: they never
 * change again, so the cache can never show a payment in a state it has left.
 */
import type { Redis } from 'ioredis';
import { FINAL_STATUSES, type PaymentReceipt } from './PaymentReceipt.ts';
import type { ReceiptCache } from './ReceiptCache.ts';

/** Options of {@link RedisReceiptCache}. */
export interface RedisReceiptCacheOptions {
  readonly redis: Redis;
  readonly ttlMs: number;
  /** Key prefix; default `mandate:receipt:`. */
  readonly prefix?: string;
}

/** Read-through cache of final receipts. */
export class RedisReceiptCache implements ReceiptCache {
  readonly #o: RedisReceiptCacheOptions;

  constructor(options: RedisReceiptCacheOptions) {
    this.#o = options;
  }

  /** The cached receipt of `key`, if a final one is cached. */
  async get(key: string): Promise<PaymentReceipt | undefined> {
    const hit = await this.#o.redis.get(this.#key(key));
    return hit === null ? undefined : (JSON.parse(hit) as PaymentReceipt);
  }

  /** Caches `receipt` if it is final; returns whether it was cached. */
  async put(receipt: PaymentReceipt): Promise<boolean> {
    if (!FINAL_STATUSES.has(receipt.status)) return false;
    await this.#o.redis.set(this.#key(receipt.idempotencyKey), JSON.stringify(receipt), 'PX', this.#o.ttlMs);
    return true;
  }

  /**
   * Returns the receipt from the cache, or loads it (e.g. `rail.receipt(key)`) and caches it when final.
   * @example const r = await cache.receipt(key, (k) => rail.receipt(k));
   */
  async receipt(key: string, load: (key: string) => Promise<PaymentReceipt>): Promise<PaymentReceipt> {
    const cached = await this.get(key);
    if (cached !== undefined) return cached;
    const loaded = await load(key);
    await this.put(loaded);
    return loaded;
  }

  #key(key: string): string {
    return `${this.#o.prefix ?? 'mandate:receipt:'}${key}`;
  }
}
