import { formatUnits } from 'ethers';
import { OracleDataError } from '../../actors/index.ts';
import type { PositionMetrics, RevaluedPosition } from './PositionMetrics.ts';

/** A price pushed to the runtime (`MandateRuntime.priceUpdate`): an oracle's observation, or one of your own. */
export interface PriceTick {
  /** `BASE/QUOTE` as declared in `RuntimeOptions.positionPrices`, e.g. `EUR/USD`. */
  readonly pair: string;
  /**
   * QUOTE per one BASE, above zero: a decimal string (`'1.0842'`) or number, or a bigint with 18
   * decimals (an oracle's `PriceObservation.price`).
   */
  readonly price: string | number | bigint;
  /** When the source set the price: a Date or milliseconds since the epoch. */
  readonly updatedAt: Date | number;
  /** Who says so (`chainlink:0x…`, `sane:EUR/USD`). */
  readonly source?: string;
}

/** A pair the runtime accepts price updates for (`RuntimeOptions.positionPrices`). */
export interface PositionPricePair {
  /** The asset positions hold that the pair's BASE prices (default: BASE itself), e.g. `EURC` for `EUR/USD`. */
  readonly base?: string;
  /** The position currency the pair's QUOTE is (default: QUOTE itself), e.g. `USDC`. */
  readonly quote?: string;
  /** The oldest price accepted, by the runtime's clock (default one hour). */
  readonly maxAgeMs?: number;
}

/** What an accepted price update did. */
export interface PriceRevaluation {
  readonly pair: string;
  /** QUOTE per BASE, decimal. */
  readonly price: string;
  /** ISO time the source set it. */
  readonly updatedAt: string;
  readonly source: string | undefined;
  /** The positions it re-valued (value, unrealized P&L, the holding's price), each with its agent. */
  readonly positions: RevaluedPosition[];
}

const DEFAULT_MAX_AGE_MS = 3_600_000;
/** How far ahead of the runtime's clock a source's timestamp may be (clock skew), not further. */
const MAX_AHEAD_MS = 60_000;
const DECIMAL = /^\d+(\.\d{1,18})?$/;

/**
 * Checks price updates and re-values the strategy positions they price: the pair must be declared,
 * the price a decimal above zero, the timestamp no older than the pair's `maxAgeMs`, not ahead of
 * the clock, and not older than the last price accepted for the pair. Anything else is refused
 * with `MANDATE_ERR_ORACLE_INVALID` naming what was wrong, before anything changes.
 */
export class PositionPrices {
  readonly #pairs: Readonly<Record<string, PositionPricePair>>;
  readonly #now: () => number;
  readonly #positions: PositionMetrics | undefined;
  /** The last accepted update of each pair. */
  readonly #last = new Map<string, { price: string; updatedAt: number }>();

  /** `positions` undefined (metrics off): updates are still checked and kept, with nothing to re-value. */
  constructor(options: {
    pairs: Readonly<Record<string, PositionPricePair>>;
    now: () => number;
    positions: PositionMetrics | undefined;
  }) {
    this.#pairs = options.pairs;
    this.#now = options.now;
    this.#positions = options.positions;
  }

  /** Checks `tick` and re-values the positions holding its base in its quote; throws `OracleDataError` otherwise. */
  update(tick: PriceTick): PriceRevaluation {
    const pair = this.#pair(tick);
    const rules = this.#pairs[pair]!;
    const price = priceOf(tick.price, pair);
    const updatedAt = this.#updatedAt(tick.updatedAt, pair, rules.maxAgeMs ?? DEFAULT_MAX_AGE_MS);
    if (tick.source !== undefined && typeof tick.source !== 'string')
      throw invalid(`the source of the ${pair} price update is not a string`, { pair, field: 'source' });
    this.#last.set(pair, { price, updatedAt });
    const [base, quote] = pair.split('/') as [string, string];
    const positions = this.#positions?.reprice(rules.base ?? base, rules.quote ?? quote, price) ?? [];
    return { pair, price, updatedAt: new Date(updatedAt).toISOString(), source: tick.source, positions };
  }

  #pair(tick: PriceTick): string {
    const pair = (tick as Partial<PriceTick> | null)?.pair;
    if (typeof pair !== 'string' || !/^[^/\s]+\/[^/\s]+$/.test(pair))
      throw invalid(`price update pair ${JSON.stringify(pair)} is not BASE/QUOTE (e.g. "EUR/USD")`, {
        field: 'pair',
      });
    if (!Object.hasOwn(this.#pairs, pair)) {
      const declared = Object.keys(this.#pairs);
      throw invalid(
        `price update for ${pair}, a pair no position is priced with here (declared: ${declared.join(', ') || 'none'}); declare it in RuntimeOptions.positionPrices`,
        { pair, field: 'pair', declared },
      );
    }
    return pair;
  }

  #updatedAt(at: Date | number, pair: string, maxAgeMs: number): number {
    const t = at instanceof Date ? at.getTime() : at;
    if (typeof t !== 'number' || !Number.isFinite(t))
      throw invalid(`the ${pair} price update has no valid timestamp (updatedAt ${String(at)})`, {
        pair,
        field: 'updatedAt',
      });
    const now = this.#now();
    const iso = new Date(t).toISOString();
    if (t > now + MAX_AHEAD_MS)
      throw invalid(`the ${pair} price is dated ${iso}, ${Math.round((t - now) / 1000)} s ahead of this node's clock`, {
        pair,
        field: 'updatedAt',
        updatedAt: iso,
      });
    if (now - t > maxAgeMs)
      throw invalid(
        `the ${pair} price is stale: set ${iso}, ${Math.round((now - t) / 1000)} s ago, above the ${maxAgeMs / 1000} s limit`,
        { pair, field: 'updatedAt', updatedAt: iso, maxAgeMs },
      );
    const last = this.#last.get(pair);
    if (last !== undefined && t < last.updatedAt)
      throw invalid(
        `the ${pair} price set ${iso} is older than the one already accepted (${new Date(last.updatedAt).toISOString()})`,
        { pair, field: 'updatedAt', updatedAt: iso, accepted: new Date(last.updatedAt).toISOString() },
      );
    return t;
  }
}

/** The price as a decimal string, or a refusal naming what is wrong with it. */
function priceOf(price: unknown, pair: string): string {
  let s: string | undefined;
  if (typeof price === 'bigint') s = formatUnits(price, 18);
  else if (typeof price === 'number') {
    if (!Number.isFinite(price))
      throw invalid(`the ${pair} price is ${price}, not a finite number`, { pair, field: 'price' });
    s = /e/i.test(String(price)) ? price.toFixed(18) : String(price);
    if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  } else if (typeof price === 'string') s = price.trim();
  if (s === undefined || !/^-?\d+(\.\d+)?$/.test(s))
    throw invalid(`the ${pair} price ${JSON.stringify(String(price))} is not a decimal number`, {
      pair,
      field: 'price',
    });
  if (s.startsWith('-')) throw invalid(`the ${pair} price ${s} is negative`, { pair, field: 'price', price: s });
  if (!DECIMAL.test(s))
    throw invalid(`the ${pair} price ${s} has more than 18 decimals`, { pair, field: 'price', price: s });
  if (!/[1-9]/.test(s)) throw invalid(`the ${pair} price is zero`, { pair, field: 'price', price: s });
  return s;
}

function invalid(message: string, details: Record<string, unknown>): OracleDataError {
  return new OracleDataError(`${message}; the update is refused, positions keep their values`, { details });
}
