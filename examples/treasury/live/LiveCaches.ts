import type { Oracle, ReceiptCache } from 'mandate/actors';

/**
 * The caches `mandate run` hands the live example (`context.caches`): with `REDIS_URL`, final receipts
 * and recent prices in Redis; without it, receipts in process and prices read from their sources.
 */
export interface LiveCaches {
  /** Where each agent's rail keeps its final receipts. */
  readonly receipts?: ReceiptCache;
  /** `inner` behind a price cache of `ttlMs`, or `inner` itself. */
  oracle?(inner: Oracle, ttlMs: number): Oracle;
}
