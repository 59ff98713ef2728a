import { DEFAULT_LIMITS, EnvelopeSchema, type Envelope, type EnvelopeLimits } from './Envelope.ts';
import { EnvelopeRejectedError, RejectCode } from './errors.ts';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** When a receiver checks an envelope: `now` from its clock; `storedAt` when a durable stream accepted it. */
export interface OpenContext {
  now: number;
  /** For JetStream deliveries: the server's store time. Expiry is judged at that instant, so an outage does not expire queued work. */
  storedAt?: number;
  limits?: EnvelopeLimits;
}

/**
 * The stateless half of envelope admission: size, UTF-8, JSON, schema and time checks.
 * Throws {@link EnvelopeRejectedError} with `MANDATE_ERR_ENVELOPE_TOO_LARGE`, `…_MALFORMED` or `…_EXPIRED`.
 * The signature, signer, capability and replay checks follow in the {@link MessageBus}.
 */
export function openEnvelope(bytes: Uint8Array, ctx: OpenContext): Envelope {
  const limits = ctx.limits ?? DEFAULT_LIMITS;
  if (bytes.length > limits.maxBytes) {
    throw new EnvelopeRejectedError(
      RejectCode.tooLarge,
      `Envelope of ${bytes.length} bytes exceeds the limit of ${limits.maxBytes} bytes; send large data by reference.`,
      {
        details: { size: bytes.length, limit: limits.maxBytes },
      },
    );
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
  const parsed = EnvelopeSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') || '(root)';
    throw new EnvelopeRejectedError(
      RejectCode.malformed,
      `Envelope field "${path}" is invalid: ${issue?.message ?? 'schema mismatch'}. See docs/protocol.md §2.`,
      {
        details: {
          path,
          issues: parsed.error.issues.slice(0, 5).map((i) => ({ path: i.path.join('.'), message: i.message })),
        },
      },
    );
  }
  const env = parsed.data;
  if (env.exp <= env.time || env.exp - env.time > limits.maxLifetimeMs) {
    throw new EnvelopeRejectedError(
      RejectCode.malformed,
      `Envelope ${env.id} lifetime exp-time=${env.exp - env.time} ms is outside (0, ${limits.maxLifetimeMs}] ms; set exp later than time, by at most ${limits.maxLifetimeMs} ms.`,
      {
        details: { id: env.id, time: env.time, exp: env.exp },
      },
    );
  }
  const at = ctx.storedAt ?? ctx.now;
  if (env.time > at + limits.clockSkewMs) {
    throw new EnvelopeRejectedError(
      RejectCode.expired,
      `Envelope ${env.id} is dated ${env.time}, more than ${limits.clockSkewMs} ms after the receiver's clock ${at}: check the sender's clock.`,
      {
        details: { id: env.id, time: env.time, now: at },
      },
    );
  }
  if (at > env.exp + limits.clockSkewMs) {
    throw new EnvelopeRejectedError(
      RejectCode.expired,
      `Envelope ${env.id} expired at ${env.exp} (receiver time ${at}, skew ${limits.clockSkewMs} ms); the sender must send a fresh envelope.`,
      {
        details: { id: env.id, exp: env.exp, now: at },
      },
    );
  }
  return env;
}
