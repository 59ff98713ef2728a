/**
 * The kernel's own errors: failures of the shared primitives, whichever layer hits them.
 */
import { createError } from './createError.ts';

/** A value cannot be encoded as canonical JSON (RFC 8785): NaN, Infinity, lone surrogates, undefined in an array, non-plain objects. */
export class CanonicalJsonError extends createError('MANDATE_ERR_CANONICAL_JSON', 'CanonicalJsonError') {}

/**
 * An idempotency key was reused with different parameters: one key names one effect. The runtime's
 * intent log (the approved action) and the rails' ledger (the payment itself) both refuse it with
 * this one code.
 */
export class IdempotencyConflictError extends createError(
  'MANDATE_ERR_IDEMPOTENCY_CONFLICT',
  'IdempotencyConflictError',
) {}
