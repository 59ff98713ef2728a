import { createHash } from 'node:crypto';
import { DEFAULT_LIMITS, type Envelope } from './Envelope.ts';
import { EnvelopeRejectedError, RejectCode } from './errors.ts';
import type { ReplayStore } from './ReplayStore.ts';

/**
 * Refuses an envelope seen before by the same receiver scope (docs/protocol.md §7).
 *
 * The key is sha-256(scope, from, nonce): `scope` is the recipient (`to`) for direct and capability
 * messages, and the receiving node for broadcasts (each node accepts a broadcast once). Records live until
 * `exp + skew`; after that the envelope is refused as expired, so the window needs no more memory.
 */
export class ReplayGuard {
  readonly #store: ReplayStore;
  readonly #skewMs: number;

  constructor(store: ReplayStore, options: { clockSkewMs?: number } = {}) {
    this.#store = store;
    this.#skewMs = options.clockSkewMs ?? DEFAULT_LIMITS.clockSkewMs;
  }

  /** The store key of an envelope received in `scope`. */
  static key(scope: string, env: Pick<Envelope, 'from' | 'nonce'>): string {
    return createHash('sha256')
      .update(scope)
      .update('\n')
      .update(env.from)
      .update('\n')
      .update(env.nonce)
      .digest('base64url');
  }

  /**
   * Claims the envelope's nonce or throws `MANDATE_ERR_ENVELOPE_REPLAY`.
   * `redelivery`: a JetStream redelivery of a message this scope already claimed is let through once more
   * (at-least-once; handlers are idempotent by envelope id). The stream's own `Nats-Msg-Id` de-duplication
   * is what stops a re-published copy.
   */
  async check(scope: string, env: Envelope, now: number, options: { redelivery?: boolean } = {}): Promise<void> {
    const key = ReplayGuard.key(scope, env);
    if (await this.#store.claim(key, env.exp + this.#skewMs, now)) return;
    if (options.redelivery === true) return;
    throw new EnvelopeRejectedError(
      RejectCode.replay,
      `Envelope ${env.id} from ${env.from} (nonce ${env.nonce}) was already accepted; each envelope is delivered once. Send a new envelope to repeat the request.`,
      {
        details: { id: env.id, from: env.from, nonce: env.nonce },
      },
    );
  }

  close(): Promise<void> {
    return this.#store.close();
  }
}
