/**
 * The base error of every Mandate package.
 *
 * Every error carries a stable `code` (listed in docs/errors.md) and, where the
 * gateway returns it, an HTTP `status`. Messages say what failed, quote the
 * value, and say how to fix it.
 */
export class MandateError extends Error {
  /** Stable machine-readable code, e.g. `MANDATE_ERR_AGENT_DEFINITION`. */
  readonly code: string;
  /** HTTP status the gateway answers with when this error reaches it. */
  readonly status: number;
  /** Structured details (field paths, offending values) for logs and API bodies. */
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    options: ErrorOptions & { status?: number; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MandateError';
    this.code = code;
    this.status = options.status ?? 500;
    this.details = options.details;
  }

  /** A JSON-safe view for API bodies and logs. */
  toJSON(): { code: string; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}
