import type { AgentDescriptor, AgentDescriptorInput, Requirements, Revocation } from './AgentDescriptor.ts';
import type { RecordSigner } from './RegistryRecord.ts';

/** What the registry knows of a signer: the message bus refuses `unknown` and `revoked`. */
export type SignerStatus =
  | { state: 'active'; descriptor: AgentDescriptor }
  | { state: 'revoked'; revocation: Revocation }
  | { state: 'unknown' };

/** A descriptor as its agent registers it: everything but the did (the signer's) and the times (the registry's). */
export type DescriptorInput = Omit<AgentDescriptorInput, 'did'>;

/** What a revocation says: whose did, why, and who decided (`by`, e.g. `operator:sec`; default the signer). */
export interface RevocationRequest {
  did: string;
  reason: string;
  by?: string;
}

/**
 * Agent descriptors by did, with heartbeat expiry, discovery and revocation — self-certifying
 * (docs/protocol.md §9): every descriptor, heartbeat and revocation is a record signed by the key allowed to
 * sign it, and readers verify it before use, ignoring (and reporting) anything else.
 * Implemented in `registry/` by `MemoryCapabilityRegistry` (embedded default) and `NatsKvCapabilityRegistry`;
 * the message bus depends on this interface only.
 */
export interface CapabilityRegistry {
  /** Signs and stores the signer's descriptor; refused (coded error) for a revoked did. */
  register(signer: RecordSigner, input: DescriptorInput): Promise<AgentDescriptor>;
  /** Re-signs the signer's descriptor with a new `heartbeatAt` (and optionally status/reputation); throws when it is not registered. */
  heartbeat(signer: RecordSigner, patch?: Partial<Pick<AgentDescriptor, 'status' | 'reputation'>>): Promise<void>;
  /** Removes a descriptor (a clean shutdown). */
  deregister(did: string): Promise<void>;
  /**
   * Permanently refuses `did` with a revocation signed by `signer`: the agent itself, the node its descriptor
   * names, or an authority key readers are configured with. Its messages are then refused with
   * `MANDATE_ERR_ENVELOPE_REVOKED`.
   */
  revoke(signer: RecordSigner, revocation: RevocationRequest): Promise<void>;
  /** The signer's status; the message bus calls this for every inbound envelope, so it must be cheap. */
  lookup(did: string): Promise<SignerStatus>;
  /** Active agents holding `capability` that meet `requirements`, best first (reputation, then price, then freshness). */
  discover(capability: string, requirements?: Requirements): Promise<AgentDescriptor[]>;
  close(): Promise<void>;
}
