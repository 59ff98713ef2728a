/**
 * The kernel: the one copy of each primitive every other folder shares. It imports nothing of
 * Mandate's own; every folder may import it.
 */
export { canonicalJson, canonicalJsonBytes } from './canonicalJson.ts';
export { systemClock } from './Clock.ts';
export { codeOf } from './codeOf.ts';
export { createError } from './createError.ts';
export { compareDecimals, DECIMAL_PATTERN } from './decimal.ts';
export { ERROR_CODES, ErrorCode, isErrorCode } from './errorCodes.ts';
export { CanonicalJsonError, FenceStaleError, IdempotencyConflictError } from './errors.ts';
export { isMandateError, MandateError } from './MandateError.ts';
export { parseOrThrow } from './parseOrThrow.ts';
export { formatTraceparent, parseTraceparent } from './traceparent.ts';
export { MAX_JSON_DEPTH, storableText, unstorableJson, unstorableTextReason } from './storableText.ts';

export type { Clock } from './Clock.ts';
export type { MandateErrorOptions } from './MandateError.ts';
export type { CodedErrorClass, ParseOrThrowOptions } from './parseOrThrow.ts';
export type { Principal } from './Principal.ts';
export type { TraceParent } from './traceparent.ts';
