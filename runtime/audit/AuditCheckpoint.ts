import { AgentIdentity } from '../../transport/index.ts';
import { canonicalJson } from '../../kernel/index.ts';

/** A signed statement "the chain head at `seq` has hash `hash`", like a CloudTrail digest file. */
export interface AuditCheckpoint {
  seq: number;
  hash: string;
  at: number;
  /** did:key of the signer. */
  signer: string;
  /** Ed25519 signature over {@link checkpointPayload}, base64url. */
  signature: string;
}

/** The bytes a checkpoint signature covers. */
export function checkpointPayload(c: Omit<AuditCheckpoint, 'signature'>): Uint8Array {
  return new TextEncoder().encode(
    canonicalJson({ type: 'mandate.audit.checkpoint', v: 1, seq: c.seq, hash: c.hash, at: c.at, signer: c.signer }),
  );
}

/** Whether the checkpoint's signature is valid for its signer (never throws on a bad signature or did). */
export function checkpointSignatureValid(c: AuditCheckpoint): boolean {
  try {
    return AgentIdentity.verify(c.signer, checkpointPayload(c), new Uint8Array(Buffer.from(c.signature, 'base64url')));
  } catch {
    return false;
  }
}
