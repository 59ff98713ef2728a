/** Price oracles (perceivers): on-chain feeds, HTTP price APIs and bank FX, checked for sanity. */
export { PRICE_DECIMALS } from './Oracle.ts';
export type { Oracle, PriceObservation } from './Oracle.ts';
export { ChainlinkOracle } from './ChainlinkOracle.ts';
export type { ChainlinkOracleOptions } from './ChainlinkOracle.ts';
export { HttpPriceOracle } from './HttpPriceOracle.ts';
export type { HttpPriceOracleOptions } from './HttpPriceOracle.ts';
export { BankFxOracle } from './BankFxOracle.ts';
export type { BankFxOracleOptions } from './BankFxOracle.ts';
export { SanePriceFeed, medianOf } from './SanePriceFeed.ts';
export type { SanePriceFeedOptions, PriceSanity, SanePrice } from './SanePriceFeed.ts';
export { CachedOracle } from './CachedOracle.ts';
export { UniswapV2PoolOracle } from './UniswapV2PoolOracle.ts';
export type { PoolPair, UniswapV2PoolOracleOptions } from './UniswapV2PoolOracle.ts';
export type { CachedOracleOptions } from './CachedOracle.ts';
export { decimalToScaled } from './decimalToScaled.ts';
export {
  OracleDataError,
  OracleStaleError,
  OracleBoundsError,
  OracleDeviationError,
  OracleUnavailableError,
} from './errors.ts';
