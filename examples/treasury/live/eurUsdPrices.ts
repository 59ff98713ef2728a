import { Redis } from 'ioredis';
import { CachedOracle, ChainlinkOracle, SanePriceFeed, UniswapV2PoolOracle, type Oracle } from 'mandate/actors';
import type { ChainConnection, MandateRuntime } from 'mandate';

let redis: Redis | undefined;
/** One Redis connection for every cached source (only when REDIS_URL is set). */
function redisOf(url: string): Redis {
  redis ??= new Redis(url, { maxRetriesPerRequest: 2 });
  return redis;
}

/**
 * EUR/USD as the live example perceives it: the on-chain EURUSD feed (Chainlink AggregatorV3)
 * and the USDC/EURC pool's mid price, each cached in Redis for 2 s when `REDIS_URL` is set,
 * through the sanity layer — both fresh (1 h), inside 0.80–1.50, within 3% of each other.
 */
export function eurUsdPrices(chain: ChainConnection, runtime: MandateRuntime): SanePriceFeed {
  const c = chain.contracts;
  const provider = chain.provider();
  const url = process.env.REDIS_URL;
  const cache = (o: Oracle): Oracle => (url ? new CachedOracle(o, { redis: redisOf(url), ttlMs: 2_000 }) : o);
  const pool = c.pools['USDC/EURC']!;
  return new SanePriceFeed({
    sources: [
      cache(new ChainlinkOracle({ provider, feeds: { 'EUR/USD': c.feeds.EURUSD!.address } })),
      cache(
        new UniswapV2PoolOracle({
          provider,
          pairs: {
            'EUR/USD': {
              pool,
              base: { address: c.tokens.EURC!, decimals: 6 },
              quote: { address: c.tokens.USDC!, decimals: 6 },
            },
          },
        }),
      ),
    ],
    sanity: { 'EUR/USD': { maxAgeMs: 3_600_000, min: '0.8', max: '1.5', maxDeviationBps: 300, minSources: 2 } },
    now: () => new Date(runtime.clock.now()),
  });
}

/** Closes the shared Redis connection, if one was opened. */
export async function closePrices(): Promise<void> {
  await redis?.quit();
  redis = undefined;
}
