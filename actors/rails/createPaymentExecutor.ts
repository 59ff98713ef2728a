/**
 * Builds the {@link PaymentExecutor} an actuator uses from the rails configured for it.
 */
import { UnsupportedIntentError } from './errors.ts';
import type { CryptoRail, FiatRail, PaymentExecutor, SwapRail } from './Rail.ts';

/**
 * The rails behind an executor; a missing one answers with `MANDATE_ERR_RAIL_UNSUPPORTED`.
 * `crypto` is one rail (the EVM one) or one per chain family, keyed by CAIP-2 namespace
 * (`eip155`, `solana`, …): `sendCrypto` routes by the namespace of the intent's `chain`
 * (`eip155` when it names none).
 */
export interface PaymentExecutorRails {
  readonly crypto?: CryptoRail | Readonly<Record<string, CryptoRail>>;
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
    sendCrypto: (intent, call = {}) => {
      const rail = cryptoRailFor(rails.crypto, intent);
      return rail ? rail.sendCrypto(intent, call) : missing(`crypto (${familyOf(intent)})`);
    },
    sendFiat: (intent, call = {}) => (rails.fiat ? rails.fiat.sendFiat(intent, call) : missing('fiat')),
    swapAssets: (intent, call = {}) => (rails.swap ? rails.swap.swapAssets(intent, call) : missing('swap')),
  };
}

/** The CAIP-2 namespace of an intent's `chain` (`eip155` when absent or unreadable). */
function familyOf(intent: unknown): string {
  const chain = (intent as { chain?: unknown } | null)?.chain;
  return typeof chain === 'string' && chain.includes(':') ? chain.slice(0, chain.indexOf(':')) : 'eip155';
}

function cryptoRailFor(crypto: PaymentExecutorRails['crypto'], intent: unknown): CryptoRail | undefined {
  if (crypto === undefined) return undefined;
  if (typeof (crypto as CryptoRail).sendCrypto === 'function')
    return familyOf(intent) === 'eip155' ? (crypto as CryptoRail) : undefined;
  return (crypto as Readonly<Record<string, CryptoRail>>)[familyOf(intent)];
}
