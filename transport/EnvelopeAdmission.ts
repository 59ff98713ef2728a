import { CanonicalJsonError, MandateError, type Clock } from '../kernel/index.ts';
import type { z } from 'zod';
import type { CapabilityRegistry, SignerStatus } from './CapabilityRegistry.ts';
import { DEFAULT_LIMITS, type Envelope, type EnvelopeLimits } from './Envelope.ts';
import { EnvelopeRejectedError, RejectCode, type EnvelopeRefusal } from './errors.ts';
import { openEnvelope, openWire, type OpenContext, type OpenedWire } from './openEnvelope.ts';
import { openBody, type X25519KeyPair } from './payloadCipher.ts';
import type { ReplayGuard } from './ReplayGuard.ts';
import type { SignatureVerifier } from './SignatureVerifier.ts';
import { signingBytes } from './signEnvelope.ts';

/** What a receiver accepts of one message type: a zod schema for the (plaintext) body, the capability the sender must claim and hold, and whether the body must arrive encrypted. */
export interface AcceptSpec {
  body?: z.ZodType;
  capability?: string;
  encrypted?: boolean;
}

/** Where and how an envelope arrived. */
export interface AdmitRequest {
  bytes: Uint8Array;
  /** Replay scope (recipient did, capability, or node id for broadcasts). */
  scope: string;
  /** Does the envelope's `to` fit the subject it arrived on? (`undefined` only for to-less `mandate.error`.) */
  recipientOk: (to: string | undefined) => boolean;
  /** Accepted types; a type not listed is refused with `MANDATE_ERR_ENVELOPE_UNHANDLED`. */
  accepts: Readonly<Record<string, AcceptSpec>>;
  /** The receiving agent's X25519 key pair, to open encrypted bodies (none: encrypted envelopes are refused). */
  decryptWith?: () => X25519KeyPair;
  storedAt?: number;
  redelivery?: boolean;
  /** Came from a durable stream: the replay check uses the exact shared store. */
  durable?: boolean;
  /** The signing bytes {@link EnvelopeAdmission.openWire} read off the wire (absent: the envelope is canonicalized). */
  signed?: Uint8Array | undefined;
}

/** An envelope that passed every check, with its body decrypted (if it was sealed) and parsed by the accepting schema. */
export interface Admitted {
  envelope: Envelope;
  body: unknown;
}

function refuse(env: Envelope, { code, message, details = {} }: EnvelopeRefusal): never {
  throw new EnvelopeRejectedError(code, message, {
    peer: { from: env.from, id: env.id },
    details: { id: env.id, from: env.from, type: env.type, ...details },
  });
}

/**
 * The receive-side checks every envelope passes before any handler sees it, in the order of
 * docs/protocol.md §6: size → depth → JSON → version → schema → lifetime/expiry ({@link openEnvelope}, sync,
 * {@link EnvelopeAdmission.open}) then recipient → not revoked → signer known → type accepted → Ed25519
 * signature → claimed capability held → decryption → body schema → replay (last, so unauthenticated junk
 * cannot burn nonces) in {@link EnvelopeAdmission.check}. Throws {@link EnvelopeRejectedError} with the code
 * of the first failed check; a failure of the receiver itself (registry or replay store down) is
 * `MANDATE_ERR_ENVELOPE_UNAVAILABLE`.
 */
export class EnvelopeAdmission {
  readonly #registry: CapabilityRegistry;
  readonly #verifier: SignatureVerifier;
  readonly #replay: ReplayGuard;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #limits: EnvelopeLimits;

  constructor(options: {
    registry: CapabilityRegistry;
    verifier: SignatureVerifier;
    replay: ReplayGuard;
    clock: Pick<Clock, 'now'>;
    limits?: EnvelopeLimits;
  }) {
    this.#registry = options.registry;
    this.#verifier = options.verifier;
    this.#replay = options.replay;
    this.#clock = options.clock;
    this.#limits = options.limits ?? DEFAULT_LIMITS;
  }

  /** Runs every check; resolves with the envelope and parsed body, or rejects with a coded {@link EnvelopeRejectedError}. */
  async admit(req: AdmitRequest): Promise<Admitted> {
    const { envelope, signed } = this.openWire(req.bytes, req.storedAt);
    return this.check(envelope, { ...req, signed });
  }

  /** The stateless checks (size, depth, JSON, version, schema, times); throws synchronously. */
  open(bytes: Uint8Array, storedAt?: number): Envelope {
    return openEnvelope(bytes, this.#context(storedAt));
  }

  /** {@link open}, with the signing bytes read off the wire to pass to {@link check} (`signed`). */
  openWire(bytes: Uint8Array, storedAt?: number): OpenedWire {
    return openWire(bytes, this.#context(storedAt));
  }

  #context(storedAt: number | undefined): OpenContext {
    const now = this.#clock.now();
    return storedAt === undefined ? { now, limits: this.#limits } : { now, limits: this.#limits, storedAt };
  }

  /** The checks that need the registry, the signature, the key and the replay window. */
  async check(env: Envelope, req: Omit<AdmitRequest, 'bytes'>): Promise<Admitted> {
    if (!req.recipientOk(env.to))
      refuse(env, {
        code: RejectCode.recipient,
        message: `Envelope ${env.id} is addressed to "${env.to ?? '(nobody)'}" but arrived for ${req.scope}; a signed envelope cannot be redirected.`,
        details: { to: env.to, scope: req.scope },
      });
    let signer: SignerStatus;
    try {
      signer = await this.#registry.lookup(env.from);
    } catch (cause) {
      throw unavailable(env, 'the capability registry', cause);
    }
    if (signer.state === 'revoked')
      refuse(env, {
        code: RejectCode.revoked,
        message: `Sender ${env.from} was revoked ("${signer.revocation.reason}" by ${signer.revocation.by}); its messages are refused.`,
      });
    if (signer.state === 'unknown')
      refuse(env, {
        code: RejectCode.unknownSigner,
        message: `Sender ${env.from} is not in the capability registry (never registered, heartbeat expired, or its descriptor is not validly signed); register the agent before it sends.`,
      });
    const spec = req.accepts[env.type];
    if (spec === undefined)
      refuse(env, {
        code: RejectCode.unhandled,
        message: `No handler accepts message type "${env.type}" here; accepted: ${Object.keys(req.accepts).join(', ') || '(none)'}.`,
      });
    let bytes: Uint8Array;
    try {
      bytes = req.signed ?? signingBytes(env);
    } catch (cause) {
      // JSON.parse accepts "\ud800"; such a string has no canonical form, so nothing can have signed it.
      if (!(cause instanceof CanonicalJsonError)) throw cause;
      refuse(env, {
        code: RejectCode.malformed,
        message: `Envelope ${env.id} cannot be canonicalized: ${cause.message}`,
      });
    }
    const ok = await this.#verifier.verify(env.from, bytes, new Uint8Array(Buffer.from(env.sig, 'base64url')));
    if (!ok)
      refuse(env, {
        code: RejectCode.signature,
        message: `Envelope ${env.id} does not carry a valid Ed25519 signature of ${env.from} over its canonical bytes (docs/protocol.md §3).`,
      });
    const needed = spec.capability;
    if (needed !== undefined && env.cap !== needed)
      refuse(env, {
        code: RejectCode.capability,
        message: `Message type "${env.type}" requires claiming capability "${needed}", the envelope claims "${env.cap ?? '(none)'}"; send it with cap "${needed}".`,
        details: { needed, claimed: env.cap },
      });
    if (env.cap !== undefined && !signer.descriptor.capabilities.some((c) => c.name === env.cap))
      refuse(env, {
        code: RejectCode.capability,
        message: `Sender ${env.from} claims capability "${env.cap}" but the registry does not list it for that agent; register the capability in its descriptor, or drop the claim.`,
        details: { claimed: env.cap },
      });
    let body: unknown = env.body;
    if (env.enc !== undefined) {
      if (req.decryptWith === undefined)
        refuse(env, {
          code: RejectCode.encryption,
          message: `Envelope ${env.id} is encrypted, but only direct messages to one agent can be.`,
        });
      body = await openBody(env, req.decryptWith());
    } else if (spec.encrypted === true)
      refuse(env, {
        code: RejectCode.encryption,
        message: `Message type "${env.type}" must arrive encrypted to the recipient (docs/protocol.md §3.1).`,
      });
    if (spec.body !== undefined) {
      const parsed = spec.body.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        refuse(env, {
          code: RejectCode.malformed,
          message: `Body of "${env.type}" envelope ${env.id} is invalid at "${issue?.path.join('.') || '(root)'}": ${issue?.message ?? 'schema mismatch'}.`,
          details: { issues: parsed.error.issues.slice(0, 5) },
        });
      }
      body = parsed.data;
    }
    try {
      await this.#replay.check(env, {
        scope: req.scope,
        now: this.#clock.now(),
        redelivery: req.redelivery ?? false,
        durable: req.durable ?? false,
      });
    } catch (cause) {
      if (cause instanceof EnvelopeRejectedError) throw cause;
      throw unavailable(env, 'the replay window', cause);
    }
    return { envelope: env, body };
  }
}

function unavailable(env: Envelope, what: string, cause: unknown): EnvelopeRejectedError {
  const message = cause instanceof MandateError || cause instanceof Error ? cause.message : String(cause);
  return new EnvelopeRejectedError(
    RejectCode.unavailable,
    `Envelope ${env.id} could not be checked: ${what} is unavailable (${message}); retry with a fresh envelope.`,
    { cause, peer: { from: env.from, id: env.id }, details: { id: env.id, from: env.from, type: env.type } },
  );
}
