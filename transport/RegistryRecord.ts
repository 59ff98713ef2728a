import { z } from 'zod';
import { canonicalJsonBytes } from '../kernel/index.ts';
import { AgentIdentity } from './AgentIdentity.ts';
import { DidSchema, PROTOCOL_VERSION, SignatureSchema } from './Envelope.ts';
import { jsonNestingDepth } from './jsonNestingDepth.ts';

/** The kinds of signed registry record (docs/protocol.md §9). A heartbeat is a re-signed descriptor. */
export const RecordType = { descriptor: 'registry.descriptor', revocation: 'registry.revocation' } as const;
/** One of {@link RecordType}'s values. */
export type RecordTypeValue = (typeof RecordType)[keyof typeof RecordType];

/** Largest registry record read, in bytes, and deepest nesting (checked on the raw bytes before parsing). */
export const RECORD_LIMITS = Object.freeze({ maxBytes: 64 * 1024, maxDepth: 16 });

/**
 * A self-certifying registry entry: `body` (a descriptor or a revocation) signed by `from` with Ed25519 over
 * the RFC 8785 canonical JSON of the record without `sig`, exactly as envelopes are signed (§3). The strict
 * member set keeps records and envelopes apart: neither parses as the other.
 */
export const SignedRecordSchema = z.strictObject({
  v: z.literal(PROTOCOL_VERSION),
  type: z.enum([RecordType.descriptor, RecordType.revocation]),
  from: DidSchema,
  body: z.looseObject({}),
  sig: SignatureSchema,
});
/** A signed registry record as stored in the registry buckets. */
export type SignedRecord = z.infer<typeof SignedRecordSchema>;

/** Whatever can sign registry records: an {@link AgentIdentity}. */
export interface RecordSigner {
  readonly did: string;
  sign(data: Uint8Array): Uint8Array;
}

/** Signs `body` as a record of `type` by `signer`. */
export function signRecord(signer: RecordSigner, type: RecordTypeValue, body: Record<string, unknown>): SignedRecord {
  const unsigned = { v: PROTOCOL_VERSION, type, from: signer.did, body };
  const sig = Buffer.from(signer.sign(canonicalJsonBytes(unsigned))).toString('base64url');
  return { ...unsigned, sig };
}

/** Why a stored record was not used. */
export type RecordVerdict = { ok: true; record: SignedRecord } | { ok: false; reason: string; signer?: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Checks an already parsed record: shape, type and signature. Never throws. */
export function verifyRecordObject(raw: unknown, type: RecordTypeValue): RecordVerdict {
  const parsed = SignedRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const signer = (raw as { from?: unknown } | null)?.from;
    return {
      ok: false,
      reason: `not a signed record: "${issue?.path.join('.') || '(root)'}" ${issue?.message ?? 'is invalid'}`,
      ...(typeof signer === 'string' && signer.length < 100 ? { signer } : {}),
    };
  }
  const record = parsed.data;
  if (record.type !== type)
    return { ok: false, reason: `a ${record.type} record where a ${type} belongs`, signer: record.from };
  const { sig, ...unsigned } = record;
  let ok: boolean;
  try {
    ok = AgentIdentity.verify(record.from, canonicalJsonBytes(unsigned), new Uint8Array(Buffer.from(sig, 'base64url')));
  } catch {
    ok = false; // a string with no canonical form (lone surrogate) or an unusable key: nobody signed it
  }
  return ok
    ? { ok: true, record }
    : { ok: false, reason: `the signature does not verify under ${record.from}`, signer: record.from };
}

/** Reads a stored record (raw bytes from a bucket): size and depth first, then JSON, shape, type and signature. Never throws. */
export function verifyRecord(bytes: Uint8Array, type: RecordTypeValue): RecordVerdict {
  if (bytes.length > RECORD_LIMITS.maxBytes)
    return { ok: false, reason: `${bytes.length} bytes, over the ${RECORD_LIMITS.maxBytes}-byte limit` };
  if (jsonNestingDepth(bytes, RECORD_LIMITS.maxDepth) > RECORD_LIMITS.maxDepth)
    return { ok: false, reason: `nested deeper than ${RECORD_LIMITS.maxDepth} levels` };
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(bytes));
  } catch {
    return { ok: false, reason: 'not UTF-8 JSON (an unsigned or corrupt value)' };
  }
  return verifyRecordObject(raw, type);
}

/** Wire form of a record (UTF-8 JSON). */
export function encodeRecord(record: SignedRecord): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(record));
}
