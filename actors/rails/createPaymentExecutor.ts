/**
 * Builds the {@link PaymentExecutor} an actuator uses from the rails configured for it.
 */
import { UnsupportedIntentError } from './errors.ts';
import type { CryptoRail, FiatRail, PaymentExecutor, SwapRail } from './Rail.ts';

/** The rails behind an executor; a missing one answers with `MANDATE_ERR_RAIL_UNSUPPORTED`. */
export interface PaymentExecutorRails {
  readonly crypto?: CryptoRail;
  readonly fiat?: FiatRail;
  readonly swap?: SwapRail;
}

const missing = (what: string): Promise<never> =>
  Promise.reject(
    new UnsupportedIntentError(`no ${what} rail is configured for this agent; add one to its wallet configuration`),
  );

/**
 * Routes each operation to its rail.
 * @example const pay = createPaymentExecutor({ crypto: await EvmRail.create(opts), fiat: new OpenBankingRail(bankOpts) });
 */
export function createPaymentExecutor(rails: PaymentExecutorRails): PaymentExecutor {
  return {
    sendCrypto: (intent) => (rails.crypto ? rails.crypto.sendCrypto(intent) : missing('crypto')),
    sendFiat: (intent) => (rails.fiat ? rails.fiat.sendFiat(intent) : missing('fiat')),
    swapAssets: (intent) => (rails.swap ? rails.swap.swapAssets(intent) : missing('swap')),
  };
}
