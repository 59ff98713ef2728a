/**
 * A wallet per agent: every agent's EVM account is derived (BIP-32, secp256k1) from one node seed
 * on its own hardened path, `m/44'/60'/1'/<a>'/<b>'`, where `a` and `b` are two 31-bit numbers
 * from SHA-256 of the agent id. The same seed and id always give the same address, on every node
 * of the cluster and across restarts; no key is stored per agent. Path `m/44'/60'/0'/0'/0'` is
 * the node's operator account (deploys, mints, publishes prices, funds agents).
 */
import { createHash } from 'node:crypto';
import { HDNodeWallet, getBytes } from 'ethers';
import { KeystoreError } from './errors.ts';
import { LocalKeystoreSigner } from './LocalKeystoreSigner.ts';

/** The operator account's path. */
export const OPERATOR_PATH = "m/44'/60'/0'/0'/0'";

/** Derives agents' accounts from the node seed. */
export class HdWallets {
  readonly #root: HDNodeWallet;

  private constructor(root: HDNodeWallet) {
    this.#root = root;
  }

  /** From a 16–64 byte seed (hex, e.g. the store's `walletSeed()`). */
  static fromSeed(seedHex: string): HdWallets {
    let bytes: Uint8Array;
    try {
      bytes = getBytes(seedHex);
    } catch (cause) {
      throw new KeystoreError('the wallet seed is not hex; pass 0x followed by 32 to 128 hex digits', { cause });
    }
    if (bytes.length < 16 || bytes.length > 64)
      throw new KeystoreError(`the wallet seed is ${bytes.length} bytes; BIP-32 seeds are 16 to 64 bytes`);
    return new HdWallets(HDNodeWallet.fromSeed(bytes));
  }

  /** The derivation path of `agentId`'s account. */
  static pathOf(agentId: string): string {
    const h = createHash('sha256').update(agentId, 'utf8').digest();
    return `m/44'/60'/1'/${h.readUInt32BE(0) & 0x7fff_ffff}'/${h.readUInt32BE(4) & 0x7fff_ffff}'`;
  }

  /** `agentId`'s signer (transactions and digests). */
  forAgent(agentId: string): LocalKeystoreSigner {
    return this.#at(HdWallets.pathOf(agentId));
  }

  /** `agentId`'s address (checksummed), without building a signer. */
  addressOf(agentId: string): string {
    return this.#root.derivePath(HdWallets.pathOf(agentId)).address;
  }

  /** The node's operator signer. */
  operator(): LocalKeystoreSigner {
    return this.#at(OPERATOR_PATH);
  }

  /** The operator's private key (to fund a chain's genesis, or hand to ethers for deployments). */
  operatorKey(): string {
    return this.#root.derivePath(OPERATOR_PATH).privateKey;
  }

  #at(path: string): LocalKeystoreSigner {
    return LocalKeystoreSigner.fromPrivateKey(this.#root.derivePath(path).privateKey);
  }
}
