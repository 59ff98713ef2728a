/**
 * The capability registry's implementations (embedded memory, NATS KV), discovery ranking and
 * contract-net task coordination. The contract they implement — `CapabilityRegistry`, the
 * descriptor and revocation types — belongs to the transport (`transport/index.ts`), which needs it
 * to admit envelopes; this folder imports only the transport's and the kernel's indexes.
 */
export { ContractNetContractor, ContractorRole } from './ContractNetContractor.ts';
export { ContractNetManager } from './ContractNetManager.ts';
export {
  ADOPT_CAPABILITY,
  AdoptSchema,
  AwardSchema,
  BidSchema,
  CallForProposalsSchema,
  CancelSchema,
  ContractNetType,
  ProgressSchema,
  TaskResultSchema,
} from './contractNetMessages.ts';
export {
  AgentNotRegisteredError,
  AgentRevokedError,
  RegistryInputError,
  RegistryUnavailableError,
  TaskAdoptDeniedError,
  TaskAdoptLostError,
  TaskFailedError,
  TaskFencedError,
} from './errors.ts';
export { MemoryContractNetStore } from './ContractNetStore.ts';
export { MemoryCapabilityRegistry } from './MemoryCapabilityRegistry.ts';
export { RecordBook } from './RecordBook.ts';
export { NatsKvCapabilityRegistry } from './NatsKvCapabilityRegistry.ts';
export { NatsKvContractNetStore } from './NatsKvContractNetStore.ts';
export { NatsKvTaskLease } from './NatsKvTaskLease.ts';
export { isKvConflict } from './isKvConflict.ts';
export { compareDecimal, rankCandidates, versionSatisfies } from './rankCandidates.ts';

export type { AdoptionAnswer } from './AwardAdoptions.ts';
export type { AwardOrigin, ContractorOptions, ContractorRoleOptions } from './ContractNetContractor.ts';
export type { ContractNetManagerOptions, Goal, TaskDecomposer, TaskSpec } from './ContractNetManagerOptions.ts';
export type { NatsKvTaskLeaseOptions, TaskLease } from './NatsKvTaskLease.ts';
export type {
  AdoptOutcome,
  AwardEnd,
  ContractNetStore,
  SubtaskOutcome,
  SubtaskSpec,
  TaskRecord,
} from './ContractNetStore.ts';
export type { RegistryOptions } from './MemoryCapabilityRegistry.ts';
export type { RecordProblem } from './RecordBook.ts';
export type { AdoptionEvent } from './adoptTasks.ts';
export type { Adopt, Award, Bid, CallForProposals, Cancel, Progress, TaskResult } from './contractNetMessages.ts';
