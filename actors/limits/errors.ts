/**
 * Errors of the spending limits. Each has a stable code listed in docs/errors.md.
 */
import { createError } from '../../kernel/index.ts';

/** A payment would take a budget past one of its limits; nothing was reserved. */
export class LimitExceededError extends createError('MANDATE_ERR_LIMIT_EXCEEDED', 'LimitExceededError') {}

/** A spending-limit rule is malformed (unknown asset, bad amount, missing asset for a native limit). */
export class LimitConfigError extends createError('MANDATE_ERR_LIMIT_CONFIG', 'LimitConfigError') {}
