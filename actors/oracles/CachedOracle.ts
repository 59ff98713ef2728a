/**
 * An optional Redis cache in front of any oracle (`REDIS_URL`): recent prices are served
 * from Redis for `ttlMs`, so many agents perceiving the same pair cost one upstream read.
 * The cached value keeps the source's `updatedAt`, so staleness checks still see true age.
 * A failing Redis is skipped: the source is read as if there were no cache.
 */
import type { Redis } from 'ioredis';
import type { Oracle, PriceObservation } from './Oracle.ts';

/** Options of {@link CachedOracle}. */
export interface CachedOracleOptions {
  readonly redis: Redis;
  readonly ttlMs: number;
  /** Key prefix; default `mandate:price:`. */
  readonly prefix?: string;
}

/** Wraps `inner` with a Redis read-through cache. */
export class CachedOracle implements Oracle {
  readonly name: string;
  readonly #inner: Oracle;
  readonly #o: CachedOracleOptions;

  constructor(inner: Oracle, options: CachedOracleOptions) {
    this.#inner = inner;
    this.#o = options;
    this.name = inner.name;
  }

  async read(pair: string): Promise<PriceObservation> {
    const key = `${this.#o.prefix ?? 'mandate:price:'}${this.#inner.name}:${pair}`;
    // The cache is an optimisation: while Redis is unreachable the source is read directly.
    const hit = await this.#o.redis.get(key).catch(() => null);
    if (hit !== null) {
      const v = JSON.parse(hit) as { pair: string; price: string; updatedAt: string; source: string };
      return { pair: v.pair, price: BigInt(v.price), updatedAt: new Date(v.updatedAt), source: v.source };
    }
    const fresh = await this.#inner.read(pair);
    await this.#o.redis
      .set(
        key,
        JSON.stringify({ ...fresh, price: fresh.price.toString(), updatedAt: fresh.updatedAt.toISOString() }),
        'PX',
        this.#o.ttlMs,
      )
      .catch(() => undefined);
    return fresh;
  }
}
