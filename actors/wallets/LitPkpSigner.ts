/**
 * An MPC signer through Lit Protocol PKPs (programmable key pairs): the key is split across
 * the Lit network's nodes and never exists in one place; `pkpSign` returns a threshold ECDSA
 * signature. The Lit SDK (~377 MB, an optional dependency) is imported lazily on first use.
 *
 * Verified here: address derivation, signature assembly and the check that every signature
 * recovers to the PKP address, the lazy import of the real SDK, and the coded error when the
 * network cannot be reached. NOT verified: signing against a live Lit network (unreachable
 * from the development machines), including session-signature acquisition.
 */
import { Signature, Transaction, computeAddress, getBytes, recoverAddress, type TransactionLike } from 'ethers';
import { LitSignatureError, LitUnavailableError } from './errors.ts';
import type { DigestSigner, TransactionSigner } from './TransactionSigner.ts';

/** Lit's `pkpSign` answer (SigResponse in @lit-protocol/types). */
export interface LitSigResponse {
  readonly r: string;
  readonly s: string;
  readonly recid: number;
  readonly signature?: string;
  readonly publicKey?: string;
  readonly dataSigned?: string;
}

/** The part of `LitNodeClient` this adapter uses. */
export interface LitPkpClient {
  connect(): Promise<unknown>;
  pkpSign(params: {
    pubKey: string;
    toSign: ArrayLike<number>;
    sessionSigs: Record<string, unknown>;
  }): Promise<LitSigResponse>;
}

/** Options of {@link LitPkpSigner}. */
export interface LitPkpSignerOptions {
  /** The PKP's uncompressed secp256k1 public key (0x04…). */
  readonly pkpPublicKey: string;
  /** Lit network name, e.g. `datil`, `datil-test`, `datil-dev`. */
  readonly litNetwork: string;
  /** Supplies session signatures authorising this PKP (wallet signature or auth method, app-specific). */
  readonly getSessionSigs: (client: LitPkpClient) => Promise<Record<string, unknown>>;
  readonly connectTimeoutMs?: number;
  /** Creates the client; by default lazily imports `@lit-protocol/lit-node-client`. */
  readonly createClient?: (options: { litNetwork: string; connectTimeoutMs: number }) => Promise<LitPkpClient>;
}

/** Turns Lit's `{ r, s, recid }` into a 65-byte signature and checks it recovers to `address`. */
export function litSignatureToHex(response: LitSigResponse, digest: string, address: string): string {
  const hex = (v: string) => (v.startsWith('0x') ? v : `0x${v}`).padEnd(66, '0');
  let signature: Signature;
  try {
    signature = Signature.from({ r: hex(response.r), s: hex(response.s), v: 27 + (response.recid % 2) });
  } catch (cause) {
    throw new LitSignatureError(
      `Lit returned a malformed signature (${(cause as Error).message}); retry the signing request`,
      { cause },
    );
  }
  const recovered = recoverAddress(digest, signature);
  if (recovered.toLowerCase() !== address.toLowerCase()) {
    throw new LitSignatureError(
      `Lit signature recovers to ${recovered}, not the PKP address ${address}; check pkpPublicKey and the network`,
    );
  }
  return signature.serialized;
}

async function defaultClient(options: { litNetwork: string; connectTimeoutMs: number }): Promise<LitPkpClient> {
  let mod: { LitNodeClient: new (config: Record<string, unknown>) => LitPkpClient };
  try {
    mod = (await import('@lit-protocol/lit-node-client')) as unknown as typeof mod;
  } catch (cause) {
    throw new LitUnavailableError(
      'the Lit SDK is not installed; run "npm install @lit-protocol/lit-node-client" (an optional dependency) to use PKP signers',
      { cause },
    );
  }
  return new mod.LitNodeClient({
    litNetwork: options.litNetwork,
    debug: false,
    connectTimeout: options.connectTimeoutMs,
  });
}

/** A {@link TransactionSigner} and {@link DigestSigner} backed by a Lit PKP. */
export class LitPkpSigner implements TransactionSigner, DigestSigner {
  readonly kind = 'lit-pkp';
  readonly #o: LitPkpSignerOptions;
  readonly #address: string;
  #client: Promise<LitPkpClient> | undefined;

  constructor(options: LitPkpSignerOptions) {
    this.#o = options;
    this.#address = computeAddress(options.pkpPublicKey);
  }

  async getAddress(): Promise<string> {
    return this.#address;
  }

  async signDigest(digest: string): Promise<string> {
    const client = await this.#connected();
    const sessionSigs = await this.#o.getSessionSigs(client);
    let response: LitSigResponse;
    try {
      response = await client.pkpSign({ pubKey: this.#o.pkpPublicKey, toSign: getBytes(digest), sessionSigs });
    } catch (cause) {
      throw new LitUnavailableError(
        `Lit network "${this.#o.litNetwork}" did not sign (${(cause as Error).message.slice(0, 200)}); check the session signatures and the network`,
        { cause },
      );
    }
    return litSignatureToHex(response, digest, this.#address);
  }

  async signTransaction(tx: TransactionLike<string>): Promise<string> {
    const unsigned = Transaction.from(tx);
    unsigned.signature = Signature.from(await this.signDigest(unsigned.unsignedHash));
    return unsigned.serialized;
  }

  #connected(): Promise<LitPkpClient> {
    this.#client ??= (async () => {
      const options = { litNetwork: this.#o.litNetwork, connectTimeoutMs: this.#o.connectTimeoutMs ?? 10_000 };
      const client = await (this.#o.createClient ?? defaultClient)(options);
      try {
        await client.connect();
      } catch (cause) {
        throw new LitUnavailableError(
          `cannot connect to Lit network "${this.#o.litNetwork}" (${(cause as Error).message.slice(0, 200)}); check network access to the Lit nodes`,
          { cause },
        );
      }
      return client;
    })().catch((error: unknown) => {
      this.#client = undefined; // let the next call retry
      throw error;
    });
    return this.#client;
  }
}
