import { AgentIdentity } from './AgentIdentity.ts';

/** Checks Ed25519 signatures by did:key. Inline on the event loop, or spread over worker threads ({@link WorkerSignatureVerifier}). */
export interface SignatureVerifier {
  /** True when `signature` over `message` was made by `did`'s key; false for bad signatures and bad dids (never throws). */
  verify(did: string, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  close(): Promise<void>;
}

/** Verifies on the calling thread with node:crypto. */
export class InlineSignatureVerifier implements SignatureVerifier {
  async verify(did: string, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    if (signature.length !== 64) return false;
    try {
      return AgentIdentity.verify(did, message, signature);
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {}
}
