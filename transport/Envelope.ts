import { z } from 'zod';

/** Protocol version carried in every envelope (`v`). */
export const PROTOCOL_VERSION = 1;

const DID = /^did:key:z[1-9A-HJ-NP-Za-km-z]{40,60}$/;
const NAME = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$/;
const ID = /^[A-Za-z0-9_-]{8,64}$/;

/** A capability name: dot-separated lowercase segments (`payments.execute`, `fx.quote`). */
export const CapabilityNameSchema = z
  .string()
  .max(128)
  .regex(NAME, 'a capability is dot-separated lowercase segments like "fx.quote"');

/** An Ed25519 did:key (base58btc). */
export const DidSchema = z.string().regex(DID, 'expected a did:key:z… Ed25519 identifier');

/** Which agents a broadcast is for; every present field must match. */
export const BroadcastFilterSchema = z.strictObject({
  capability: CapabilityNameSchema.optional(),
  node: z.string().max(128).optional(),
  group: z.string().max(128).optional(),
  minReputation: z.number().min(0).max(1).optional(),
});
/** Which agents a broadcast is for. */
export type BroadcastFilter = z.infer<typeof BroadcastFilterSchema>;

// The envelope comes out of JSON.parse, so its body is JSON by construction; only presence is checked here
// (the accepting type's schema validates the shape). Senders' bodies are checked by canonicalJson.
const JsonValue = z.custom<unknown>((v) => v !== undefined, 'body is required (use null for none)');

/**
 * The signed unit of every agent-to-agent message (see docs/protocol.md §2).
 * `to` is a did:key (one agent), `cap:<capability>` (any one holder, queue group) or `*` (broadcast, see `filter`).
 */
export const EnvelopeSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  id: z.string().regex(ID, 'an id is 8-64 base64url characters'),
  from: DidSchema,
  to: z.union([
    DidSchema,
    z.literal('*'),
    z.string().regex(/^cap:[a-z0-9][a-z0-9_.-]{0,127}$/, 'expected cap:<capability>'),
  ]),
  type: z.string().max(128).regex(NAME, 'a type is dot-separated lowercase segments like "task.cfp"'),
  cap: CapabilityNameSchema.optional(),
  re: z.string().regex(ID).optional(),
  filter: BroadcastFilterSchema.optional(),
  time: z.int().nonnegative(),
  exp: z.int().nonnegative(),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'a nonce is 16-64 base64url characters (at least 96 random bits)'),
  body: JsonValue,
  // 64 bytes = 85 full base64url characters + one carrying 2 bits; its 4 unused low bits must be zero
  // (RFC 4648 §3.5 canonical encoding), or one signature would have 16 spellings on the wire.
  sig: z
    .string()
    .regex(
      /^[A-Za-z0-9_-]{85}[AQgw]$/,
      'a signature is 64 bytes as canonical unpadded base64url (86 characters, the last one of A, Q, g, w)',
    ),
});

/** A signed envelope as it travels on the wire. */
export type Envelope = z.infer<typeof EnvelopeSchema>;

/** Everything of an envelope except its signature: what gets canonicalized and signed. */
export type UnsignedEnvelope = Omit<Envelope, 'sig'>;

/** Limits a receiver enforces; the defaults are the protocol's (docs/protocol.md §6). */
export interface EnvelopeLimits {
  /** Largest encoded envelope accepted, in bytes. Default 256 KiB. */
  maxBytes: number;
  /** Longest allowed `exp - time`, ms. Default 5 minutes. */
  maxLifetimeMs: number;
  /** Tolerated clock difference between peers, ms. Default 30 s. */
  clockSkewMs: number;
}

/** The protocol's default limits. */
export const DEFAULT_LIMITS: Readonly<EnvelopeLimits> = Object.freeze({
  maxBytes: 256 * 1024,
  maxLifetimeMs: 5 * 60_000,
  clockSkewMs: 30_000,
});
