/** KYB / compliance: counterparty verification, sanctions screening and jurisdictions, before governance. */
export { FileKybProvider, parseKybFile } from './FileKybProvider.ts';
export { HttpKybProvider } from './HttpKybProvider.ts';
export type { HttpKybProviderOptions } from './HttpKybProvider.ts';
export { KybPolicy } from './KybPolicy.ts';
export type { KybCheck, KybPolicyOptions } from './KybPolicy.ts';
export { kybRecordSchema, sanctionsEntrySchema, screen, screeningName } from './KybProvider.ts';
export type { KybAnswer, KybProvider, KybRecord, SanctionsEntry, SanctionsHit } from './KybProvider.ts';
export { KybConfigError, KybUnavailableError } from './errors.ts';
