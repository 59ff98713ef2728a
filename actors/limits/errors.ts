/**
 * Errors of the spending limits. Each has a stable code listed in docs/errors.md.
 */
import { MandateError } from '../../kernel/index.ts';

type Opts = ErrorOptions & { details?: Record<string, unknown> };

/** A payment would take a budget past one of its limits; nothing was reserved. */
export class LimitExceededError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_LIMIT_EXCEEDED', message, { ...options, status: 403 });
    this.name = 'LimitExceededError';
  }
}

/** A spending-limit rule is malformed (unknown asset, bad amount, missing asset for a native limit). */
export class LimitConfigError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_LIMIT_CONFIG', message, { ...options, status: 400 });
    this.name = 'LimitConfigError';
  }
}
