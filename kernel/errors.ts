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

/**
 * A write or signature for an agent carried a fencing token that is not the agent's current lease token
 * in `mandate_fence` (placement): the runtime's intents and snapshots, and the rails' intents, limit
 * reservations, signatures and broadcasts all refuse it with this one code; nothing was written or sent.
 */
export class FenceStaleError extends createError('MANDATE_ERR_FENCE_STALE', 'FenceStaleError') {}
