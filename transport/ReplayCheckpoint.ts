import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { DEFAULT_LIMITS } from './Envelope.ts';
import { TransportUsageError } from './errors.ts';
import { REPLAY_CHECKPOINT_BUCKET } from './subjects.ts';

/**
 * Per-sender high-water marks of a receiver's local replay window (docs/protocol.md §7): for each
 * (scope, sender) the latest envelope `time` (in the sender's clock) the receiver may have accepted, reserved
 * ahead before any envelope beyond it is accepted. After a restart, envelopes at or below the mark are
 * refused; everything newer is judged by the fresh in-memory window.
 */
export interface ReplayCheckpoint {
  /** The reserved mark of `key`, 0 when none. */
  load(key: string): Promise<number>;
  /** Durably records that envelopes up to `upTo` may be accepted for `key`. */
  reserve(key: string, upTo: number): Promise<void>;
  close(): Promise<void>;
}

/** {@link ReplayCheckpoint} in memory (tests: a "restart" keeps the instance and drops the window). */
export class MemoryReplayCheckpoint implements ReplayCheckpoint {
  readonly marks = new Map<string, number>();
  async load(key: string): Promise<number> {
    return this.marks.get(key) ?? 0;
  }
  async reserve(key: string, upTo: number): Promise<void> {
    this.marks.set(key, Math.max(upTo, this.marks.get(key) ?? 0));
  }
  async close(): Promise<void> {}
}

/**
 * {@link ReplayCheckpoint} in the NATS KV bucket `mandate_replay_hw` (JetStream file storage; max age twice the
 * longest envelope lifetime plus skew, so a mark outlives every envelope it covers). One write per sender
 * per reservation step (seconds), instead of one per admitted envelope.
 */
export class NatsKvReplayCheckpoint implements ReplayCheckpoint {
  readonly #kv: KV;

  private constructor(kv: KV) {
    this.#kv = kv;
  }

  static async open(
    nc: NatsConnection,
    options: { bucket?: string; inboxPrefix?: string } = {},
  ): Promise<NatsKvReplayCheckpoint> {
    const ttl = 2 * (DEFAULT_LIMITS.maxLifetimeMs + 2 * DEFAULT_LIMITS.clockSkewMs);
    try {
      const kvm = new Kvm(
        jetstream(nc, options.inboxPrefix === undefined ? {} : { watcherPrefix: options.inboxPrefix }),
      );
      return new NatsKvReplayCheckpoint(
        await kvm.create(options.bucket ?? REPLAY_CHECKPOINT_BUCKET, { ttl, history: 1 }),
      );
    } catch (cause) {
      throw new TransportUsageError(
        `Cannot open the NATS KV replay checkpoint bucket: ${(cause as Error).message}. Start nats-server with -js.`,
        { cause },
      );
    }
  }

  async load(key: string): Promise<number> {
    const e = await this.#kv.get(key);
    return e === null || e.operation !== 'PUT' ? 0 : Number(e.string()) || 0;
  }

  async reserve(key: string, upTo: number): Promise<void> {
    await this.#kv.put(key, String(upTo));
  }

  async close(): Promise<void> {}
}
