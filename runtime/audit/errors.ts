import { createError } from '../../kernel/index.ts';

/** An audit entry failed validation (bad shape, or personal data inlined instead of a vault pseudonym); nothing was written. */
export class AuditInputError extends createError('MANDATE_ERR_AUDIT_INPUT', 'AuditInputError') {}

/** An audit query has an invalid filter or cursor. */
export class AuditQueryError extends createError('MANDATE_ERR_AUDIT_QUERY', 'AuditQueryError') {}

/** A vault subject id does not exist (it may never have, or the id is malformed). */
export class VaultSubjectUnknownError extends createError(
  'MANDATE_ERR_VAULT_SUBJECT_UNKNOWN',
  'VaultSubjectUnknownError',
) {}

/** The final audit checkpoint of `close()` could not be signed: the entries are committed, the head since the last checkpoint is not signed. */
export class AuditCheckpointError extends createError('MANDATE_ERR_AUDIT_CHECKPOINT', 'AuditCheckpointError') {}
