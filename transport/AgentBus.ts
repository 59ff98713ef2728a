import type { AgentIdentity } from './AgentIdentity.ts';
import type { CapabilityRegistry } from './CapabilityRegistry.ts';
import type { Envelope } from './Envelope.ts';
import type { EnvelopeAdmission } from './EnvelopeAdmission.ts';
import type { InboundScheduler } from './InboundScheduler.ts';
import type { Refusals } from './Refusals.ts';
import type { EnvelopeDraft, SignedForWire } from './signEnvelope.ts';
import type { MessageHeaders, Transport } from './Transport.ts';

/** One request that ended: its type, its duration in ms, and `ok`, `error` (refused, failed) or `timeout` (no reply in time, no responders). */
export interface RequestDone {
  type: string;
  ms: number;
  outcome: 'ok' | 'error' | 'timeout';
}

/**
 * What an attached agent needs from its bus. `MessageBus` hands each `AttachedAgent` one of these
 * instead of itself, so the two do not import each other and the agent sees only this much.
 */
export interface AgentBus {
  readonly transport: Transport;
  readonly registry: CapabilityRegistry;
  readonly admission: EnvelopeAdmission;
  /** Runs inbound work by priority. */
  readonly scheduler: InboundScheduler;
  /** Records and answers refused envelopes. */
  readonly refusals: Refusals;
  /** The runtime node's id (broadcast filters by node) and did (agents' descriptors name it). */
  readonly nodeId: string;
  readonly nodeDid: string;
  /** Default request timeout, ms. */
  readonly requestTimeoutMs: number;
  /** The headers a message `did` sends now carries: its `traceparent`, when it sends from inside a trace. */
  headersOf(did: string): MessageHeaders | undefined;
  /** Signs a draft for `identity` (the kill switch may refuse), with its wire bytes. */
  sign(identity: AgentIdentity, draft: EnvelopeDraft): SignedForWire;
  /** A handler threw on a valid envelope. */
  handlerFailed(error: unknown, envelope: Envelope): void;
  /** A request of an attached agent ended. */
  requestDone(done: RequestDone): void;
  /** The agent detached itself. */
  detached(did: string): void;
}
