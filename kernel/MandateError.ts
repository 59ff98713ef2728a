import { ERROR_CODES, type ErrorCode } from './errorCodes.ts';

/** What every Mandate error takes besides its message: the `cause`, and structured `details`. */
export interface MandateErrorOptions extends ErrorOptions {
  /** Structured details (field paths, offending values) for logs and API bodies. */
  details?: Record<string, unknown>;
}

/**
 * The base error of every Mandate package.
 *
 * Every error carries a stable `code` from the code table (`ERROR_CODES`, listed in
 * docs/errors.md) and the HTTP `status` the table gives that code. Messages say what failed,
 * quote the value, and say how to fix it. Folders declare their classes with `createError`.
 */
export class MandateError<C extends ErrorCode = ErrorCode> extends Error {
  /** Stable machine-readable code, e.g. `MANDATE_ERR_AGENT_DEFINITION`. */
  readonly code: C;
  /** HTTP status the gateway answers with when this error reaches it: the table's, 500 for a code without one. */
  readonly status: number;
  /** Structured details (field paths, offending values) for logs and API bodies. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: C, message: string, options: MandateErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MandateError';
    this.code = code;
    this.status = ERROR_CODES[code].status ?? 500;
    this.details = options.details;
  }

  /** A JSON-safe view for API bodies and logs. */
  toJSON(): { code: C; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/**
 * Narrows a caught value to a `MandateError` with a table code (`instanceof` alone types the code
 * as `any`, since the class is generic).
 *
 * @example
 * if (isMandateError(error) && REFUSALS.has(error.code)) return error;
 */
export function isMandateError(error: unknown): error is MandateError {
  return error instanceof MandateError;
}
