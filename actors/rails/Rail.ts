/**
 * The one execution interface actuators call, whatever moves the money. Each method takes an
 * intent with an idempotency key and returns a normalized {@link PaymentReceipt}; the same key
 * again returns the first result, the same key with other parameters is an error.
 */
import type { PaymentReceipt } from './PaymentReceipt.ts';

/** A rail that moves crypto (implemented by `EvmRail`). */
export interface CryptoRail {
  sendCrypto(intent: unknown): Promise<PaymentReceipt>;
}

/** A rail that initiates fiat credit transfers (implemented by `OpenBankingRail`). */
export interface FiatRail {
  sendFiat(intent: unknown): Promise<PaymentReceipt>;
}

/** A rail that swaps assets (implemented by `UniswapV2SwapRail`). */
export interface SwapRail {
  swapAssets(intent: unknown): Promise<PaymentReceipt>;
}

/** What an actuator holds: all three operations. */
export interface PaymentExecutor extends CryptoRail, FiatRail, SwapRail {}
