import { randomBytes } from 'node:crypto';
import type { AgentIdentity } from './AgentIdentity.ts';
import { canonicalJson, canonicalJsonBytes, type Clock } from '../kernel/index.ts';
import {
  DEFAULT_LIMITS,
  PROTOCOL_VERSION,
  type BroadcastFilter,
  type EncryptionHeader,
  type Envelope,
  type Priority,
  type UnsignedEnvelope,
} from './Envelope.ts';
import { TransportUsageError } from './errors.ts';

/** What the sender chooses; the rest (v, from, id, nonce, time, exp, sig) is filled in. */
export interface EnvelopeDraft {
  /** Omitted only by a `mandate.error` answering a request whose sender could not be read. */
  to?: string;
  type: string;
  body: unknown;
  cap?: string;
  re?: string;
  filter?: BroadcastFilter;
  /** Handling priority at the receiver; absent means normal. */
  priority?: Priority;
  /** Set when `body` is an HPKE ciphertext (see `sealBody`). */
  enc?: EncryptionHeader;
  /** Lifetime in ms; default 60 s, at most the protocol maximum (5 min). */
  ttlMs?: number;
}

/** Injected sources of time and randomness, so envelopes are reproducible in tests and vectors. */
export interface EnvelopeSources {
  clock: Pick<Clock, 'now'>;
  /** n random bytes (called once per envelope with n = 32: 16 for the id, 16 for the nonce). */
  random: (n: number) => Uint8Array;
}

// Random bytes drawn 8 KiB at a time: one system call per 256 envelopes instead of one per envelope.
let pool = new Uint8Array(0);
let poolAt = 0;
/** Cryptographically random bytes from a refilled pool (the default source of ids and nonces). */
export function pooledRandom(n: number): Uint8Array {
  if (poolAt + n > pool.length) {
    pool = new Uint8Array(randomBytes(Math.max(8192, n)));
    poolAt = 0;
  }
  const out = pool.slice(poolAt, poolAt + n);
  poolAt += n;
  return out;
}

const defaultSources: EnvelopeSources = { clock: { now: () => Date.now() }, random: pooledRandom };

/**
 * The bytes an envelope's signature covers: RFC 8785 canonical JSON of every field except `sig`. For an
 * envelope signed here, or opened from wire bytes whose signed part was already canonical (see
 * {@link wireSigningBytes}), these are the bytes found then: the same bytes, without canonicalizing again.
 */
export function signingBytes(envelope: UnsignedEnvelope | Envelope): Uint8Array {
  const known = signingBytesOf.get(envelope);
  if (known !== undefined) return known;
  const { sig: _sig, ...unsigned } = envelope as Envelope;
  return canonicalJsonBytes(unsigned);
}

/** Signing bytes already known for an envelope object (signed here, or read off canonical wire bytes), until it is garbage. */
const signingBytesOf = new WeakMap<object, Uint8Array>();

/** Records the signing bytes of an envelope just opened from the wire, when its signed part was canonical there. */
export function rememberSigningBytes(envelope: Envelope, bytes: Uint8Array): void {
  signingBytesOf.set(envelope, bytes);
}

/**
 * Builds and signs an envelope from `identity`.
 *
 * @example
 * const env = signEnvelope(alice, { to: bob.did, type: 'task.cfp', body: { taskId: 't1' } });
 */
export function signEnvelope(
  identity: AgentIdentity,
  draft: EnvelopeDraft,
  sources: EnvelopeSources = defaultSources,
): Envelope {
  const ttl = draft.ttlMs ?? 60_000;
  if (!Number.isInteger(ttl) || ttl <= 0 || ttl > DEFAULT_LIMITS.maxLifetimeMs) {
    throw new TransportUsageError(
      `Envelope ttlMs ${ttl} is out of range: use a whole number of ms between 1 and ${DEFAULT_LIMITS.maxLifetimeMs}.`,
      { details: { ttlMs: ttl } },
    );
  }
  const time = Math.floor(sources.clock.now());
  const rnd = sources.random(32);
  const unsigned: UnsignedEnvelope = {
    v: PROTOCOL_VERSION,
    id: Buffer.from(rnd.subarray(0, 16)).toString('base64url'),
    from: identity.did,
    ...(draft.to === undefined ? {} : { to: draft.to }),
    type: draft.type,
    ...(draft.cap === undefined ? {} : { cap: draft.cap }),
    ...(draft.re === undefined ? {} : { re: draft.re }),
    ...(draft.filter === undefined ? {} : { filter: draft.filter }),
    ...(draft.priority === undefined || draft.priority === 'normal' ? {} : { priority: draft.priority }),
    ...(draft.enc === undefined ? {} : { enc: draft.enc }),
    time,
    exp: time + ttl,
    nonce: Buffer.from(rnd.subarray(16, 32)).toString('base64url'),
    body: draft.body,
  };
  const canonical = canonicalJson(unsigned);
  const bytes = encoder.encode(canonical);
  const sig = Buffer.from(identity.sign(bytes)).toString('base64url');
  const env: Envelope = { ...unsigned, sig };
  signingBytesOf.set(env, bytes);
  // The wire form is the canonical text with `sig` spliced in (JSON member order is free): no second encoding pass.
  wireOf.set(env, `${canonical.slice(0, -1)},"sig":"${sig}"}`);
  return env;
}

const encoder = new TextEncoder();
/** Wire text of envelopes signed here, until they are garbage. */
const wireOf = new WeakMap<Envelope, string>();

/**
 * Wire bytes of an envelope: UTF-8 JSON of every member including `sig`. Any JSON serialization is valid on
 * the wire (receivers re-canonicalize to verify): an envelope signed by {@link signEnvelope} goes out as its
 * canonical text with `sig` added; any other as the engine's native `JSON.stringify`, which produces the same
 * numbers and strings as RFC 8785 and differs only in member order. Changing a signed envelope object after
 * signing is not supported (it would no longer match its signature anyway).
 */
export function encodeEnvelope(envelope: Envelope): Uint8Array {
  return encoder.encode(wireOf.get(envelope) ?? JSON.stringify(envelope));
}
