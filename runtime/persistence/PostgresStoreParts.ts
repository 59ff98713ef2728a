import type { MikroORM } from '@mikro-orm/postgresql';
import type { Pool } from 'pg';
import type { MandateError } from '../../kernel/index.ts';
import type { AuditLog } from '../audit/AuditLog.ts';
import type { AuditWitness } from '../audit/AuditWitness.ts';
import type { PersonalDataVault } from '../audit/PersonalDataVault.ts';
import type { RetentionPolicy } from './compactHistory.ts';
import type { EmbeddedPostgres } from './EmbeddedPostgres.ts';
import type { SecretBox } from './SecretBox.ts';
import type { DbRetryPolicy } from './withDbRetry.ts';

/** Everything `PostgresStore` is built from; `openStore` assembles it. */
export interface PostgresStoreParts {
  /** Runs the migrations at open and owns the pool; the store itself issues no ORM queries. */
  orm: MikroORM;
  /** MikroORM's node-postgres pool; the store's queries and group-commit transactions run on it directly. */
  pool: Pool;
  /**
   * A small pool of its own for single-agent snapshot loads (reactivation, placement), so they never
   * wait for a connection behind commits and other reads; undefined: they use `pool` (the embedded
   * driver, where PGlite runs one session and a second connection would only queue at its server).
   */
  readPool: Pool | undefined;
  /** The URL the store connects to (the embedded server's Unix-socket URL on the embedded driver). */
  url: string;
  embedded: EmbeddedPostgres | undefined;
  box: SecretBox;
  audit: AuditLog;
  vault: PersonalDataVault;
  clock: () => number;
  /** Random bytes (ids of writes). */
  random: (size: number) => Uint8Array;
  retry: DbRetryPolicy;
  maxBatch: number;
  retention: RetentionPolicy;
  /** Told about problems the store handled without failing (a retry, a corrupt snapshot left out). */
  onProblem: (error: MandateError) => void;
  /** Where the latest signed checkpoint is mirrored outside the database; none when undefined. */
  witness: AuditWitness | undefined;
}
