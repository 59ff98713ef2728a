import type { DescriptorInput } from './CapabilityRegistry.ts';
import type { InboundMessage } from './AgentEndpoint.ts';
import type { AgentIdentity } from './AgentIdentity.ts';
import type { AcceptSpec } from './EnvelopeAdmission.ts';
import type { X25519KeyPair } from './payloadCipher.ts';

/** How to attach an agent to a `MessageBus`. */
export interface AttachOptions {
  identity: AgentIdentity;
  /** Accepted message types; anything else is refused with `MANDATE_ERR_ENVELOPE_UNHANDLED`. */
  accepts: Record<string, AcceptSpec>;
  /** Called once per admitted envelope; its return value is the reply body when the sender waits for one. */
  handler: (msg: InboundMessage) => Promise<unknown>;
  /** Serve these capability subjects (queue groups: one holder per message). */
  serveCapabilities?: string[];
  /** Consume the agent's durable (JetStream) inbox. */
  durable?: boolean | { ackWaitMs?: number; maxDeliver?: number };
  /** Register this descriptor (signed with the agent's key; node and nodeDid filled in) and keep it alive with signed heartbeats. */
  descriptor?: Omit<DescriptorInput, 'node' | 'nodeDid'>;
  /** A separate X25519 key pair for encrypted bodies, published in the descriptor; default: derived from the identity. */
  encryption?: X25519KeyPair;
}
