import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import { didSuffix, TASKS_BUCKET } from '../transport/index.ts';
import { isKvConflict } from './isKvConflict.ts';
import { RegistryInputError, RegistryUnavailableError } from './errors.ts';

/**
 * Who may act as one contract-net manager identity right now. Several processes (on other nodes) may hold
 * the same manager identity as standbys; only the lease holder attaches, resumes and runs its tasks.
 */
export interface TaskLease {
  /** Resolves once this process holds the lease: at once when it is free, else once the holder stopped renewing it. */
  acquire(): Promise<void>;
  /** True while the lease is held and was renewed recently enough that no standby can have taken it. */
  readonly held: boolean;
  /** Called once, when the lease is lost (another holder took it, or it could not be renewed in time). */
  onLost(listener: (reason: string) => void): void;
  /** Gives the lease up: a standby takes it at once. */
  release(): Promise<void>;
}

/** Options of {@link NatsKvTaskLease.open}. */
export interface NatsKvTaskLeaseOptions {
  /** The manager's did (the lease key is `<did suffix>.lease` in `mandate_tasks`). */
  manager: string;
  /** A name for this holder in the lease value (logs); a random suffix makes it unique per process. */
  holder: string;
  /** A standby takes the lease once it has seen it unchanged for this long. Default 10 s, at least 1 s. */
  ttlMs?: number;
  bucket?: string;
  inboxPrefix?: string;
}

const LeaseValue = z.object({ holder: z.string().min(1), ttlMs: z.number().int().positive() });

/**
 * {@link TaskLease} on the JetStream KV bucket `mandate_tasks`, key `<manager did suffix>.lease`, value
 * `{holder, ttlMs}`; every write is compare-and-set on the key's revision. The holder re-writes it every
 * ttl/3. A standby takes it over (compare-and-set) once it has watched the same revision for the holder's
 * `ttlMs` on its own clock, so no clocks are compared across nodes. The holder counts itself fenced when a
 * renewal loses the compare-and-set, or when ttl/2 has passed (monotonic clock, measured from before the
 * last successful renewal was sent) without one: always before any standby can have taken over.
 */
export class NatsKvTaskLease implements TaskLease {
  readonly #kv: KV;
  readonly #key: string;
  readonly #value: string;
  readonly #ttlMs: number;
  readonly #listeners: Array<(reason: string) => void> = [];
  #revision = 0;
  #renewedAt = -Infinity;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lost = false;

  private constructor(kv: KV, options: NatsKvTaskLeaseOptions & { ttlMs: number }) {
    this.#kv = kv;
    this.#key = `${didSuffix(options.manager)}.lease`;
    this.#ttlMs = options.ttlMs;
    this.#value = JSON.stringify({ holder: `${options.holder}/${randomUUID()}`, ttlMs: options.ttlMs });
  }

  /** Opens (creating if needed) the bucket; does not acquire. */
  static async open(nc: NatsConnection, options: NatsKvTaskLeaseOptions): Promise<NatsKvTaskLease> {
    const ttlMs = options.ttlMs ?? 10_000;
    if (!Number.isInteger(ttlMs) || ttlMs < 1_000)
      throw new RegistryInputError(`Task lease ttlMs must be an integer of at least 1000 ms; got ${String(ttlMs)}.`);
    try {
      const kvm = new Kvm(
        jetstream(nc, options.inboxPrefix === undefined ? {} : { watcherPrefix: options.inboxPrefix }),
      );
      const kv = await kvm.create(options.bucket ?? TASKS_BUCKET, { history: 1 });
      return new NatsKvTaskLease(kv, { ...options, ttlMs });
    } catch (cause) {
      throw new RegistryUnavailableError(
        `Cannot open the contract-net task bucket in NATS KV for the manager lease: ${(cause as Error).message}. Start nats-server with -js.`,
        { cause },
      );
    }
  }

  get held(): boolean {
    return !this.#lost && performance.now() - this.#renewedAt < this.#ttlMs / 2;
  }

  onLost(listener: (reason: string) => void): void {
    this.#listeners.push(listener);
  }

  async acquire(): Promise<void> {
    let seen: { revision: number; since: number } | undefined;
    for (;;) {
      const startedAt = performance.now();
      const e = await this.#kv.get(this.#key);
      try {
        if (e === null || e.operation !== 'PUT')
          return this.#won(await this.#kv.create(this.#key, this.#value), startedAt);
        const current = LeaseValue.safeParse(safeJson(e.string()));
        // A value that does not parse is a lease whose holder is unknown: waited out like any other.
        const ttl = current.success ? current.data.ttlMs : this.#ttlMs;
        if (seen?.revision !== e.revision) seen = { revision: e.revision, since: performance.now() };
        else if (performance.now() - seen.since >= ttl)
          return this.#won(await this.#kv.update(this.#key, this.#value, e.revision), startedAt);
      } catch (err) {
        if (!isKvConflict(err)) throw err;
        seen = undefined; // someone else wrote it first: watch again
      }
      await new Promise((r) => setTimeout(r, Math.min(250, this.#ttlMs / 4)));
    }
  }

  async release(): Promise<void> {
    clearInterval(this.#timer);
    const was = this.held;
    this.#lost = true;
    if (was) await this.#kv.delete(this.#key, { previousSeq: this.#revision }).catch(() => undefined);
  }

  #won(revision: number, sentAt: number): void {
    this.#revision = revision;
    this.#renewedAt = sentAt;
    this.#timer = setInterval(() => void this.#renew(), Math.max(100, Math.floor(this.#ttlMs / 3)));
    this.#timer.unref();
  }

  async #renew(): Promise<void> {
    if (this.#lost) return;
    const sentAt = performance.now();
    try {
      this.#revision = await this.#kv.update(this.#key, this.#value, this.#revision);
      this.#renewedAt = sentAt;
    } catch (err) {
      if (isKvConflict(err)) this.#lose('another holder took the lease');
      else if (!this.held) this.#lose(`the lease could not be renewed within ${this.#ttlMs / 2} ms`);
      return;
    }
    if (!this.held) this.#lose(`the lease renewal took longer than ${this.#ttlMs / 2} ms`);
  }

  #lose(reason: string): void {
    if (this.#lost) return;
    this.#lost = true;
    clearInterval(this.#timer);
    for (const l of this.#listeners) l(reason);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
