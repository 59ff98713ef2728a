/**
 * The perceiver contract for prices: every source (on-chain feed, HTTP API, bank FX feed)
 * implements {@link Oracle}; prices are fixed-point bigints with 18 decimals, never floats.
 */

/** Decimals of {@link PriceObservation.price}. */
export const PRICE_DECIMALS = 18;

/** One price from one source. */
export interface PriceObservation {
  /** `BASE/QUOTE`, e.g. `ETH/USD`, `EUR/USD`. */
  readonly pair: string;
  /** Units of QUOTE per one BASE, scaled by 10^18. */
  readonly price: bigint;
  /** When the source says the price was last updated. */
  readonly updatedAt: Date;
  /** Source name, e.g. `chainlink:0x…`, `coingecko`, `bank-fx`. */
  readonly source: string;
}

/** A price source. */
export interface Oracle {
  readonly name: string;
  /** Reads the latest price of `pair`; throws a coded oracle error when it cannot. */
  read(pair: string): Promise<PriceObservation>;
}
