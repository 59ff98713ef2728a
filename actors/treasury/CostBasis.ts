import { formatUnits } from 'ethers';
import type { Amount, PositionHolding, PositionValue } from '../../machines/index.ts';

/**
 * The average-cost basis of one position, in base units of the currency it is valued in: units
 * (vault shares, LP tokens) come in at a cost and go out at proceeds; what goes out takes its
 * proportional share of the cost with it, and the difference is realized profit or loss.
 *
 * @example
 * const b = new CostBasis();
 * b.add(100n, 1_000n);
 * b.remove(50n, 600n, '0xabc'); // realizes 600 − 500 = 100
 */
export class CostBasis {
  #units = 0n;
  #cost = 0n;
  #realized = 0n;
  readonly #realizedByTx = new Map<string, bigint>();

  /** Units held by the ledger (those bought or minted, less those sold or burned). */
  get units(): bigint {
    return this.#units;
  }

  /** Cost of the units held. */
  get cost(): bigint {
    return this.#cost;
  }

  /** Profit (above 0) or loss realized by every removal so far. */
  get realized(): bigint {
    return this.#realized;
  }

  /** `units` came in at `cost`. */
  add(units: bigint, cost: bigint): void {
    this.#units += units;
    this.#cost += cost;
  }

  /** `units` went out for `proceeds` in transaction `tx`: returns the profit or loss realized. */
  remove(units: bigint, proceeds: bigint, tx: string): bigint {
    const out = units > this.#units ? this.#units : units;
    const removed = this.#units === 0n ? 0n : (this.#cost * out) / this.#units;
    this.#units -= out;
    this.#cost -= removed;
    const realized = proceeds - removed;
    this.#realized += realized;
    const key = tx.toLowerCase();
    this.#realizedByTx.set(key, (this.#realizedByTx.get(key) ?? 0n) + realized);
    return realized;
  }

  /** What the removals of transaction `tx` realized, in `currency`, or undefined when it removed nothing. */
  realizedIn(tx: string, currency: { symbol: string; decimals: number }): Amount | undefined {
    const v = this.#realizedByTx.get(tx.toLowerCase());
    return v === undefined ? undefined : { value: formatUnits(v, currency.decimals), asset: currency.symbol };
  }

  /**
   * The position's valuation given what it is worth now (`held.value`, base units with the
   * currency's `decimals`) and what it holds (`held.holdings`, each asset at its price).
   */
  valuation(
    position: string,
    currency: { symbol: string; decimals: number },
    held: { value: bigint; holdings: PositionHolding[] },
  ): PositionValue {
    const f = (v: bigint) => formatUnits(v, currency.decimals);
    return {
      position,
      currency: currency.symbol,
      value: f(held.value),
      costBasis: f(this.#cost),
      unrealizedPnl: f(held.value - this.#cost),
      realizedPnl: f(this.#realized),
      holdings: held.holdings,
    };
  }
}
