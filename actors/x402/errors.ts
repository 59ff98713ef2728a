/**
 * Errors of x402 payments. Each has a stable code listed in docs/errors.md ("x402 payments").
 */
import { createError } from '../../kernel/index.ts';

/** A 402 answer without usable payment requirements. */
export class X402RequirementsError extends createError('MANDATE_ERR_X402_REQUIREMENTS', 'X402RequirementsError') {}

/** A paid request without an answer while the authorization is unused on chain: retried with the same authorization. */
export class X402SettlementUnknownError extends createError(
  'MANDATE_ERR_X402_SETTLEMENT_UNKNOWN',
  'X402SettlementUnknownError',
) {}

/** An x402 actuator that cannot pay live (built without authorizations, or for dry-run and asked to pay): nothing was signed. */
export class X402NotLiveError extends createError('MANDATE_ERR_X402_NOT_LIVE', 'X402NotLiveError') {}

/** A sold capability asked for without a payment that matches its offer and verifies. */
export class X402PaymentRequiredError extends createError(
  'MANDATE_ERR_X402_PAYMENT_REQUIRED',
  'X402PaymentRequiredError',
) {}

/** A paid request whose governed task was denied, rejected or failed; nothing settled. */
export class X402SaleRefusedError extends createError('MANDATE_ERR_X402_SALE_REFUSED', 'X402SaleRefusedError') {}

/** The facilitator refused to settle a sale whose task ran; the result is kept for a retry. */
export class X402SettleFailedError extends createError('MANDATE_ERR_X402_SETTLE_FAILED', 'X402SettleFailedError') {}

/** The facilitator did not answer verify or settle in time. */
export class X402FacilitatorUnavailableError extends createError(
  'MANDATE_ERR_X402_FACILITATOR_UNAVAILABLE',
  'X402FacilitatorUnavailableError',
) {}

/** The sale of this authorization is under way elsewhere or was interrupted mid-task. */
export class X402SaleInProgressError extends createError(
  'MANDATE_ERR_X402_SALE_IN_PROGRESS',
  'X402SaleInProgressError',
) {}

/** A sale interrupted by a crash mid-task that is not resumed by itself (`x402SaleRecovery.ts`): an operator resolves it. */
export class X402SaleInterruptedError extends createError(
  'MANDATE_ERR_X402_SALE_INTERRUPTED',
  'X402SaleInterruptedError',
) {}

/** A delivered sale whose authorization passed `validBefore` unsettled: it can never settle; nothing was charged. */
export class X402SaleExpiredError extends createError('MANDATE_ERR_X402_SALE_EXPIRED', 'X402SaleExpiredError') {}

/** The chain did not answer `authorizationState` while a delivered sale was settled: nothing changed, tried again later. */
export class X402ChainUnavailableError extends createError(
  'MANDATE_ERR_X402_CHAIN_UNAVAILABLE',
  'X402ChainUnavailableError',
) {}
