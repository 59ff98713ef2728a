import type { CodeEntry } from './CodeEntry.ts';

/** Codes of the store, the audit log and the personal-data vault. Documented in docs/errors.md, "Persistence and audit (runtime/persistence, runtime/audit)". */
export const PERSISTENCE_CODES = {
  MANDATE_ERR_STORE_UNAVAILABLE: {
    status: 503,
    kind: 'error',
    meaning:
      "the database cannot be reached at start, or stayed away past the store's retries; the write was not acknowledged (nothing half-written)",
  },
  MANDATE_ERR_STORE_LOCKED: {
    status: 409,
    kind: 'error',
    meaning:
      'the embedded database directory is held by another live process; stop it or use another `MANDATE_DATA_DIR`',
  },
  MANDATE_ERR_STORE_SCHEMA: {
    status: 500,
    kind: 'error',
    meaning:
      'the schema is not the one this version expects (migrated by a newer Mandate, a table missing, or a migration failed and was rolled back)',
  },
  MANDATE_ERR_STORE_CONFIG: {
    status: 400,
    kind: 'error',
    meaning:
      'invalid store configuration: `DATABASE_URL` not a postgresql:// URL, a secret key that is not 32 bytes, a bad option',
  },
  MANDATE_ERR_STORE_INPUT: {
    status: 400,
    kind: 'error',
    meaning:
      'a row given to the store failed validation (agent, snapshot, decision, approval, intent, …); nothing was written',
  },
  MANDATE_ERR_STORE_SNAPSHOT_CORRUPT: {
    status: 500,
    kind: 'error',
    meaning:
      'a persisted snapshot does not parse; that agent is left out of the restore and reported, the others resume',
  },
  MANDATE_ERR_STORE_INTENT_UNKNOWN: {
    status: 404,
    kind: 'error',
    meaning: '`updateIntent` for a key that was never begun',
  },
  MANDATE_ERR_STORE_SECRET: {
    status: 500,
    kind: 'error',
    meaning:
      'a value sealed at rest (agent seed, audit signer, vault record) does not open: wrong `MANDATE_SECRET_KEY`/key file, or the row was altered',
  },
  MANDATE_ERR_STORE_FILE_MODE: {
    status: 500,
    kind: 'error',
    meaning:
      'a secret file (the data key, the node identity) or the data directory is readable or writable by group or others; the process refuses to start until it is `chmod 600` (directories 700)',
  },
  MANDATE_ERR_STORE_CLOSED: { status: 503, kind: 'error', meaning: 'the store was written to after `close()`' },
  MANDATE_ERR_AUDIT_INPUT: {
    status: 400,
    kind: 'error',
    meaning: 'an audit entry (or vault record) is malformed, or inlines personal data instead of a vault pseudonym',
  },
  MANDATE_ERR_AUDIT_QUERY: {
    status: 400,
    kind: 'error',
    meaning: 'an audit query has an invalid filter, limit or cursor',
  },
  MANDATE_ERR_AUDIT_CHECKPOINT: {
    status: 500,
    kind: 'error',
    meaning:
      '`close()` could not sign the final audit checkpoint (database unreachable, or an entry since the last checkpoint no longer verifies); the database is closed anyway, the entries are committed, the head is unsigned until the next append or close',
  },
  MANDATE_ERR_AUDIT_APPEND_ONLY: {
    status: null,
    kind: 'error',
    meaning: 'raised by the database trigger: UPDATE, DELETE or TRUNCATE of audit entries or checkpoints is refused',
  },
  MANDATE_ERR_AGENT_VERSION_IMMUTABLE: {
    status: null,
    kind: 'error',
    meaning: 'raised by the database trigger: UPDATE, DELETE or TRUNCATE of a stored agent version is refused',
  },
  MANDATE_ERR_STAKE_IMMUTABLE: {
    status: null,
    kind: 'error',
    meaning: 'raised by the database trigger: UPDATE, DELETE or TRUNCATE of a stake ledger entry is refused',
  },
  MANDATE_ERR_VAULT_SUBJECT_UNKNOWN: {
    status: 404,
    kind: 'error',
    meaning: 'no data subject with that pseudonymous id exists in the GDPR vault',
  },
  MANDATE_ERR_DURABILITY: {
    status: 500,
    kind: 'error',
    meaning:
      'live mode refused: PostgreSQL runs without `fsync`/`synchronous_commit`, or JetStream without write-synced file storage; fix it or pass `--accept-weak-durability`',
  },
} as const satisfies Record<string, CodeEntry>;
