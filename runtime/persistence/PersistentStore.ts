import type { AuditCheckpoint } from '../audit/AuditCheckpoint.ts';
import type { PersonalDataVault } from '../audit/PersonalDataVault.ts';
import type { AuditPage, AuditQuery } from '../audit/queryAudit.ts';
import type { AuditVerifyResult, VerifyAuditOptions } from '../audit/verifyAuditChain.ts';
import type { Principal } from '../inspection/InspectionEvent.ts';
import type { CompactionResult, RetentionPolicy } from './compactHistory.ts';
import type { SnapshotCorruptError } from './errors.ts';
import type { OutcomeQuery, OutcomeRow } from './queryOutcomes.ts';
import type { IntentRow, RuntimeStore } from './RuntimeStore.ts';

/** A reputation change, as the reputation supervisor records it. */
export interface ReputationEvent {
  agentId: string;
  kind: string;
  delta: number;
  score?: number;
  reason: string;
  data?: Record<string, unknown>;
  at: number;
}

/**
 * A {@link RuntimeStore} backed by a database: adds the audit trail's verification and queries,
 * the GDPR vault, feedback data for learning, reputation history and retention. Implemented by
 * `MikroOrmStore` on PostgreSQL and on the embedded PGlite database.
 */
export interface PersistentStore extends RuntimeStore {
  /** Whether the store runs on the embedded database. */
  readonly embedded: boolean;
  /** The did that signs this store's audit checkpoints. */
  readonly auditSigner: string;
  /** Counterparty personal data, referenced elsewhere by pseudonym. */
  readonly vault: PersonalDataVault;
  /** Snapshots left out of the last `loadSnapshots()` because they do not parse. */
  readonly snapshotProblems: readonly SnapshotCorruptError[];
  /** Waits until every write submitted so far has committed. */
  flush(): Promise<void>;
  /** Intents not settled yet (`pending`/`executing`), oldest first. */
  listOpenIntents(agentId?: string): Promise<IntentRow[]>;
  appendReputationEvent(event: ReputationEvent): Promise<void>;
  /** An agent's reputation changes, newest first. */
  listReputationEvents(agentId: string, limit?: number): Promise<ReputationEvent[]>;
  /** GDPR erasure: removes the subject's personal data and audits the erasure by pseudonym. */
  eraseSubject(id: string, by?: Principal, why?: string): Promise<void>;
  /** Re-reads and checks the whole audit chain; says where it breaks. */
  verifyAudit(options?: VerifyAuditOptions): Promise<AuditVerifyResult>;
  /** Signs a checkpoint of the chain head now (after re-checking the segment since the last one). */
  checkpointAudit(): Promise<AuditCheckpoint | undefined>;
  /** One page of audit entries, newest first. */
  queryAudit(query: AuditQuery): Promise<AuditPage>;
  /** Past decisions with their outcomes, newest first. */
  queryOutcomes(query: OutcomeQuery): Promise<OutcomeRow[]>;
  /** Compacts journal and snapshot history per agent. */
  compact(policy?: RetentionPolicy): Promise<CompactionResult>;
}
