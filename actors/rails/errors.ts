/**
 * Errors of the payment rails. Each has a stable code listed in docs/errors.md.
 */
import { MandateError } from '../../kernel/index.ts';

type Opts = ErrorOptions & { details?: Record<string, unknown> };

/** A payment intent failed validation; nothing was recorded or sent. */
export class InvalidIntentError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_RAIL_INTENT_INVALID', message, { ...options, status: 400 });
    this.name = 'InvalidIntentError';
  }
}

/** The network's fees are above the configured cap, so the payment was not signed. */
export class FeeCapExceededError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_RAIL_FEE_CAP', message, { ...options, status: 422 });
    this.name = 'FeeCapExceededError';
  }
}

/** The node rejected a signed transaction for a reason other than "already known". */
export class BroadcastError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_RAIL_BROADCAST', message, { ...options, status: 502 });
    this.name = 'BroadcastError';
  }
}

/** No rail or asset is configured for what the intent asks. */
export class UnsupportedIntentError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_RAIL_UNSUPPORTED', message, { ...options, status: 422 });
    this.name = 'UnsupportedIntentError';
  }
}

/** No payment intent is recorded under the given idempotency key. */
export class IntentNotFoundError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_RAIL_INTENT_NOT_FOUND', message, { ...options, status: 404 });
    this.name = 'IntentNotFoundError';
  }
}

/** A stuck transaction cannot be replaced within the fee cap, or the intent is already final. */
export class ReplacementError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_RAIL_REPLACEMENT', message, { ...options, status: 409 });
    this.name = 'ReplacementError';
  }
}

/** The transfer would revert on chain (simulated before signing), e.g. insufficient token balance. */
export class PreflightError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_RAIL_PREFLIGHT', message, { ...options, status: 422 });
    this.name = 'PreflightError';
  }
}

/** The quoted slippage (price impact) of a swap is above the agent's bound; nothing was signed. */
export class SlippageExceededError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_SWAP_SLIPPAGE', message, { ...options, status: 422 });
    this.name = 'SlippageExceededError';
  }
}

/** A swap quote (AMM reserves or aggregator API answer) is malformed or fails a safety check. */
export class SwapQuoteError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_SWAP_QUOTE', message, { ...options, status: 502 });
    this.name = 'SwapQuoteError';
  }
}
