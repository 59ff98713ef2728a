import { createHash } from 'node:crypto';
import { DEFAULT_LIMITS, type Envelope } from './Envelope.ts';
import { EnvelopeRejectedError, RejectCode } from './errors.ts';
import type { ReplayCheckpoint } from './ReplayCheckpoint.ts';
import type { ReplayStore } from './ReplayStore.ts';

/** How a {@link ReplayGuard} keeps its window. */
export interface ReplayGuardOptions {
  clockSkewMs?: number;
  /**
   * With a checkpoint, scopes only this receiver serves (an agent's direct inbox, node-wide subjects) use a
   * local in-memory window plus per-sender high-water marks reserved `reserveAheadMs` ahead (default 5 s):
   * no I/O per envelope. Capability scopes (served by several nodes) and durable deliveries (which must not
   * be lost) keep using the exact, shared `store`.
   */
  checkpoint?: ReplayCheckpoint;
  reserveAheadMs?: number;
}

/**
 * One envelope's claim on its nonce: the scope it was received in (an agent's did, `cap:<name>`, …) and the
 * receiver's time. `redelivery`: a JetStream redelivery of a message this scope already claimed is let through
 * once more. `durable`: it came from a durable stream (the exact shared store is used).
 */
export interface ReplayClaim {
  scope: string;
  now: number;
  redelivery?: boolean;
  durable?: boolean;
}

/** One sender as seen in one local scope: the nonces it used that are not yet expired, and its checkpoint state. */
interface Peer {
  /** nonce → the time its record may be forgotten (exp + skew). */
  seen: Map<string, number>;
  state: Sender | Promise<Sender> | undefined;
}

interface Sender {
  /** The checkpoint key of this sender in this scope. */
  key: string;
  /** Marks at or below this were reserved by a previous life of this receiver: refused. */
  floor: number;
  reserved: number;
  pending: Promise<void> | undefined;
}

const hash = (s: string) => createHash('sha256').update(s).digest('base64url');

/**
 * Refuses an envelope seen before by the same receiver scope (docs/protocol.md §7).
 *
 * The key is (scope, from, nonce): `scope` is the recipient (`to`) for direct and capability messages, and the
 * receiving node for broadcasts (each node accepts a broadcast once). Records live until `exp + skew`; after
 * that the envelope is refused as expired, so the window needs no more memory.
 */
export class ReplayGuard {
  readonly #store: ReplayStore;
  readonly #skewMs: number;
  readonly #checkpoint: ReplayCheckpoint | undefined;
  readonly #aheadMs: number;
  /** The local window, scope → sender → its nonces (no key strings built per envelope). */
  readonly #peers = new Map<string, Map<string, Peer>>();
  #peerCount = 0;
  /** Expiry second → (nonces of a peer, nonce) pairs, pruned a second at a time. */
  readonly #expiring = new Map<number, Array<Map<string, number> | string>>();
  #swept: number | undefined;

  constructor(store: ReplayStore, options: ReplayGuardOptions = {}) {
    this.#store = store;
    this.#skewMs = options.clockSkewMs ?? DEFAULT_LIMITS.clockSkewMs;
    this.#checkpoint = options.checkpoint;
    this.#aheadMs = options.reserveAheadMs ?? 5_000;
  }

  /** The store key of an envelope received in `scope`. */
  static key(scope: string, env: Pick<Envelope, 'from' | 'nonce'>): string {
    return hash(`${scope}\n${env.from}\n${env.nonce}`);
  }

  /**
   * Claims the envelope's nonce or throws `MANDATE_ERR_ENVELOPE_REPLAY`.
   * `redelivery`: a JetStream redelivery of a message this scope already claimed is let through once more
   * (at-least-once; handlers are idempotent by envelope id). The stream's own `Nats-Msg-Id` de-duplication
   * is what stops a re-published copy. `durable`: the message came from a durable stream (exact shared store).
   */
  async check(env: Envelope, claim: ReplayClaim): Promise<void> {
    const { scope, now } = claim;
    if (this.#checkpoint !== undefined && claim.durable !== true && !scope.startsWith('cap:'))
      return this.#checkLocal(this.#checkpoint, env, claim);
    if (await this.#store.claim(ReplayGuard.key(scope, env), env.exp + this.#skewMs, now)) return;
    if (claim.redelivery === true) return;
    throw replayed(env, 'was already accepted; each envelope is delivered once');
  }

  async #checkLocal(checkpoint: ReplayCheckpoint, env: Envelope, { scope, now }: ReplayClaim): Promise<void> {
    this.#prune(now);
    const peer = this.#peer(scope, env.from);
    const known = peer.seen.get(env.nonce);
    if (known !== undefined && known >= now)
      throw replayed(env, 'was already accepted; each envelope is delivered once');
    const forgetAt = env.exp + this.#skewMs;
    peer.seen.set(env.nonce, forgetAt);
    const second = Math.floor(forgetAt / 1000);
    const bucket = this.#expiring.get(second);
    if (bucket === undefined) this.#expiring.set(second, [peer.seen, env.nonce]);
    else bucket.push(peer.seen, env.nonce);
    if (peer.state === undefined) {
      const key = hash(`${scope}\n${env.from}`);
      const loading = checkpoint.load(key).then((floor) => ({ key, floor, reserved: floor, pending: undefined }));
      peer.state = loading;
      loading.then(
        (s) => void (peer.state = s),
        () => void (peer.state = undefined),
      );
    }
    const s = peer.state instanceof Promise ? await peer.state : peer.state;
    if (env.time <= s.floor)
      throw replayed(
        env,
        `is dated at or before ${s.floor}, which this receiver had reserved before it restarted, so it may have been accepted then`,
      );
    if (env.time > s.reserved) await this.#reserve(checkpoint, s, env.time + this.#aheadMs);
    else if (env.time > s.reserved - this.#aheadMs / 2 && s.pending === undefined)
      void this.#reserve(checkpoint, s, s.reserved + this.#aheadMs).catch(() => undefined); // ahead of need, not waited for
  }

  /** The window and checkpoint state of `from` in `scope` (all forgotten past 100 000 senders: the reloaded marks still refuse their replays). */
  #peer(scope: string, from: string): Peer {
    let byFrom = this.#peers.get(scope);
    if (byFrom === undefined) this.#peers.set(scope, (byFrom = new Map<string, Peer>()));
    let peer = byFrom.get(from);
    if (peer === undefined) {
      if (++this.#peerCount > 100_000) {
        this.#peers.clear();
        this.#expiring.clear();
        this.#peerCount = 1;
        this.#peers.set(scope, (byFrom = new Map<string, Peer>()));
      }
      byFrom.set(from, (peer = { seen: new Map<string, number>(), state: undefined }));
    }
    return peer;
  }

  /** Forgets the nonces whose records expired, a second at a time (never a scan of the whole window). */
  #prune(now: number): void {
    const second = Math.floor(now / 1000);
    const from = this.#swept ?? second;
    this.#swept = second;
    if (from >= second) return;
    // A clock that jumped far ahead (simulations): one pass over the buckets instead of a second-by-second walk.
    const seconds = second - from > 3_600 ? [...this.#expiring.keys()].filter((s) => s < second) : [];
    if (seconds.length === 0) for (let s = from; s < second; s++) seconds.push(s);
    for (const s of seconds) {
      const pairs = this.#expiring.get(s);
      if (pairs === undefined) continue;
      for (let i = 0; i < pairs.length; i += 2) {
        const seen = pairs[i] as Map<string, number>;
        const nonce = pairs[i + 1] as string;
        const exp = seen.get(nonce);
        if (exp !== undefined && exp < now) seen.delete(nonce);
      }
      this.#expiring.delete(s);
    }
  }

  /** Reserves the mark before anything above the old one is accepted; concurrent callers share one write. */
  async #reserve(checkpoint: ReplayCheckpoint, s: Sender, upTo: number): Promise<void> {
    while (s.pending !== undefined) {
      await s.pending;
      if (s.reserved >= upTo) return;
    }
    s.pending = checkpoint.reserve(s.key, upTo).then(
      () => {
        s.reserved = Math.max(s.reserved, upTo);
        s.pending = undefined;
      },
      (err: unknown) => {
        s.pending = undefined;
        throw err;
      },
    );
    await s.pending;
  }

  async close(): Promise<void> {
    await this.#store.close();
    await this.#checkpoint?.close();
  }
}

function replayed(env: Envelope, why: string): EnvelopeRejectedError {
  return new EnvelopeRejectedError(
    RejectCode.replay,
    `Envelope ${env.id} from ${env.from} (nonce ${env.nonce}) ${why}. Send a new envelope to repeat the request.`,
    { peer: { from: env.from, id: env.id }, details: { id: env.id, from: env.from, nonce: env.nonce } },
  );
}
