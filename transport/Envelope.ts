import { z } from 'zod';

/** Protocol version carried in every envelope and registry record (`v`): docs/protocol.md is version 1.1. */
export const PROTOCOL_VERSION = '1.1' as const;

const DID = /^did:key:z[1-9A-HJ-NP-Za-km-z]{40,60}$/;
const NAME = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$/;
const ID = /^[A-Za-z0-9_-]{8,64}$/;
const CAP_TO = /^cap:[a-z0-9][a-z0-9_.-]{0,127}$/;
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;
const SIG = /^[A-Za-z0-9_-]{85}[AQgw]$/;
/** 32 bytes as unpadded base64url: 42 full characters and one carrying 4 bits (its 2 unused bits zero). */
const KEY32 = /^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/;

/** A capability name: dot-separated lowercase segments (`payments.execute`, `fx.quote`). */
export const CapabilityNameSchema = z
  .string()
  .max(128)
  .regex(NAME, 'a capability is dot-separated lowercase segments like "fx.quote"');

/** An Ed25519 did:key (base58btc). */
export const DidSchema = z.string().regex(DID, 'expected a did:key:z… Ed25519 identifier');

/** A 32-byte key (X25519 public key, HPKE encapsulated key) as canonical unpadded base64url (43 characters). */
export const Key32Schema = z.string().regex(KEY32, 'a 32-byte key is 43 characters of canonical unpadded base64url');

/** An Ed25519 signature: 64 bytes as canonical unpadded base64url. */
export const SignatureSchema = z
  .string()
  // 64 bytes = 85 full base64url characters + one carrying 2 bits; its 4 unused low bits must be zero
  // (RFC 4648 §3.5 canonical encoding), or one signature would have 16 spellings on the wire.
  .regex(SIG, 'a signature is 64 bytes as canonical unpadded base64url (86 characters, the last one of A, Q, g, w)');

/** Which agents a broadcast is for; every present field must match. */
export const BroadcastFilterSchema = z.strictObject({
  capability: CapabilityNameSchema.optional(),
  node: z.string().max(128).optional(),
  group: z.string().max(128).optional(),
  minReputation: z.number().min(0).max(1).optional(),
});
/** Which agents a broadcast is for. */
export type BroadcastFilter = z.infer<typeof BroadcastFilterSchema>;

/** Message priority, lowest first; absent means `normal`. Receivers handle higher priorities first (docs/protocol.md §2.2). */
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
/** One of {@link PRIORITIES}. */
export type Priority = (typeof PRIORITIES)[number];

/** The one payload encryption suite of v1.1: HPKE (RFC 9180) base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305. */
export const ENCRYPTION_SUITE = 'hpke-x25519-sha256-chacha20poly1305';

/** How an encrypted body was sealed (docs/protocol.md §3.1); `body` is then the base64url ciphertext. */
export const EncryptionHeaderSchema = z.strictObject({
  alg: z.literal(ENCRYPTION_SUITE),
  /** The recipient's X25519 public key it was sealed to. */
  rk: Key32Schema,
  /** HPKE encapsulated key (the sender's ephemeral X25519 public key). */
  ek: Key32Schema,
});
/** An encryption header. */
export type EncryptionHeader = z.infer<typeof EncryptionHeaderSchema>;

// The envelope comes out of JSON.parse, so its body is JSON by construction; only presence is checked here
// (the accepting type's schema validates the shape). Senders' bodies are checked by canonicalJson.
const JsonValue = z.custom<unknown>((v) => v !== undefined, 'body is required (use null for none)');

/**
 * The signed unit of every agent-to-agent message (see docs/protocol.md §2).
 * `to` is a did:key (one agent), `cap:<capability>` (any one holder, queue group) or `*` (broadcast, see `filter`);
 * only a `mandate.error` may omit it (the refused request named no valid sender).
 */
export const EnvelopeSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  id: z.string().regex(ID, 'an id is 8-64 base64url characters'),
  from: DidSchema,
  to: z.union([DidSchema, z.literal('*'), z.string().regex(CAP_TO, 'expected cap:<capability>')]).optional(),
  type: z.string().max(128).regex(NAME, 'a type is dot-separated lowercase segments like "task.cfp"'),
  cap: CapabilityNameSchema.optional(),
  re: z.string().regex(ID).optional(),
  filter: BroadcastFilterSchema.optional(),
  priority: z.enum(PRIORITIES).optional(),
  enc: EncryptionHeaderSchema.optional(),
  time: z.int().nonnegative(),
  exp: z.int().nonnegative(),
  nonce: z.string().regex(NONCE, 'a nonce is 16-64 base64url characters (at least 96 random bits)'),
  body: JsonValue,
  sig: SignatureSchema,
});

const MEMBERS = new Set(Object.keys(EnvelopeSchema.shape));
const isString = (v: unknown): v is string => typeof v === 'string';
const isName = (v: unknown): boolean => isString(v) && v.length <= 128 && NAME.test(v);
const isStamp = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * The common envelope (no `filter`, no `enc`) checked by hand: true only when {@link EnvelopeSchema} accepts
 * `raw` unchanged (same regular expressions, strict members), at a fraction of zod's cost per message. False
 * means "not proven here", never "invalid": the receiver then runs the schema, which accepts or names the
 * field. A property test holds the two together (`Envelope.test.ts`).
 */
export function isPlainEnvelope(raw: object): raw is Envelope {
  const e = raw as Record<string, unknown>;
  for (const k in e) if (!MEMBERS.has(k)) return false;
  const { to, cap, re, priority } = e;
  return (
    e.v === PROTOCOL_VERSION &&
    isString(e.id) &&
    ID.test(e.id) &&
    isString(e.from) &&
    DID.test(e.from) &&
    (to === undefined || (isString(to) && (to === '*' || DID.test(to) || CAP_TO.test(to)))) &&
    isName(e.type) &&
    (cap === undefined || isName(cap)) &&
    (re === undefined || (isString(re) && ID.test(re))) &&
    e.filter === undefined &&
    e.enc === undefined &&
    (priority === undefined || (isString(priority) && (PRIORITIES as readonly string[]).includes(priority))) &&
    isStamp(e.time) &&
    isStamp(e.exp) &&
    isString(e.nonce) &&
    NONCE.test(e.nonce) &&
    e.body !== undefined &&
    isString(e.sig) &&
    SIG.test(e.sig)
  );
}

/** A signed envelope as it travels on the wire. */
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** Everything of an envelope except its signature: what gets canonicalized and signed. */
export type UnsignedEnvelope = Omit<Envelope, 'sig'>;

/** Limits a receiver enforces; the defaults are the protocol's (docs/protocol.md §12). */
export interface EnvelopeLimits {
  /** Largest encoded envelope accepted, in bytes. Default 256 KiB. */
  maxBytes: number;
  /** Deepest nesting of arrays and objects accepted (the envelope object itself is depth 1). Default 32. */
  maxDepth: number;
  /** Longest allowed `exp - time`, ms. Default 5 minutes. */
  maxLifetimeMs: number;
  /** Tolerated clock difference between peers, ms. Default 30 s. */
  clockSkewMs: number;
}

/** The protocol's default limits. */
export const DEFAULT_LIMITS: Readonly<EnvelopeLimits> = Object.freeze({
  maxBytes: 256 * 1024,
  maxDepth: 32,
  maxLifetimeMs: 5 * 60_000,
  clockSkewMs: 30_000,
});
