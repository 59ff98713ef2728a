/**
 * The one interface every key custody option implements: local encrypted keystore, Safe
 * multisig proposer, Lit PKP. Rails hold a `TransactionSigner`, never a raw key.
 */
import type { TransactionLike } from 'ethers';

/** Signs EVM transactions for one address. */
export interface TransactionSigner {
  /** Which custody this is, for audit records: `local-keystore`, `lit-pkp`, ... */
  readonly kind: string;
  /** The address transactions are signed for. */
  getAddress(): Promise<string>;
  /** Signs a fully populated transaction and returns the serialized signed bytes (0x...). */
  signTransaction(tx: TransactionLike<string>): Promise<string>;
}

/** The kill switch as the signing path sees it (the runtime provides the real one). */
export interface KillSwitch {
  /** True when `agentId` must not exercise any of `capabilities`. */
  isEngaged(agentId: string, capabilities: string[]): boolean | Promise<boolean>;
}

/** Signs 32-byte digests (EIP-712 hashes such as a Safe transaction hash): how an agent co-signs a multisig. */
export interface DigestSigner {
  getAddress(): Promise<string>;
  /** Returns the 65-byte r‖s‖v signature of `digest` (0x-prefixed hex). */
  signDigest(digest: string): Promise<string>;
}
