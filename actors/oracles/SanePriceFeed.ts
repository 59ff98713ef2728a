/**
 * Combines several oracles into one sane price: each observation must be fresh and inside
 * plausible bounds; the answer is the median of the survivors, which must number at least
 * `minSources`; and sources further than `maxDeviationBps` from the median are an error, not
 * silently dropped, because disagreement is exactly what an agent must not act through.
 */
import { parseUnits } from 'ethers';
import { codeOf, ErrorCode } from '../../kernel/index.ts';
import { OracleBoundsError, OracleDeviationError, OracleStaleError, OracleUnavailableError } from './errors.ts';
import { PRICE_DECIMALS, type Oracle, type PriceObservation } from './Oracle.ts';

/** Sanity rules for one pair. Bounds are decimal strings in QUOTE per BASE. */
export interface PriceSanity {
  readonly maxAgeMs: number;
  readonly min: string;
  readonly max: string;
  readonly maxDeviationBps: number;
  readonly minSources: number;
}

/** Options of {@link SanePriceFeed}. */
export interface SanePriceFeedOptions {
  readonly sources: readonly Oracle[];
  readonly sanity: Readonly<Record<string, PriceSanity>>;
  readonly now?: () => Date;
  /**
   * Told of every sane price `read` returns, before it returns it: e.g. to push it to
   * `MandateRuntime.priceUpdate`, which re-values the positions it prices. A throw fails the read.
   */
  readonly onPrice?: (price: SanePrice) => void;
}

/** The checked result. */
export interface SanePrice {
  readonly pair: string;
  /** Median price, 18 decimals. */
  readonly price: bigint;
  readonly observations: readonly PriceObservation[];
  /** Sources that failed, with their error codes (they did not count). */
  readonly rejected: readonly { readonly source: string; readonly code: ErrorCode; readonly message: string }[];
}

/** Median of bigints (mean of the two middle values for an even count). */
export function medianOf(values: readonly bigint[]): bigint {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2n;
}

/** An oracle-of-oracles with staleness, bounds, deviation and median checks. */
export class SanePriceFeed {
  readonly #o: SanePriceFeedOptions;

  constructor(options: SanePriceFeedOptions) {
    this.#o = options;
  }

  /** Reads every source for `pair` and returns the sane median, or throws a coded oracle error. */
  async read(pair: string): Promise<SanePrice> {
    const rules = this.#o.sanity[pair];
    if (rules === undefined)
      throw new OracleUnavailableError(
        `no sanity rules configured for "${pair}"; add maxAgeMs, min, max, maxDeviationBps and minSources`,
      );
    const now = (this.#o.now ?? (() => new Date()))().getTime();
    const min = parseUnits(rules.min, PRICE_DECIMALS);
    const max = parseUnits(rules.max, PRICE_DECIMALS);
    const results = await Promise.allSettled(this.#o.sources.map((s) => s.read(pair)));
    const observations: PriceObservation[] = [];
    const rejected: { source: string; code: ErrorCode; message: string }[] = [];
    results.forEach((r, i) => {
      const source = this.#o.sources[i]!.name;
      if (r.status === 'rejected') {
        rejected.push({
          source,
          code: codeOf(r.reason, ErrorCode.MANDATE_ERR_ORACLE_UNAVAILABLE),
          message: (r.reason as { message?: string } | undefined)?.message ?? String(r.reason),
        });
        return;
      }
      const o = r.value;
      const age = now - o.updatedAt.getTime();
      if (age > rules.maxAgeMs) {
        const e = new OracleStaleError(
          `${o.source} ${pair} price is ${Math.round(age / 1000)} s old, above the ${rules.maxAgeMs / 1000} s limit; the source lags, check it or raise maxAgeMs`,
        );
        rejected.push({ source, code: e.code, message: e.message });
      } else if (o.price < min || o.price > max) {
        const e = new OracleBoundsError(
          `${o.source} ${pair} price ${o.price} (1e-18 units) is outside [${rules.min}, ${rules.max}]; check the source, or widen min/max if the market really moved`,
        );
        rejected.push({ source, code: e.code, message: e.message });
      } else {
        observations.push(o);
      }
    });
    if (observations.length < rules.minSources) {
      throw new OracleUnavailableError(
        `only ${observations.length} sane source(s) for ${pair}, ${rules.minSources} required; rejected: ${rejected.map((r) => `${r.source} (${r.code})`).join(', ') || 'none'}`,
        {
          details: { pair, rejected },
        },
      );
    }
    const median = medianOf(observations.map((o) => o.price));
    for (const o of observations) {
      const diff = o.price > median ? o.price - median : median - o.price;
      if (diff * 10_000n > median * BigInt(rules.maxDeviationBps)) {
        throw new OracleDeviationError(
          `${o.source} ${pair} price ${o.price} deviates ${(diff * 10_000n) / median} bps from the median ${median}, above ${rules.maxDeviationBps} bps; investigate the sources before acting`,
          {
            details: { pair, source: o.source, price: o.price.toString(), median: median.toString() },
          },
        );
      }
    }
    const sane = { pair, price: median, observations, rejected };
    this.#o.onPrice?.(sane);
    return sane;
  }
}
