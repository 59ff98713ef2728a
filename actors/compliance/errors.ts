/**
 * Errors of the KYB / compliance providers. Each has a stable code listed in docs/errors.md.
 */
import { createError } from '../../kernel/index.ts';

/** A KYB list file or provider configuration is malformed; the message names the entry. */
export class KybConfigError extends createError('MANDATE_ERR_KYB_CONFIG', 'KybConfigError') {}

/** A KYB provider cannot be reached or answered something that is not a KYB record. */
export class KybUnavailableError extends createError('MANDATE_ERR_KYB_UNAVAILABLE', 'KybUnavailableError') {}
