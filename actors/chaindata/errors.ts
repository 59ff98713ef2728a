/**
 * Errors of the chain-data perceivers (indexed on-chain data). Each has a stable code listed in
 * docs/errors.md.
 */
import { createError } from '../../kernel/index.ts';

/** An indexer answered with data that fails validation, or with GraphQL `errors`. */
export class ChainDataInvalidError extends createError('MANDATE_ERR_CHAINDATA_INVALID', 'ChainDataInvalidError') {}

/** The indexer is behind (latest indexed block too old) or reports indexing errors. */
export class ChainDataStaleError extends createError('MANDATE_ERR_CHAINDATA_STALE', 'ChainDataStaleError') {}

/** The indexer cannot be reached, answered with an HTTP error, or flagged its own answer as an error. */
export class ChainDataUnavailableError extends createError(
  'MANDATE_ERR_CHAINDATA_UNAVAILABLE',
  'ChainDataUnavailableError',
) {}

/** More pages than the perceiver may read: nothing partial is returned. */
export class ChainDataTruncatedError extends createError(
  'MANDATE_ERR_CHAINDATA_TRUNCATED',
  'ChainDataTruncatedError',
) {}
