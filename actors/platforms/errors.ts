/**
 * Errors of the platform adapters and state sync. Each has a stable code listed in docs/errors.md.
 */
import { createError } from '../../kernel/index.ts';

/** A platform refused the credentials (after one fresh authentication). */
export class PlatformAuthError extends createError('MANDATE_ERR_PLATFORM_AUTH', 'PlatformAuthError') {}

/** A platform cannot be reached, or answered an error or something that is not its format. */
export class PlatformRequestError extends createError('MANDATE_ERR_PLATFORM_REQUEST', 'PlatformRequestError') {}

/** A conditional write lost: the remote record changed since the version it was based on. */
export class PlatformConflictError extends createError('MANDATE_ERR_PLATFORM_CONFLICT', 'PlatformConflictError') {}

/** A sync mapping, policy or adapter setting is malformed; the message names it. */
export class PlatformConfigError extends createError('MANDATE_ERR_PLATFORM_CONFIG', 'PlatformConfigError') {}
