import type { AuditCheckpoint } from './AuditCheckpoint.ts';
import type { AuditPage, AuditQuery } from './queryAudit.ts';
import type { AuditVerifyResult, VerifyAuditOptions } from './verifyAuditChain.ts';

/**
 * The read side of a store's hash-chained audit trail, as the gateway, the CLI and operators use it.
 * A store that keeps the chain exposes one as `store.audit`.
 *
 * @example
 * const result = await store.audit?.verify({ trustedSigners: [did] });
 */
export interface AuditTrail {
  /** The did whose signature this store's checkpoints carry. */
  readonly signer: string;
  /** One page of entries matching the filter, newest first, with the cursor of the next page. */
  query(query: AuditQuery): Promise<AuditPage>;
  /** Re-reads and checks the whole chain; says where it breaks. Checkpoints must be signed by `signer` or one of `trustedSigners`. */
  verify(options?: VerifyAuditOptions): Promise<AuditVerifyResult>;
  /** Signs a checkpoint of the head now; undefined when there is nothing new to sign or the segment since the last checkpoint does not verify. */
  checkpoint(): Promise<AuditCheckpoint | undefined>;
}
