export { DEFAULT_RETENTION, compactHistory } from './compactHistory.ts';
export type { AgentRetention, CompactionResult, RetentionPolicy } from './compactHistory.ts';
export { EmbeddedPostgres } from './EmbeddedPostgres.ts';
export type { EmbeddedPostgresOptions } from './EmbeddedPostgres.ts';
export { allEntities, storeEntities } from './entities.ts';
export {
  IntentUnknownError,
  SecretUnsealError,
  SnapshotCorruptError,
  StoreClosedError,
  StoreConfigError,
  StoreInputError,
  StoreLockedError,
  StoreSchemaError,
  StoreUnavailableError,
  WeakDurabilityError,
} from './errors.ts';
export { checkDurability } from './checkDurability.ts';
export type { DurabilityFinding, DurabilityTargets } from './checkDurability.ts';
export { PostgresAuditTrail } from './PostgresAuditTrail.ts';
export { PostgresStore } from './PostgresStore.ts';
export type { PostgresStoreParts } from './PostgresStoreParts.ts';
export type { ReputationEvent, ReputationStore } from './ReputationEvent.ts';
export type { BehaviourEvent, BehaviourStore } from './BehaviourStore.ts';
export type { StakeEntry, StakeStore } from './StakeStore.ts';
export { openStore } from './openStore.ts';
export { runtimeRoleGrants } from './runtimeRoleGrants.ts';
export type { OpenStoreOptions } from './openStore.ts';
export { queryOutcomes } from './queryOutcomes.ts';
export type { OutcomeQuery, OutcomeRow } from './queryOutcomes.ts';
export type {
  AgentRow,
  AuditInput,
  DecisionOutcome,
  DecisionRecord,
  IntentRow,
  KillSwitchState,
  PolicyVerdict,
  RuntimeStore,
  SnapshotRow,
} from './RuntimeStore.ts';
export { SecretBox } from './SecretBox.ts';
