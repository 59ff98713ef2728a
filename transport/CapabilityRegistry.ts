import type { AgentDescriptor, AgentDescriptorInput, Requirements, Revocation } from './AgentDescriptor.ts';

/** What the registry knows of a signer: the message bus refuses `unknown` and `revoked`. */
export type SignerStatus =
  | { state: 'active'; descriptor: AgentDescriptor }
  | { state: 'revoked'; revocation: Revocation }
  | { state: 'unknown' };

/**
 * Agent descriptors by did, with heartbeat expiry, discovery and revocation.
 * Implemented in `registry/` by `MemoryCapabilityRegistry` (embedded default) and `NatsKvCapabilityRegistry`; the message bus depends on this interface only.
 */
export interface CapabilityRegistry {
  /** Adds or replaces an agent's descriptor; refused (coded error) for a revoked did. */
  register(input: AgentDescriptorInput): Promise<AgentDescriptor>;
  /** Keeps a descriptor alive (and optionally updates status/reputation); throws when the agent is not registered. */
  heartbeat(did: string, patch?: Partial<Pick<AgentDescriptor, 'status' | 'reputation'>>): Promise<void>;
  /** Removes a descriptor (a clean shutdown). */
  deregister(did: string): Promise<void>;
  /** Permanently refuses `did`: its descriptor is removed and its messages are refused with `MANDATE_ERR_ENVELOPE_REVOKED`. */
  revoke(did: string, reason: string, by: string): Promise<void>;
  /** The signer's status; the message bus calls this for every inbound envelope, so it must be cheap. */
  lookup(did: string): Promise<SignerStatus>;
  /** Active agents holding `capability` that meet `requirements`, best first (reputation, then price, then freshness). */
  discover(capability: string, requirements?: Requirements): Promise<AgentDescriptor[]>;
  close(): Promise<void>;
}
