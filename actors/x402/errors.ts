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
