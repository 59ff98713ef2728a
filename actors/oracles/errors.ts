/**
 * Errors of the price oracles (perceivers). Each has a stable code listed in docs/errors.md.
 */
import { createError } from '../../kernel/index.ts';

/** A source answered with data that fails validation (shape, sign, round consistency). */
export class OracleDataError extends createError('MANDATE_ERR_ORACLE_INVALID', 'OracleDataError') {}

/** A price is older than the allowed age. */
export class OracleStaleError extends createError('MANDATE_ERR_ORACLE_STALE', 'OracleStaleError') {}

/** A price is outside its configured plausible bounds. */
export class OracleBoundsError extends createError('MANDATE_ERR_ORACLE_BOUNDS', 'OracleBoundsError') {}

/** Sources disagree beyond the allowed deviation from their median. */
export class OracleDeviationError extends createError('MANDATE_ERR_ORACLE_DEVIATION', 'OracleDeviationError') {}

/** A source could not be reached, or too few sane sources remain. */
export class OracleUnavailableError extends createError('MANDATE_ERR_ORACLE_UNAVAILABLE', 'OracleUnavailableError') {}
