import type { SanePrice } from 'mandate/actors';
import type { MandateRuntime } from 'mandate';
import { codeOf, ErrorCode } from 'mandate/kernel';

/**
 * What the live world does with each sane EUR/USD price it perceives: pushes it to the runtime
 * (`priceUpdate`), which re-values the strategist's EURC in its pool share and the position
 * metrics at once, as of the oldest source the median came from. A price older than one already
 * pushed is skipped (reads that overlap finish out of order). A refused update is an alert, not a
 * failed perception: the price itself passed the sanity rules.
 */
export function positionRepricer(runtime: Pick<MandateRuntime, 'priceUpdate' | 'alert'>): (sane: SanePrice) => void {
  let pricedAt = 0;
  return (sane) => {
    const updatedAt = Math.min(...sane.observations.map((o) => o.updatedAt.getTime()));
    if (updatedAt < pricedAt) return;
    pricedAt = updatedAt;
    const source = `sane:${sane.observations.map((o) => o.source).join('+')}`;
    try {
      runtime.priceUpdate({ pair: sane.pair, price: sane.price, updatedAt, source });
    } catch (error) {
      runtime.alert({
        severity: 'warning',
        code: codeOf(error, ErrorCode.MANDATE_ERR_ORACLE_INVALID),
        message: `positions not re-valued at the ${sane.pair} price: ${(error as Error).message}`,
      });
    }
  };
}
