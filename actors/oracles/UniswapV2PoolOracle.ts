/**
 * The mid price of a Uniswap V2 pool as a second price source beside a Chainlink feed: the ratio
 * of the pair's reserves, dated by the block of its last trade (`getReserves().blockTimestampLast`),
 * so a pool nobody trades goes stale like any other source. A DEX mid price can be pushed by one
 * trade; that is why {@link SanePriceFeed} compares it against the feed rather than trusting it.
 */
import { Interface, type JsonRpcApiProvider } from 'ethers';
import { OracleDataError, OracleUnavailableError } from './errors.ts';
import { PRICE_DECIMALS, type Oracle, type PriceObservation } from './Oracle.ts';

const PAIR = new Interface([
  'function getReserves() view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast)',
  'function token0() view returns (address)',
]);

/** One priced pair: `BASE/QUOTE` → the pool and the two tokens with their decimals. */
export interface PoolPair {
  readonly pool: string;
  readonly base: { readonly address: string; readonly decimals: number };
  readonly quote: { readonly address: string; readonly decimals: number };
}

/** Options of {@link UniswapV2PoolOracle}. */
export interface UniswapV2PoolOracleOptions {
  readonly provider: JsonRpcApiProvider;
  /** Pools by pair, e.g. `{ 'EUR/USD': { pool, base: EURC, quote: USDC } }`. */
  readonly pairs: Readonly<Record<string, PoolPair>>;
}

/** An {@link Oracle} over Uniswap V2 pool reserves. */
export class UniswapV2PoolOracle implements Oracle {
  readonly name = 'uniswap-v2';
  readonly #o: UniswapV2PoolOracleOptions;

  constructor(options: UniswapV2PoolOracleOptions) {
    this.#o = options;
  }

  async read(pair: string): Promise<PriceObservation> {
    const p = this.#o.pairs[pair];
    if (p === undefined)
      throw new OracleUnavailableError(`no Uniswap V2 pool configured for "${pair}"; add it to pairs`);
    let reserves: [bigint, bigint, bigint];
    let token0: string;
    try {
      const [r, t] = await Promise.all([this.#call(p.pool, 'getReserves'), this.#call(p.pool, 'token0')]);
      reserves = [r[0] as bigint, r[1] as bigint, r[2] as bigint];
      token0 = String(t[0]);
    } catch (cause) {
      throw new OracleUnavailableError(
        `Uniswap V2 pool ${p.pool} (${pair}) could not be read: ${(cause as Error).message.slice(0, 200)}`,
        { cause },
      );
    }
    const baseIs0 = token0.toLowerCase() === p.base.address.toLowerCase();
    const [reserveBase, reserveQuote] = baseIs0 ? [reserves[0], reserves[1]] : [reserves[1], reserves[0]];
    if (reserveBase === 0n || reserveQuote === 0n || reserves[2] === 0n)
      throw new OracleDataError(`Uniswap V2 pool ${p.pool} (${pair}) has no liquidity or has never traded`);
    // quote per base, 18 decimals: (rq / 10^dq) / (rb / 10^db)
    const price =
      (reserveQuote * 10n ** BigInt(PRICE_DECIMALS + p.base.decimals)) /
      (reserveBase * 10n ** BigInt(p.quote.decimals));
    return { pair, price, updatedAt: new Date(Number(reserves[2]) * 1000), source: `uniswap-v2:${p.pool}` };
  }

  async #call(to: string, fn: 'getReserves' | 'token0') {
    return PAIR.decodeFunctionResult(
      fn,
      (await this.#o.provider.send('eth_call', [{ to, data: PAIR.encodeFunctionData(fn, []) }, 'latest'])) as string,
    );
  }
}
