import { MandateError } from '../../kernel/index.ts';

type Options = ErrorOptions & { details?: Record<string, unknown> };

/** An audit entry failed validation (bad shape, or personal data inlined instead of a vault pseudonym); nothing was written. */
export class AuditInputError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_AUDIT_INPUT', message, { ...options, status: 400 });
    this.name = 'AuditInputError';
  }
}

/** An audit query has an invalid filter or cursor. */
export class AuditQueryError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_AUDIT_QUERY', message, { ...options, status: 400 });
    this.name = 'AuditQueryError';
  }
}

/** A vault subject id does not exist (it may never have, or the id is malformed). */
export class VaultSubjectUnknownError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_VAULT_SUBJECT_UNKNOWN', message, { ...options, status: 404 });
    this.name = 'VaultSubjectUnknownError';
  }
}

/** The final audit checkpoint of `close()` could not be signed: the entries are committed, the head since the last checkpoint is not signed. */
export class AuditCheckpointError extends MandateError {
  constructor(message: string, options: Options = {}) {
    super('MANDATE_ERR_AUDIT_CHECKPOINT', message, { ...options, status: 500 });
    this.name = 'AuditCheckpointError';
  }
}
