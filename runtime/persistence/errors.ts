import { MandateError } from '../../kernel/index.ts';

type Options = ErrorOptions & { details?: Record<string, unknown> };

/** The database cannot be reached (at start, or still down after the store's retries). Nothing was half-written. */
export class StoreUnavailableError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_STORE_UNAVAILABLE', message, { ...options, status: 503 });
    this.name = 'StoreUnavailableError';
  }
}

/** The embedded database directory is held by another live process. */
export class StoreLockedError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_STORE_LOCKED', message, { ...options, status: 409 });
    this.name = 'StoreLockedError';
  }
}

/** The database schema is not the one this version of Mandate expects (newer migrations, or tables missing). */
export class StoreSchemaError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_STORE_SCHEMA', message, { ...options, status: 500 });
    this.name = 'StoreSchemaError';
  }
}

/** The store's configuration is invalid (database URL, data directory, secret key). */
export class StoreConfigError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_STORE_CONFIG', message, { ...options, status: 400 });
    this.name = 'StoreConfigError';
  }
}

/** A row given to the store failed validation; nothing was written. */
export class StoreInputError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_STORE_INPUT', message, { ...options, status: 400 });
    this.name = 'StoreInputError';
  }
}

/** A persisted snapshot does not parse; the agent is left out of the restore and reported. */
export class SnapshotCorruptError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_STORE_SNAPSHOT_CORRUPT', message, { ...options, status: 500 });
    this.name = 'SnapshotCorruptError';
  }
}

/** `updateIntent` was called for a key that was never begun. */
export class IntentUnknownError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_STORE_INTENT_UNKNOWN', message, { ...options, status: 404 });
    this.name = 'IntentUnknownError';
  }
}

/** A value sealed at rest cannot be opened: wrong `MANDATE_SECRET_KEY`, or the ciphertext was altered. */
export class SecretUnsealError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_STORE_SECRET', message, { ...options, status: 500 });
    this.name = 'SecretUnsealError';
  }
}

/** The store was used after `close()` or before `open()`. */
export class StoreClosedError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_STORE_CLOSED', message, { ...options, status: 503 });
    this.name = 'StoreClosedError';
  }
}
