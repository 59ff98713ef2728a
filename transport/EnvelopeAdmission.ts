import type { Clock } from '../kernel/index.ts';
import type { z } from 'zod';
import type { CapabilityRegistry } from './CapabilityRegistry.ts';
import { DEFAULT_LIMITS, type Envelope, type EnvelopeLimits } from './Envelope.ts';
import { EnvelopeRejectedError, RejectCode } from './errors.ts';
import { openEnvelope } from './openEnvelope.ts';
import type { ReplayGuard } from './ReplayGuard.ts';
import type { SignatureVerifier } from './SignatureVerifier.ts';
import { signingBytes } from './signEnvelope.ts';

/** What a receiver accepts of one message type: a zod schema for the body, and the capability the sender must claim and hold. */
export interface AcceptSpec {
  body?: z.ZodType;
  capability?: string;
}

/** Where and how an envelope arrived. */
export interface AdmitRequest {
  bytes: Uint8Array;
  /** Replay scope (recipient did, capability, or node id for broadcasts). */
  scope: string;
  /** Does the envelope's `to` fit the subject it arrived on? */
  recipientOk: (to: string) => boolean;
  /** Accepted types; a type not listed is refused with `MANDATE_ERR_ENVELOPE_UNHANDLED`. */
  accepts: Readonly<Record<string, AcceptSpec>>;
  storedAt?: number;
  redelivery?: boolean;
}

/** An envelope that passed every check, with its body parsed by the accepting schema. */
export interface Admitted {
  envelope: Envelope;
  body: unknown;
}

/**
 * The receive-side checks every envelope passes before any handler sees it, cheapest first:
 * size → JSON/schema → lifetime/expiry → recipient → signer known → not revoked → type accepted →
 * Ed25519 signature → claimed capability held → body schema → replay (last, so unauthenticated junk
 * cannot burn nonces). Throws {@link EnvelopeRejectedError} with the code of the first failed check.
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
    const now = this.#clock.now();
    const env = openEnvelope(req.bytes, {
      now,
      limits: this.#limits,
      ...(req.storedAt === undefined ? {} : { storedAt: req.storedAt }),
    });
    const ref = { id: env.id, from: env.from, type: env.type };
    if (!req.recipientOk(env.to)) {
      throw new EnvelopeRejectedError(
        RejectCode.recipient,
        `Envelope ${env.id} is addressed to "${env.to}" but arrived for ${req.scope}; a signed envelope cannot be redirected.`,
        { details: { ...ref, to: env.to, scope: req.scope } },
      );
    }
    const signer = await this.#registry.lookup(env.from);
    if (signer.state === 'revoked') {
      throw new EnvelopeRejectedError(
        RejectCode.revoked,
        `Sender ${env.from} was revoked ("${signer.revocation.reason}" by ${signer.revocation.by}); its messages are refused.`,
        { details: ref },
      );
    }
    if (signer.state === 'unknown') {
      throw new EnvelopeRejectedError(
        RejectCode.unknownSigner,
        `Sender ${env.from} is not in the capability registry (never registered or heartbeat expired); register the agent before it sends.`,
        { details: ref },
      );
    }
    const spec = req.accepts[env.type];
    if (spec === undefined) {
      throw new EnvelopeRejectedError(
        RejectCode.unhandled,
        `No handler accepts message type "${env.type}" here; accepted: ${Object.keys(req.accepts).join(', ') || '(none)'}.`,
        { details: ref },
      );
    }
    const ok = await this.#verifier.verify(
      env.from,
      signingBytes(env),
      new Uint8Array(Buffer.from(env.sig, 'base64url')),
    );
    if (!ok) {
      throw new EnvelopeRejectedError(
        RejectCode.signature,
        `Envelope ${env.id} does not carry a valid Ed25519 signature of ${env.from} over its canonical bytes (docs/protocol.md §3).`,
        { details: ref },
      );
    }
    const needed = spec.capability;
    if (needed !== undefined && env.cap !== needed) {
      throw new EnvelopeRejectedError(
        RejectCode.capability,
        `Message type "${env.type}" requires claiming capability "${needed}", the envelope claims "${env.cap ?? '(none)'}"; send it with cap "${needed}".`,
        { details: { ...ref, needed, claimed: env.cap } },
      );
    }
    if (env.cap !== undefined && !signer.descriptor.capabilities.some((c) => c.name === env.cap)) {
      throw new EnvelopeRejectedError(
        RejectCode.capability,
        `Sender ${env.from} claims capability "${env.cap}" but the registry does not list it for that agent; register the capability in its descriptor, or drop the claim.`,
        { details: { ...ref, claimed: env.cap } },
      );
    }
    let body: unknown = env.body;
    if (spec.body !== undefined) {
      const parsed = spec.body.safeParse(env.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new EnvelopeRejectedError(
          RejectCode.malformed,
          `Body of "${env.type}" envelope ${env.id} is invalid at "${issue?.path.join('.') || '(root)'}": ${issue?.message ?? 'schema mismatch'}.`,
          { details: { ...ref, issues: parsed.error.issues.slice(0, 5) } },
        );
      }
      body = parsed.data;
    }
    await this.#replay.check(req.scope, env, now, { redelivery: req.redelivery ?? false });
    return { envelope: env, body };
  }
}
