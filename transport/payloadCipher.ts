import { Chacha20Poly1305 } from '@hpke/chacha20poly1305';
import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { canonicalJsonBytes } from '../kernel/index.ts';
import { publicKeyFromDid } from './AgentIdentity.ts';
import {
  DEFAULT_LIMITS,
  ENCRYPTION_SUITE,
  PROTOCOL_VERSION,
  type EncryptionHeader,
  type Envelope,
} from './Envelope.ts';
import { EnvelopeRejectedError, RejectCode, TransportUsageError } from './errors.ts';
import { jsonNestingDepth } from './jsonNestingDepth.ts';

// RFC 9180 base mode: DHKEM(X25519, HKDF-SHA256) = 0x0020, HKDF-SHA256 = 0x0001, ChaCha20-Poly1305 = 0x0003.
const suite = new CipherSuite({
  kem: new DhkemX25519HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Chacha20Poly1305(),
});
const decoder = new TextDecoder('utf-8', { fatal: true });
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64url');
const unb64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64url'));

/** An X25519 key pair for payload encryption (32-byte raw keys). */
export interface X25519KeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}

/** The X25519 public key derived from a did:key's Ed25519 key (RFC 7748 birational map): whom to encrypt to by default. */
export function x25519FromDid(did: string): Uint8Array {
  return ed25519.utils.toMontgomery(publicKeyFromDid(did));
}

/** The X25519 key pair derived from an Ed25519 seed (secret = clamped first half of SHA-512(seed), as RFC 8032 does). */
export function x25519FromSeed(seed: Uint8Array): X25519KeyPair {
  const secretKey = ed25519.utils.toMontgomerySecret(seed);
  return { publicKey: x25519.getPublicKey(secretKey), secretKey };
}

/** The HPKE `info`: binds the ciphertext to its sender, recipient and type, so nobody can re-sign it as theirs. */
function infoOf(from: string, to: string, type: string): Uint8Array {
  return canonicalJsonBytes({ from, to, type, v: PROTOCOL_VERSION });
}

/** What to seal: the plaintext body and the envelope fields it is bound to. */
export interface SealInput {
  body: unknown;
  from: string;
  to: string;
  type: string;
  /** The recipient's X25519 public key (its descriptor's `encryptionKey`, or {@link x25519FromDid}). */
  recipientKey: Uint8Array;
  /** Fixed ephemeral secret, for reproducible test vectors only; random otherwise. */
  ephemeralSecret?: Uint8Array;
}

/**
 * Encrypts an envelope body to its recipient (docs/protocol.md §3.1): HPKE base mode over the UTF-8 canonical
 * JSON of the body. The result goes into the envelope as `enc` and `body` (base64url), and the envelope is then
 * signed as usual, so the signature covers the ciphertext.
 */
export async function sealBody(input: SealInput): Promise<{ enc: EncryptionHeader; body: string }> {
  if (!input.to.startsWith('did:key:'))
    throw new TransportUsageError(`An encrypted body goes to one agent (did:key:…), not "${input.to}".`);
  const recipientPublicKey = await suite.kem.importKey('raw', input.recipientKey.slice().buffer, true);
  const ekm =
    input.ephemeralSecret === undefined
      ? undefined
      : {
          privateKey: await suite.kem.importKey('raw', input.ephemeralSecret.slice().buffer, false),
          publicKey: await suite.kem.importKey('raw', x25519.getPublicKey(input.ephemeralSecret).buffer, true),
        };
  const sealed = await suite.seal(
    { recipientPublicKey, info: infoOf(input.from, input.to, input.type), ...(ekm === undefined ? {} : { ekm }) },
    canonicalJsonBytes(input.body),
  );
  return {
    enc: { alg: ENCRYPTION_SUITE, rk: b64(input.recipientKey), ek: b64(new Uint8Array(sealed.enc)) },
    body: b64(new Uint8Array(sealed.ct)),
  };
}

function refuse(env: Envelope, why: string, cause?: unknown): never {
  throw new EnvelopeRejectedError(
    RejectCode.encryption,
    `Encrypted body of envelope ${env.id} from ${env.from} cannot be opened: ${why}.`,
    {
      ...(cause === undefined ? {} : { cause }),
      peer: { from: env.from, id: env.id },
      details: { id: env.id, from: env.from, type: env.type },
    },
  );
}

/** Decrypts an admitted envelope's body with the recipient's key pair; refuses with `MANDATE_ERR_ENVELOPE_ENCRYPTION`. */
export async function openBody(env: Envelope, recipient: X25519KeyPair): Promise<unknown> {
  const enc = env.enc!;
  if (enc.rk !== b64(recipient.publicKey)) refuse(env, `it is sealed to key ${enc.rk}, which this agent does not hold`);
  if (typeof env.body !== 'string' || !/^[A-Za-z0-9_-]*$/.test(env.body))
    refuse(env, 'an encrypted body must be a base64url string');
  let plain: Uint8Array;
  try {
    const recipientKey = await suite.kem.importKey('raw', recipient.secretKey.slice().buffer, false);
    plain = new Uint8Array(
      await suite.open(
        { recipientKey, enc: unb64(enc.ek), info: infoOf(env.from, env.to ?? '', env.type) },
        unb64(env.body),
      ),
    );
  } catch (cause) {
    refuse(env, 'authentication failed (wrong key, or tampered ciphertext, sender, recipient or type)', cause);
  }
  if (jsonNestingDepth(plain, DEFAULT_LIMITS.maxDepth - 1) > DEFAULT_LIMITS.maxDepth - 1)
    refuse(env, 'the plaintext nests too deeply');
  try {
    return JSON.parse(decoder.decode(plain));
  } catch (cause) {
    return refuse(env, 'the plaintext is not UTF-8 JSON', cause);
  }
}
