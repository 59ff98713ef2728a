import { ChainlinkOracle, SanePriceFeed, UniswapV2PoolOracle, type Oracle } from 'mandate/actors';
import type { ChainConnection, MandateRuntime } from 'mandate';
import type { LiveCaches } from './LiveCaches.ts';
import { positionRepricer } from './positionRepricer.ts';

/** How old an EUR/USD price may be: the sanity rules' limit, and the runtime's for re-valuing positions. */
export const EUR_USD_MAX_AGE_MS = 3_600_000;

/**
 * EUR/USD as the live example perceives it: the on-chain EURUSD feed (Chainlink AggregatorV3)
 * and the USDC/EURC pool's mid price, each cached for 2 s in the caches the CLI hands over (Redis with `REDIS_URL`),
 * through the sanity layer — both fresh (1 h), inside 0.80–1.50, within 3% of each other. Every
 * sane price re-values the strategist's pool share (`positionRepricer`).
 */
export function eurUsdPrices(chain: ChainConnection, runtime: MandateRuntime, caches: LiveCaches = {}): SanePriceFeed {
  const c = chain.contracts;
  const provider = chain.provider();
  const cache = (o: Oracle): Oracle => caches.oracle?.(o, 2_000) ?? o;
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
    sanity: {
      'EUR/USD': { maxAgeMs: EUR_USD_MAX_AGE_MS, min: '0.8', max: '1.5', maxDeviationBps: 300, minSources: 2 },
    },
    now: () => new Date(runtime.clock.now()),
    onPrice: positionRepricer(runtime),
  });
}
