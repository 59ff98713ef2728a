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
  const { envelope, signed, wire } = signForWire(identity, draft, sources);
  signingBytesOf.set(envelope, signed);
  wireOf.set(envelope, wire);
  return envelope;
}

/** A signed envelope with its signing bytes and its wire bytes, as {@link signForWire} made them. */
export interface SignedForWire {
  envelope: Envelope;
  /** RFC 8785 canonical UTF-8 of every member but `sig`: what the signature covers. */
  signed: Uint8Array;
  /** The same bytes with `,"sig":"…"}` in place of the closing brace: what goes on the wire. */
  wire: Uint8Array;
}

/**
 * {@link signEnvelope} for the send path: the envelope together with its signing and wire bytes, encoded once
 * (the wire bytes are the signing bytes with `sig` spliced in as the last member), and nothing remembered per
 * envelope object.
 */
export function signForWire(
  identity: AgentIdentity,
  draft: EnvelopeDraft,
  sources: EnvelopeSources = defaultSources,
): SignedForWire {
  const ttl = draft.ttlMs ?? 60_000;
  if (!Number.isInteger(ttl) || ttl <= 0 || ttl > DEFAULT_LIMITS.maxLifetimeMs) {
    throw new TransportUsageError(
      `Envelope ttlMs ${ttl} is out of range: use a whole number of ms between 1 and ${DEFAULT_LIMITS.maxLifetimeMs}.`,
      { details: { ttlMs: ttl } },
    );
  }
  const time = Math.floor(sources.clock.now());
  const rnd = sources.random(32);
  const rb = Buffer.from(rnd.buffer, rnd.byteOffset, 32);
  const unsigned: UnsignedEnvelope = {
    v: PROTOCOL_VERSION,
    id: rb.toString('base64url', 0, 16),
    from: identity.did,
    type: draft.type,
    time,
    exp: time + ttl,
    nonce: rb.toString('base64url', 16, 32),
    body: draft.body,
  };
  // Optional members only when present (an `undefined` member would be dropped by JSON anyway).
  if (draft.to !== undefined) unsigned.to = draft.to;
  if (draft.cap !== undefined) unsigned.cap = draft.cap;
  if (draft.re !== undefined) unsigned.re = draft.re;
  if (draft.filter !== undefined) unsigned.filter = draft.filter;
  if (draft.priority !== undefined && draft.priority !== 'normal') unsigned.priority = draft.priority;
  if (draft.enc !== undefined) unsigned.enc = draft.enc;
  const signed = encoder.encode(canonicalEnvelope(unsigned));
  const sig = Buffer.from(identity.sign(signed)).toString('base64url');
  const envelope = unsigned as Envelope;
  envelope.sig = sig; // the last member, as on the wire (no copy of the object)
  // The wire form is the canonical text with `sig` spliced in (JSON member order is free): no second encoding pass.
  const end = signed.length - 1;
  const wire = new Uint8Array(end + 10 + sig.length);
  wire.set(signed.subarray(0, end), 0);
  encoder.encodeInto(`,"sig":"${sig}"}`, wire.subarray(end));
  return { envelope, signed, wire };
}

/**
 * RFC 8785 text of an unsigned envelope: its members in their fixed sorted order, each value through the
 * kernel's canonicalJson (strings that need no escaping quoted directly). Whatever the fast path cannot write
 * (a value with no canonical form) goes through canonicalJson of the whole envelope, which names its path.
 */
function canonicalEnvelope(u: UnsignedEnvelope): string {
  try {
    let out = `{"body":${canonicalJson(u.body)}`;
    if (u.cap !== undefined) out += `,"cap":${str(u.cap)}`;
    if (u.enc !== undefined) out += `,"enc":${canonicalJson(u.enc)}`;
    out += `,"exp":${num(u.exp)}`;
    if (u.filter !== undefined) out += `,"filter":${canonicalJson(u.filter)}`;
    out += `,"from":${str(u.from)},"id":${str(u.id)},"nonce":${str(u.nonce)}`;
    if (u.priority !== undefined) out += `,"priority":${str(u.priority)}`;
    if (u.re !== undefined) out += `,"re":${str(u.re)}`;
    out += `,"time":${num(u.time)}`;
    if (u.to !== undefined) out += `,"to":${str(u.to)}`;
    return `${out},"type":${str(u.type)},"v":${str(u.v)}}`;
  } catch {
    return canonicalJson(u); // throws the CanonicalJsonError naming the member's path
  }
}

// eslint-disable-next-line no-control-regex -- the controls are exactly what must be escaped
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;
const str = (v: unknown): string => (typeof v === 'string' && PLAIN.test(v) ? `"${v}"` : canonicalJson(v));
const num = (v: unknown): string => (Number.isSafeInteger(v) ? String(v) : canonicalJson(v));

const encoder = new TextEncoder();
/** Wire bytes of envelopes signed by {@link signEnvelope}, until they are garbage. */
const wireOf = new WeakMap<Envelope, Uint8Array>();

/**
 * Wire bytes of an envelope: UTF-8 JSON of every member including `sig`. Any JSON serialization is valid on
 * the wire (receivers re-canonicalize to verify): an envelope signed by {@link signEnvelope} goes out as its
 * canonical text with `sig` added; any other as the engine's native `JSON.stringify`, which produces the same
 * numbers and strings as RFC 8785 and differs only in member order. Changing a signed envelope object after
 * signing is not supported (it would no longer match its signature anyway).
 */
export function encodeEnvelope(envelope: Envelope): Uint8Array {
  const wire = wireOf.get(envelope);
  return wire === undefined ? encoder.encode(JSON.stringify(envelope)) : wire.slice(); // a copy per call, as before
}
