/**
 * The transport: the signed wire protocol (docs/protocol.md), agent identities, the in-process and
 * NATS transports, the message bus, replay windows, signature verification, and the contract the
 * bus needs from a capability directory (`CapabilityRegistry`, descriptors, revocations; the
 * registry folder implements it). It imports only the kernel.
 */
export {
  AgentDescriptorInputSchema,
  AgentDescriptorSchema,
  CapabilitySchema,
  RequirementsSchema,
  RevocationSchema,
  TermsSchema,
} from './AgentDescriptor.ts';
export { AgentIdentity, didFromPublicKey, publicKeyFromDid, publicKeyObject } from './AgentIdentity.ts';
export {
  BroadcastFilterSchema,
  CapabilityNameSchema,
  DEFAULT_LIMITS,
  DidSchema,
  ENCRYPTION_SUITE,
  EncryptionHeaderSchema,
  EnvelopeSchema,
  isPlainEnvelope,
  PRIORITIES,
  PROTOCOL_VERSION,
} from './Envelope.ts';
export {
  CONTROL_CAPABILITY,
  InspectionMessageSchema,
  KillSwitchControlSchema,
  NODE_CAPABILITY,
} from './controlMessages.ts';
export { InboundScheduler } from './InboundScheduler.ts';
export { jsonNestingDepth } from './jsonNestingDepth.ts';
export { openBody, sealBody, x25519FromDid, x25519FromSeed } from './payloadCipher.ts';
export {
  encodeRecord,
  RECORD_LIMITS,
  RecordType,
  SignedRecordSchema,
  signRecord,
  verifyRecord,
  verifyRecordObject,
} from './RegistryRecord.ts';
export { EnvelopeAdmission } from './EnvelopeAdmission.ts';
export {
  EnvelopeRejectedError,
  HandlerFailedError,
  IdentityKeyError,
  InvalidDidError,
  RejectCode,
  RemoteError,
  RequestFailedError,
  TransportPermissionError,
  TransportUsageError,
} from './errors.ts';
export { FileReplayStore } from './FileReplayStore.ts';
export { MemoryReplayStore } from './MemoryReplayStore.ts';
export { MemoryTransport } from './MemoryTransport.ts';
export { MessageBus } from './MessageBus.ts';
export { natsAuthConfig } from './natsAuthConfig.ts';
export { NatsKvReplayStore } from './NatsKvReplayStore.ts';
export { NatsTransport } from './NatsTransport.ts';
export { openEnvelope, openWire } from './openEnvelope.ts';
export { MemoryReplayCheckpoint, NatsKvReplayCheckpoint } from './ReplayCheckpoint.ts';
export { ReplayGuard } from './ReplayGuard.ts';
export { InlineSignatureVerifier } from './SignatureVerifier.ts';
export { encodeEnvelope, signEnvelope, signForWire, signingBytes } from './signEnvelope.ts';
export { subjectMatches } from './subjectMatches.ts';
export {
  agentDurableConsumer,
  agentDurableSubject,
  agentInboxSubject,
  BROADCAST_SUBJECT,
  capabilitySubject,
  CONTROL_KILLSWITCH_SUBJECT,
  didSuffix,
  DURABLE_STREAM,
  DURABLE_STREAM_SUBJECTS,
  INSPECTION_WILDCARD,
  inspectionSubject,
  REGISTRY_BUCKET,
  REPLAY_BUCKET,
  REPLAY_CHECKPOINT_BUCKET,
  REVOCATION_BUCKET,
  TASKS_BUCKET,
} from './subjects.ts';
export { WorkerSignatureVerifier } from './WorkerSignatureVerifier.ts';

export type {
  AgentDescriptor,
  AgentDescriptorInput,
  Capability,
  Requirements,
  Revocation,
  Terms,
} from './AgentDescriptor.ts';
export type {
  AgentEndpoint,
  BroadcastMessage,
  InboundMessage,
  OutboundMessage,
  Reply,
  RequestMessage,
  SendOptions,
} from './AgentEndpoint.ts';
export type { IdentityJson } from './AgentIdentity.ts';
export type { RequestDone } from './AgentBus.ts';
export type { AttachOptions } from './AttachOptions.ts';
export type { CapabilityRegistry, DescriptorInput, RevocationRequest, SignerStatus } from './CapabilityRegistry.ts';
export type { InspectionMessage, KillSwitchControl } from './controlMessages.ts';
export type {
  BroadcastFilter,
  EncryptionHeader,
  Envelope,
  EnvelopeLimits,
  Priority,
  UnsignedEnvelope,
} from './Envelope.ts';
export type { AcceptSpec, AdmitRequest, Admitted } from './EnvelopeAdmission.ts';
export type { RefusedPeer, RejectCodeValue } from './errors.ts';
export type { MessageBusOptions } from './MessageBus.ts';
export type { SealInput, X25519KeyPair } from './payloadCipher.ts';
export type { Rejection } from './Refusals.ts';
export type { RecordSigner, RecordTypeValue, RecordVerdict, SignedRecord } from './RegistryRecord.ts';
export type { NatsAuthConfigResult, NatsAuthUser } from './natsAuthConfig.ts';
export type { NatsTransportOptions } from './NatsTransport.ts';
export type { ReplayCheckpoint } from './ReplayCheckpoint.ts';
export type { ReplayClaim, ReplayGuardOptions } from './ReplayGuard.ts';
export type { ReplayStore } from './ReplayStore.ts';
export type { SignatureVerifier } from './SignatureVerifier.ts';
export type { EnvelopeDraft, EnvelopeSources } from './signEnvelope.ts';
export type {
  DurableConsumeOptions,
  DurableMessage,
  SubscribeOptions,
  Transport,
  TransportMessage,
  TransportSubscription,
} from './Transport.ts';
