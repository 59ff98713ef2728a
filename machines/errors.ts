/**
 * The base error of every Mandate package, and the machine layer's own errors.
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

/** An event of the wrong shape was sent to an agent or supervisor actor. */
export class InvalidEventError extends MandateError {
  constructor(message: string, options: ErrorOptions & { details?: Record<string, unknown> } = {}) {
    super('MANDATE_ERR_EVENT_INVALID', message, { ...options, status: 400 });
    this.name = 'InvalidEventError';
  }
}
