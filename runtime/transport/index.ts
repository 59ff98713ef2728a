export { BroadcastFilterSchema, CapabilityNameSchema, DEFAULT_LIMITS, DidSchema, EnvelopeSchema, PROTOCOL_VERSION, systemClock } from './Envelope.ts';
export type { BroadcastFilter, Clock, Envelope, EnvelopeLimits, UnsignedEnvelope } from './Envelope.ts';
export { encodeEnvelope, signEnvelope, signingBytes } from './signEnvelope.ts';
export type { EnvelopeDraft, EnvelopeSources } from './signEnvelope.ts';
export { openEnvelope } from './openEnvelope.ts';
export type { OpenContext } from './openEnvelope.ts';
export { EnvelopeRejectedError, RejectCode, RemoteError, RequestFailedError, TransportPermissionError, TransportUsageError } from './errors.ts';
export type { RejectCodeValue } from './errors.ts';
export { ReplayGuard } from './ReplayGuard.ts';
export type { ReplayStore } from './ReplayStore.ts';
export { MemoryReplayStore } from './MemoryReplayStore.ts';
export { FileReplayStore } from './FileReplayStore.ts';
export { NatsKvReplayStore } from './NatsKvReplayStore.ts';
export { InlineSignatureVerifier } from './SignatureVerifier.ts';
export type { SignatureVerifier } from './SignatureVerifier.ts';
export { WorkerSignatureVerifier } from './WorkerSignatureVerifier.ts';
export type { DurableConsumeOptions, DurableMessage, SubscribeOptions, Transport, TransportMessage, TransportSubscription } from './Transport.ts';
export { MemoryTransport } from './MemoryTransport.ts';
export { NatsTransport } from './NatsTransport.ts';
export type { NatsTransportOptions } from './NatsTransport.ts';
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
  REVOCATION_BUCKET,
} from './subjects.ts';
export { EnvelopeAdmission } from './EnvelopeAdmission.ts';
export type { AcceptSpec, AdmitRequest, Admitted } from './EnvelopeAdmission.ts';
export { CONTROL_CAPABILITY, KillSwitchControlSchema, MessageBus, NODE_CAPABILITY } from './MessageBus.ts';
export type { AttachOptions, KillSwitchControl, MessageBusOptions, Rejection } from './MessageBus.ts';
export type { AgentEndpoint, InboundMessage, Reply, SendOptions } from './AgentEndpoint.ts';
export { natsAuthConfig } from './natsAuthConfig.ts';
export type { NatsAuthUser, NatsAuthConfigResult } from './natsAuthConfig.ts';
export { createMessaging } from './createMessaging.ts';
export type { Messaging, MessagingConfig } from './createMessaging.ts';
