import { publicKeyFromDid } from './AgentIdentity.ts';
import {
  DEFAULT_LIMITS,
  EnvelopeSchema,
  isPlainEnvelope,
  PROTOCOL_VERSION,
  type Envelope,
  type EnvelopeLimits,
} from './Envelope.ts';
import { EnvelopeRejectedError, RejectCode, type EnvelopeRefusal, type RefusedPeer } from './errors.ts';
import { jsonNestingDepth } from './jsonNestingDepth.ts';
import { rememberSigningBytes } from './signEnvelope.ts';
import { wireSigningBytes } from './wireSigningBytes.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });
const ID = /^[A-Za-z0-9_-]{8,64}$/;
const DID = /^did:key:z[1-9A-HJ-NP-Za-km-z]{40,60}$/;

/** When a receiver checks an envelope: `now` from its clock; `storedAt` when a durable stream accepted it. */
export interface OpenContext {
  now: number;
  /** For JetStream deliveries: the server's store time. Expiry is judged at that instant, so an outage does not expire queued work. */
  storedAt?: number;
  limits?: EnvelopeLimits;
}

/** The `from` and `id` of a parsed (possibly invalid) envelope that a refusal may echo: each only if valid (§5). */
export function refusedPeer(raw: unknown): RefusedPeer {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
  const { from, id } = raw as { from?: unknown; id?: unknown };
  const peer: RefusedPeer = {};
  if (typeof from === 'string' && DID.test(from)) {
    try {
      publicKeyFromDid(from);
      peer.from = from;
    } catch {
      // a did:key that is not an Ed25519 key: not echoed
    }
  }
  if (typeof id === 'string' && ID.test(id)) peer.id = id;
  return peer;
}

function reject(raw: unknown, { code, message, details }: EnvelopeRefusal): never {
  throw new EnvelopeRejectedError(code, message, {
    peer: refusedPeer(raw),
    ...(details === undefined ? {} : { details }),
  });
}

/**
 * The stateless half of envelope admission, in the order of docs/protocol.md §6: size, nesting depth (a
 * linear scan of the raw bytes, before anything recursive runs; for a canonical sender's bytes the bounded
 * canonical scan of {@link wireSigningBytes} proves it), UTF-8 and JSON, protocol version, schema (checked by
 * hand for the common envelope, by the zod schema otherwise and for every refusal's message), and time checks. Throws {@link EnvelopeRejectedError} with `…_TOO_LARGE`, `…_MALFORMED`, `…_VERSION` or
 * `…_EXPIRED`, carrying the sender and id when they could be read (for the `mandate.error` answer).
 * The signature, signer, capability and replay checks follow in {@link EnvelopeAdmission}.
 */
export function openEnvelope(bytes: Uint8Array, ctx: OpenContext): Envelope {
  const { envelope, signed } = openWire(bytes, ctx);
  if (signed !== undefined) rememberSigningBytes(envelope, signed);
  return envelope;
}

/** An envelope {@link openWire} opened, with its signing bytes when they could be read off the wire. */
export interface OpenedWire {
  envelope: Envelope;
  /** The signing bytes read off canonical wire bytes ({@link wireSigningBytes}); undefined: canonicalize the envelope. */
  signed: Uint8Array | undefined;
}

/** {@link openEnvelope} for the receive path: the envelope with its signing bytes, nothing remembered per envelope object. */
export function openWire(bytes: Uint8Array, ctx: OpenContext): OpenedWire {
  const limits = ctx.limits ?? DEFAULT_LIMITS;
  if (bytes.length > limits.maxBytes) {
    reject(undefined, {
      code: RejectCode.tooLarge,
      message: `Envelope of ${bytes.length} bytes exceeds the limit of ${limits.maxBytes} bytes; send large data by reference.`,
      details: { size: bytes.length, limit: limits.maxBytes },
    });
  }
  // Read off now, while `bytes` is certainly the buffer that was received (the check that uses it is async).
  // Bytes a canonical sender wrote are proven within the depth limit by that same scan.
  const signed = wireSigningBytes(bytes, limits.maxDepth);
  if (signed === undefined && jsonNestingDepth(bytes, limits.maxDepth) > limits.maxDepth) {
    reject(undefined, {
      code: RejectCode.malformed,
      message: `Envelope nests arrays/objects more than ${limits.maxDepth} levels deep; flatten the body (docs/protocol.md §12).`,
      details: { limit: limits.maxDepth },
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(bytes));
  } catch (cause) {
    throw new EnvelopeRejectedError(
      RejectCode.malformed,
      `Envelope is not UTF-8 JSON: ${(cause as Error).message}; encode it as docs/protocol.md §2 says.`,
      {
        cause,
      },
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    reject(raw, { code: RejectCode.malformed, message: 'Envelope is not a JSON object (docs/protocol.md §2).' });
  const v = (raw as { v?: unknown }).v;
  if (v !== PROTOCOL_VERSION && v !== undefined) {
    reject(raw, {
      code: RejectCode.version,
      message: `Envelope protocol version ${JSON.stringify(v)} is not spoken here: this node speaks "${PROTOCOL_VERSION}" (docs/protocol.md); upgrade the peer.`,
      details: { version: typeof v === 'string' || typeof v === 'number' ? v : null, supported: PROTOCOL_VERSION },
    });
  }
  const env = isPlainEnvelope(raw) ? raw : schemaChecked(raw);
  if (env.to === undefined && env.type !== 'mandate.error')
    reject(raw, {
      code: RejectCode.malformed,
      message: `Envelope field "to" is required for type "${env.type}" (docs/protocol.md §2).`,
    });
  if (env.exp <= env.time || env.exp - env.time > limits.maxLifetimeMs) {
    reject(raw, {
      code: RejectCode.malformed,
      message: `Envelope ${env.id} lifetime exp-time=${env.exp - env.time} ms is outside (0, ${limits.maxLifetimeMs}] ms; set exp later than time, by at most ${limits.maxLifetimeMs} ms.`,
      details: { id: env.id, time: env.time, exp: env.exp },
    });
  }
  const at = ctx.storedAt ?? ctx.now;
  if (env.time > at + limits.clockSkewMs) {
    reject(raw, {
      code: RejectCode.expired,
      message: `Envelope ${env.id} is dated ${env.time}, more than ${limits.clockSkewMs} ms after the receiver's clock ${at}: check the sender's clock.`,
      details: { id: env.id, time: env.time, now: at },
    });
  }
  if (at > env.exp + limits.clockSkewMs) {
    reject(raw, {
      code: RejectCode.expired,
      message: `Envelope ${env.id} expired at ${env.exp} (receiver time ${at}, skew ${limits.clockSkewMs} ms); the sender must send a fresh envelope.`,
      details: { id: env.id, exp: env.exp, now: at },
    });
  }
  return { envelope: env, signed };
}

/** The envelope schema's verdict on what the hand check could not prove valid: the envelope, or the refusal naming the field. */
function schemaChecked(raw: object): Envelope {
  const parsed = EnvelopeSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') || '(root)';
  return reject(raw, {
    code: RejectCode.malformed,
    message: `Envelope field "${path}" is invalid: ${issue?.message ?? 'schema mismatch'}. See docs/protocol.md §2.`,
    details: {
      path,
      issues: parsed.error.issues.slice(0, 5).map((i) => ({ path: i.path.join('.'), message: i.message })),
    },
  });
}
