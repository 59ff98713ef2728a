/**
 * A cache of final payment receipts in front of the rails' ledger: {@link RedisReceiptCache}
 * (`REDIS_URL`, shared by every node) or {@link MemoryReceiptCache} (this process only). Only final
 * receipts are cached, so a cached receipt can never show a payment in a state it has left. The cache
 * is an optimisation: a failing cache is skipped (and reported), never a failed payment.
 */
import { FINAL_STATUSES, type PaymentReceipt } from './PaymentReceipt.ts';

/** The contract of a receipt cache (implemented by `RedisReceiptCache` and `MemoryReceiptCache`). */
export interface ReceiptCache {
  /** The cached receipt of `key`, if a final one is cached. */
  get(key: string): Promise<PaymentReceipt | undefined>;
  /** Caches `receipt` if it is final; returns whether it was cached. */
  put(receipt: PaymentReceipt): Promise<boolean>;
}

/** Options of {@link MemoryReceiptCache}. */
export interface MemoryReceiptCacheOptions {
  readonly ttlMs: number;
  /** Most receipts kept; the oldest is dropped first. Default 10,000. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** An in-process, bounded receipt cache (the default without `REDIS_URL`). */
export class MemoryReceiptCache implements ReceiptCache {
  readonly #o: MemoryReceiptCacheOptions;
  readonly #entries = new Map<string, { receipt: PaymentReceipt; until: number }>();

  constructor(options: MemoryReceiptCacheOptions) {
    this.#o = options;
  }

  get(key: string): Promise<PaymentReceipt | undefined> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return Promise.resolve(undefined);
    if (entry.until <= this.#now()) {
      this.#entries.delete(key);
      return Promise.resolve(undefined);
    }
    return Promise.resolve(entry.receipt);
  }

  put(receipt: PaymentReceipt): Promise<boolean> {
    if (!FINAL_STATUSES.has(receipt.status)) return Promise.resolve(false);
    this.#entries.delete(receipt.idempotencyKey);
    this.#entries.set(receipt.idempotencyKey, { receipt, until: this.#now() + this.#o.ttlMs });
    // A Map iterates in insertion order: the first key is the oldest.
    if (this.#entries.size > (this.#o.maxEntries ?? 10_000))
      this.#entries.delete(this.#entries.keys().next().value as string);
    return Promise.resolve(true);
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }
}

/**
 * The receipt of `key` from `cache`, else from `load` (cached when final). Without a cache, or
 * when the cache fails, it is `load`'s answer: the ledger stays the source of truth.
 * @example const receipt = await readThroughReceipt(options.receiptCache, key, (k) => ledgerReceipt(k));
 */
export async function readThroughReceipt(
  cache: ReceiptCache | undefined,
  key: string,
  load: (key: string) => Promise<PaymentReceipt>,
): Promise<PaymentReceipt> {
  if (cache === undefined) return load(key);
  const cached = await cache.get(key).catch(() => undefined);
  if (cached !== undefined) return cached;
  return rememberReceipt(cache, await load(key));
}

/** Puts `receipt` into `cache` when final (a failing cache changes nothing); returns `receipt`. */
export async function rememberReceipt(
  cache: ReceiptCache | undefined,
  receipt: PaymentReceipt,
): Promise<PaymentReceipt> {
  if (cache !== undefined && FINAL_STATUSES.has(receipt.status)) await cache.put(receipt).catch(() => false);
  return receipt;
}
