/**
 * The one execution interface actuators call, whatever moves the money. Each method takes an
 * intent with an idempotency key and returns a normalized {@link PaymentReceipt}; the same key
 * again returns the first result, the same key with other parameters is an error.
 */
import type { PaymentReceipt } from './PaymentReceipt.ts';

/**
 * How a call is made: `fence` is the fencing token of the placement lease the calling node holds the
 * paying agent under. A fenced rail (EVM, Solana or Open Banking with `fenced: true`) refuses a token that is not the
 * agent's current one with `MANDATE_ERR_FENCE_STALE`; a rail that keeps no lease state ignores it.
 */
export interface RailCall {
  readonly fence?: number | undefined;
}

/** A rail that moves crypto (implemented by `EvmRail`). */
export interface CryptoRail {
  sendCrypto(intent: unknown, call?: RailCall): Promise<PaymentReceipt>;
}

/** A rail that initiates fiat credit transfers (implemented by `OpenBankingRail`). */
export interface FiatRail {
  sendFiat(intent: unknown, call?: RailCall): Promise<PaymentReceipt>;
}

/** A rail that swaps assets (implemented by `UniswapV2SwapRail`). */
export interface SwapRail {
  swapAssets(intent: unknown, call?: RailCall): Promise<PaymentReceipt>;
}

/** What an actuator holds: all three operations. */
export interface PaymentExecutor extends CryptoRail, FiatRail, SwapRail {}
