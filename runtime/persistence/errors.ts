import { createError } from '../../kernel/index.ts';

/** The database cannot be reached (at start, or still down after the store's retries). Nothing was half-written. */
export class StoreUnavailableError extends createError('MANDATE_ERR_STORE_UNAVAILABLE', 'StoreUnavailableError') {}

/** The embedded database directory is held by another live process. */
export class StoreLockedError extends createError('MANDATE_ERR_STORE_LOCKED', 'StoreLockedError') {}

/** The database schema is not the one this version of Mandate expects (newer migrations, or tables missing). */
export class StoreSchemaError extends createError('MANDATE_ERR_STORE_SCHEMA', 'StoreSchemaError') {}

/** The store's configuration is invalid (database URL, data directory, secret key). */
export class StoreConfigError extends createError('MANDATE_ERR_STORE_CONFIG', 'StoreConfigError') {}

/** A row given to the store failed validation; nothing was written. */
export class StoreInputError extends createError('MANDATE_ERR_STORE_INPUT', 'StoreInputError') {}

/** A persisted snapshot does not parse; the agent is left out of the restore and reported. */
export class SnapshotCorruptError extends createError('MANDATE_ERR_STORE_SNAPSHOT_CORRUPT', 'SnapshotCorruptError') {}

/** `updateIntent` was called for a key that was never begun. */
export class IntentUnknownError extends createError('MANDATE_ERR_STORE_INTENT_UNKNOWN', 'IntentUnknownError') {}

/** A value sealed at rest cannot be opened: wrong `MANDATE_SECRET_KEY`, or the ciphertext was altered. */
export class SecretUnsealError extends createError('MANDATE_ERR_STORE_SECRET', 'SecretUnsealError') {}

/** A secret file or the data directory is open to group or others; nothing was started. */
export class FileModeError extends createError('MANDATE_ERR_STORE_FILE_MODE', 'FileModeError') {}

/** The store was used after `close()` or before `open()`. */
export class StoreClosedError extends createError('MANDATE_ERR_STORE_CLOSED', 'StoreClosedError') {}

/** Live mode was asked for on storage that would not survive a machine crash (see `checkDurability`). */
export class WeakDurabilityError extends createError('MANDATE_ERR_DURABILITY', 'WeakDurabilityError') {}
