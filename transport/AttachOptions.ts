import type { AgentDescriptorInput } from './AgentDescriptor.ts';
import type { InboundMessage } from './AgentEndpoint.ts';
import type { AgentIdentity } from './AgentIdentity.ts';
import type { AcceptSpec } from './EnvelopeAdmission.ts';

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
  /** Register this descriptor (did and node filled in) and keep it alive with heartbeats. */
  descriptor?: Omit<AgentDescriptorInput, 'did' | 'node'>;
}
