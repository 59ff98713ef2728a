/**
 * Errors of the price oracles (perceivers). Each has a stable code listed in docs/errors.md.
 */
import { MandateError } from '../../kernel/index.ts';

type Opts = ErrorOptions & { details?: Record<string, unknown> };

/** A source answered with data that fails validation (shape, sign, round consistency). */
export class OracleDataError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_ORACLE_INVALID', message, { ...options, status: 502 });
    this.name = 'OracleDataError';
  }
}

/** A price is older than the allowed age. */
export class OracleStaleError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_ORACLE_STALE', message, { ...options, status: 503 });
    this.name = 'OracleStaleError';
  }
}

/** A price is outside its configured plausible bounds. */
export class OracleBoundsError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_ORACLE_BOUNDS', message, { ...options, status: 502 });
    this.name = 'OracleBoundsError';
  }
}

/** Sources disagree beyond the allowed deviation from their median. */
export class OracleDeviationError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_ORACLE_DEVIATION', message, { ...options, status: 502 });
    this.name = 'OracleDeviationError';
  }
}

/** A source could not be reached, or too few sane sources remain. */
export class OracleUnavailableError extends MandateError {
  constructor(message: string, options: Opts = {}) {
    super('MANDATE_ERR_ORACLE_UNAVAILABLE', message, { ...options, status: 503 });
    this.name = 'OracleUnavailableError';
  }
}
