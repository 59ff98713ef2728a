/**
 * Failed-token rate limiting per client address: a token bucket per client that each refused
 * token (`MANDATE_ERR_AUTH_INVALID`) drains by one. An empty bucket locks the client out until it
 * refills to one attempt: while locked out, every authenticated request from that address is
 * answered 429 before its token is even looked at, so a guesser cannot tell a right guess from a
 * wrong one. Valid tokens never drain a bucket, and other addresses are not affected.
 *
 * Time is injected, so lockouts are tested without sleeping.
 */

import { AuthThrottleConfigError } from './errors.ts';

/** Settings of {@link AuthThrottle}; every field has a default. */
export interface AuthThrottleOptions {
  /** Failed attempts a client may make in a burst before it is locked out (default 10). */
  burst?: number;
  /** Failed attempts per minute a client earns back (default 10, so a locked-out client waits 6 s per attempt). */
  refillPerMinute?: number;
  /** Clients remembered at most; the least recently failing is forgotten first (default 10,000), so memory stays bounded. */
  maxClients?: number;
  /** Lockout audit entries written per minute at most, over all clients (default 60); the rest are counted in the next one. */
  auditPerMinute?: number;
}

/** A client that has just been locked out: what the audit entry for it says. */
export interface AuthLockout {
  /** The client address (the request's `ip`). */
  client: string;
  /** Failed attempts counted for this client since it was first remembered. */
  failures: number;
  /** Requests refused with 429 for this client since its previous lockout entry. */
  refused: number;
  /** How long until it may try again. */
  retryAfterMs: number;
  /** Lockout entries of any client not written since the last written one (the per-minute audit cap). */
  suppressed: number;
}

interface Bucket {
  tokens: number;
  at: number;
  failures: number;
  refused: number;
}

const MINUTE_MS = 60_000;

/**
 * The per-client buckets, and the cap on how many lockouts are reported per minute.
 *
 * @example
 * const throttle = new AuthThrottle({ burst: 10 }, Date.now, (lockout) => audit(lockout));
 * if (throttle.retryAfterMs(ip) > 0) refuse429();
 * else if (!tokens.verify(token)) { throttle.failed(ip); refuse401(); }
 */
export class AuthThrottle {
  readonly #burst: number;
  readonly #perMs: number;
  readonly #maxClients: number;
  readonly #auditPerMinute: number;
  readonly #clock: () => number;
  readonly #report: (lockout: AuthLockout) => void;
  readonly #buckets = new Map<string, Bucket>();
  #auditWindowStart = Number.NEGATIVE_INFINITY;
  #auditedInWindow = 0;
  #suppressed = 0;

  constructor(options: AuthThrottleOptions, clock: () => number, report: (lockout: AuthLockout) => void) {
    this.#burst = positive(options.burst ?? 10, 'burst');
    this.#perMs = positive(options.refillPerMinute ?? 10, 'refillPerMinute') / MINUTE_MS;
    this.#maxClients = positive(options.maxClients ?? 10_000, 'maxClients');
    this.#auditPerMinute = positive(options.auditPerMinute ?? 60, 'auditPerMinute');
    this.#clock = clock;
    this.#report = report;
  }

  /** 0 when `client` may present a token now; otherwise the ms until it may, and the refusal is counted. */
  admit(client: string): number {
    const bucket = this.#buckets.get(client);
    if (bucket === undefined) return 0;
    const wait = this.#refill(bucket);
    if (wait > 0) bucket.refused++;
    return wait;
  }

  /** Counts a refused token from `client`; the failure that empties its bucket reports a lockout. */
  failed(client: string): void {
    const bucket = this.#buckets.get(client) ?? { tokens: this.#burst, at: this.#clock(), failures: 0, refused: 0 };
    this.#refill(bucket);
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    bucket.failures++;
    // Most recently failing last, so the first key is the one to forget.
    this.#buckets.delete(client);
    this.#buckets.set(client, bucket);
    if (this.#buckets.size > this.#maxClients) this.#buckets.delete(this.#buckets.keys().next().value as string);
    if (bucket.tokens < 1) this.#lockedOut(client, bucket);
  }

  /** How many clients are remembered. */
  get size(): number {
    return this.#buckets.size;
  }

  /** Brings `bucket` up to now; returns the ms until it holds one attempt (0 if it does). */
  #refill(bucket: Bucket): number {
    const now = this.#clock();
    bucket.tokens = Math.min(this.#burst, bucket.tokens + Math.max(0, now - bucket.at) * this.#perMs);
    bucket.at = Math.max(bucket.at, now);
    return bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) / this.#perMs);
  }

  #lockedOut(client: string, bucket: Bucket): void {
    const now = this.#clock();
    if (now - this.#auditWindowStart >= MINUTE_MS) {
      this.#auditWindowStart = now;
      this.#auditedInWindow = 0;
    }
    if (this.#auditedInWindow >= this.#auditPerMinute) {
      this.#suppressed++;
      return;
    }
    this.#auditedInWindow++;
    const lockout: AuthLockout = {
      client,
      failures: bucket.failures,
      refused: bucket.refused,
      retryAfterMs: this.#refill(bucket),
      suppressed: this.#suppressed,
    };
    bucket.refused = 0;
    this.#suppressed = 0;
    this.#report(lockout);
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new AuthThrottleConfigError(
      `authThrottle.${name} must be a positive number, got ${String(value)}; leave it out for the default`,
      { details: { setting: name, value: String(value) } },
    );
  return value;
}
