/** Platform adapters (Salesforce REST, OData/SAP) and cross-platform state sync with conflict policies. */
export { SalesforceAdapter } from './SalesforceAdapter.ts';
export type { SalesforceAdapterOptions } from './SalesforceAdapter.ts';
export { ODataAdapter } from './ODataAdapter.ts';
export type { ODataAdapterOptions } from './ODataAdapter.ts';
export type { PlatformAdapter, PlatformEvent, PlatformRecord, SubscribeOptions } from './PlatformAdapter.ts';
export type { PlatformHttpOptions } from './platformHttp.ts';
export { StateSync } from './StateSync.ts';
export type {
  ConflictPolicy,
  ConflictResolution,
  PropagationResult,
  StateSyncOptions,
  SyncConflict,
  SyncTarget,
} from './StateSync.ts';
export { createPlatformSyncActuator } from './createPlatformSyncActuator.ts';
export { PlatformAuthError, PlatformConfigError, PlatformConflictError, PlatformRequestError } from './errors.ts';
