import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { DEFAULT_LIMITS } from './Envelope.ts';
import { TransportUsageError } from './errors.ts';
import type { ReplayStore } from './ReplayStore.ts';
import { REPLAY_BUCKET } from './subjects.ts';

/**
 * {@link ReplayStore} in a NATS KV bucket shared by every runtime node: a claim is an atomic `create`
 * (fails when the key exists), and the bucket's max age (longest envelope lifetime + 2 × skew) forgets
 * nonces once their envelopes can only be refused as expired. Survives node restarts and agent moves.
 * One round trip per admitted envelope: use it where several nodes may receive for the same scope.
 */
export class NatsKvReplayStore implements ReplayStore {
  readonly #kv: KV;

  private constructor(kv: KV) {
    this.#kv = kv;
  }

  /** Opens (creating if needed) the replay bucket. */
  static async open(
    nc: NatsConnection,
    options: { bucket?: string; ttlMs?: number; inboxPrefix?: string } = {},
  ): Promise<NatsKvReplayStore> {
    const ttl = options.ttlMs ?? DEFAULT_LIMITS.maxLifetimeMs + 2 * DEFAULT_LIMITS.clockSkewMs;
    try {
      const kvm = new Kvm(
        jetstream(nc, options.inboxPrefix === undefined ? {} : { watcherPrefix: options.inboxPrefix }),
      );
      return new NatsKvReplayStore(await kvm.create(options.bucket ?? REPLAY_BUCKET, { ttl, history: 1 }));
    } catch (cause) {
      throw new TransportUsageError(
        `Cannot open the NATS KV replay bucket: ${(cause as Error).message}. Start nats-server with -js.`,
        { cause },
      );
    }
  }

  async claim(key: string, expiresAt: number, _now: number): Promise<boolean> {
    try {
      await this.#kv.create(key, String(expiresAt));
      return true;
    } catch (cause) {
      // `create` fails with "wrong last sequence" when the key exists: that is the replay.
      if (/wrong last sequence|key exists/i.test(String((cause as Error).message))) return false;
      throw cause;
    }
  }

  async has(key: string, _now: number): Promise<boolean> {
    const e = await this.#kv.get(key);
    return e !== null && e.operation === 'PUT';
  }

  async close(): Promise<void> {}
}
