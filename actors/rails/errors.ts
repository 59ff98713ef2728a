/**
 * Errors of the payment rails. Each has a stable code listed in docs/errors.md.
 */
import { createError } from '../../kernel/index.ts';

/** A recorded fiat payment's creditor pseudonym cannot be opened (erased subject, or no vault given to the rail). */
export class PayeeVaultError extends createError('MANDATE_ERR_RAIL_PAYEE_VAULT', 'PayeeVaultError') {}

/** A payment intent failed validation; nothing was recorded or sent. */
export class InvalidIntentError extends createError('MANDATE_ERR_RAIL_INTENT_INVALID', 'InvalidIntentError') {}

/** The network's fees are above the configured cap, so the payment was not signed. */
export class FeeCapExceededError extends createError('MANDATE_ERR_RAIL_FEE_CAP', 'FeeCapExceededError') {}

/** The node rejected a signed transaction for a reason other than "already known". */
export class BroadcastError extends createError('MANDATE_ERR_RAIL_BROADCAST', 'BroadcastError') {}

/** No rail or asset is configured for what the intent asks. */
export class UnsupportedIntentError extends createError('MANDATE_ERR_RAIL_UNSUPPORTED', 'UnsupportedIntentError') {}

/** No payment intent is recorded under the given idempotency key. */
export class IntentNotFoundError extends createError('MANDATE_ERR_RAIL_INTENT_NOT_FOUND', 'IntentNotFoundError') {}

/** A stuck transaction cannot be replaced within the fee cap, or the intent is already final. */
export class ReplacementError extends createError('MANDATE_ERR_RAIL_REPLACEMENT', 'ReplacementError') {}

/** The transfer would revert on chain (simulated before signing), e.g. insufficient token balance. */
export class PreflightError extends createError('MANDATE_ERR_RAIL_PREFLIGHT', 'PreflightError') {}

/** The quoted slippage (price impact) of a swap is above the agent's bound; nothing was signed. */
export class SlippageExceededError extends createError('MANDATE_ERR_SWAP_SLIPPAGE', 'SlippageExceededError') {}

/** A swap quote (AMM reserves or aggregator API answer) is malformed or fails a safety check. */
export class SwapQuoteError extends createError('MANDATE_ERR_SWAP_QUOTE', 'SwapQuoteError') {}
