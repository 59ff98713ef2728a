import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { base58Decode, base58Encode } from './base58.ts';
import { IdentityKeyError, InvalidDidError } from './errors.ts';

/** Multicodec prefix of an Ed25519 public key (varint 0xed). */
const ED25519_PUB_PREFIX = Uint8Array.of(0xed, 0x01);
const DID_KEY_PREFIX = 'did:key:z';

/** Serialized identity: the 32-byte Ed25519 seed as base64url. Keep it secret. */
export interface IdentityJson {
  did: string;
  privateKey: string;
}

/**
 * An agent's (or runtime node's) Ed25519 key pair and its `did:key` name.
 *
 * @example
 * const id = AgentIdentity.generate();
 * const sig = id.sign(bytes);
 * AgentIdentity.verify(id.did, bytes, sig); // true
 */
export class AgentIdentity {
  readonly did: string;
  readonly publicKey: Uint8Array;
  readonly #privateKey: KeyObject;

  private constructor(privateKey: KeyObject) {
    this.#privateKey = privateKey;
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
    this.publicKey = new Uint8Array(Buffer.from(jwk.x!, 'base64url'));
    this.did = didFromPublicKey(this.publicKey);
  }

  /** A fresh random identity. */
  static generate(): AgentIdentity {
    return new AgentIdentity(generateKeyPairSync('ed25519').privateKey);
  }

  /** The identity whose private key is this 32-byte seed (deterministic; used by test vectors). */
  static fromSeed(seed: Uint8Array): AgentIdentity {
    if (seed.length !== 32) {
      throw new IdentityKeyError(
        `An Ed25519 seed is 32 bytes, got ${seed.length}; restore the identity saved with toJSON() (privateKey is the seed as base64url), or generate a new one.`,
        { details: { length: seed.length } },
      );
    }
    const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seed)]);
    return new AgentIdentity(createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }));
  }

  /** Restores an identity saved with {@link AgentIdentity.toJSON}. */
  static fromJSON(json: IdentityJson): AgentIdentity {
    const id = AgentIdentity.fromSeed(new Uint8Array(Buffer.from(json.privateKey, 'base64url')));
    if (id.did !== json.did) {
      throw new IdentityKeyError(
        `The private key does not belong to "${json.did}" (it is "${id.did}"); the identity file was altered or mixed up with another, restore it from a backup.`,
        { details: { did: json.did, actual: id.did } },
      );
    }
    return id;
  }

  /** Ed25519 signature (64 bytes) over `data`. */
  sign(data: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, data, this.#privateKey));
  }

  /** The 32-byte seed; handle as a secret. */
  seed(): Uint8Array {
    const jwk = this.#privateKey.export({ format: 'jwk' });
    return new Uint8Array(Buffer.from(jwk.d!, 'base64url'));
  }

  toJSON(): IdentityJson {
    return { did: this.did, privateKey: Buffer.from(this.seed()).toString('base64url') };
  }

  /** Verifies an Ed25519 signature made by the holder of `did`. Never throws on a bad signature. */
  static verify(did: string, data: Uint8Array, signature: Uint8Array): boolean {
    return verify(null, data, publicKeyObject(did), signature);
  }
}

const keyCache = new Map<string, KeyObject>();

/** The node:crypto public key of a did:key (cached: verification is on the hot path). */
export function publicKeyObject(did: string): KeyObject {
  let key = keyCache.get(did);
  if (key === undefined) {
    const raw = publicKeyFromDid(did);
    key = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
      format: 'jwk',
    });
    if (keyCache.size > 100_000) keyCache.clear();
    keyCache.set(did, key);
  }
  return key;
}

/** `did:key:z…` of a raw 32-byte Ed25519 public key. */
export function didFromPublicKey(publicKey: Uint8Array): string {
  const bytes = new Uint8Array(ED25519_PUB_PREFIX.length + publicKey.length);
  bytes.set(ED25519_PUB_PREFIX, 0);
  bytes.set(publicKey, ED25519_PUB_PREFIX.length);
  return DID_KEY_PREFIX + base58Encode(bytes);
}

/** The raw 32-byte Ed25519 public key named by a did:key; throws {@link InvalidDidError}. */
export function publicKeyFromDid(did: string): Uint8Array {
  if (typeof did !== 'string' || !did.startsWith(DID_KEY_PREFIX))
    throw new InvalidDidError(String(did), 'must start with did:key:z');
  const bytes = base58Decode(did.slice(DID_KEY_PREFIX.length));
  if (bytes === undefined) throw new InvalidDidError(did, 'not base58btc');
  if (bytes.length !== 34 || bytes[0] !== 0xed || bytes[1] !== 0x01)
    throw new InvalidDidError(did, 'not an Ed25519 public key');
  return bytes.slice(2);
}
