import {
  AckPolicy,
  jetstream,
  jetstreamManager,
  JetStreamApiError,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { connect, errors, nanos, nkeyAuthenticator, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { TransportPermissionError, TransportUsageError } from './errors.ts';
import { fromNats, publishOptions, toNats, transportMessage } from './natsHeaders.ts';
import { NatsRequestMux } from './NatsRequestMux.ts';
import { DURABLE_STREAM, DURABLE_STREAM_SUBJECTS } from './subjects.ts';
import type {
  DurableConsumeOptions,
  DurableMessage,
  DurablePublishOptions,
  PublishOptions,
  RequestOptions,
  SubscribeOptions,
  Transport,
  TransportMessage,
  TransportSubscription,
} from './Transport.ts';

/** How to reach NATS. */
export interface NatsTransportOptions {
  /** Server URL(s); default `process.env.NATS_URL` or `nats://127.0.0.1:4222`. */
  servers?: string | string[];
  /** Connection name shown by the server (the runtime node id). */
  name?: string;
  /** NKey user seed (`SU…`), for servers configured with {@link natsAuthConfig}. */
  nkeySeed?: string;
  /** Stream holding durable messages; default {@link DURABLE_STREAM}. */
  stream?: string;
  /** Duplicate window of the stream for `Nats-Msg-Id` de-duplication; default 5 minutes (the longest envelope lifetime). */
  duplicateWindowMs?: number;
  /**
   * Prefix of this connection's reply inboxes (and JetStream/KV watcher inboxes), e.g. `_INBOX_node-a`.
   * With {@link natsAuthConfig} each node may subscribe only to its own prefix, so it cannot read other nodes' replies.
   */
  inboxPrefix?: string;
  /**
   * Server-side refusals (permission violations), and publishes the connection could not take after the call
   * returned (see {@link NatsTransport.publish}), as coded errors for the log and the audit trail.
   */
  onError?: (error: TransportPermissionError | TransportUsageError) => void;
  /** How long `publishDurable` keeps retrying (same msg id) before giving up; default 30 s. */
  publishDeadlineMs?: number;
}

/**
 * {@link Transport} over NATS: core publish/subscribe/request with queue groups, and JetStream (file storage,
 * durable consumers with explicit acks, `Nats-Msg-Id` de-duplication) for what must not be lost.
 * Reconnects forever; JetStream consumers resume after a server restart.
 */
export class NatsTransport implements Transport {
  readonly nc: NatsConnection;
  /** The reply-inbox prefix in use (pass it to the KV registry and replay store). */
  readonly inboxPrefix: string | undefined;
  readonly #js: JetStreamClient;
  #jsm: JetStreamManager | undefined;
  readonly #stream: string;
  readonly #dupWindowMs: number;
  readonly #publishDeadlineMs: number;
  #streamReady: Promise<void> | undefined;
  readonly #onError: NatsTransportOptions['onError'];
  /** Publishes after the first of this event-loop turn, written together when the turn ends. */
  #corked: Array<{ subject: string; data: Uint8Array; reply: string | undefined; headers: MsgHdrs | undefined }> = [];
  #turnOpen = false;
  #mux: NatsRequestMux | undefined;

  private constructor(nc: NatsConnection, options: NatsTransportOptions) {
    this.nc = nc;
    this.inboxPrefix = options.inboxPrefix;
    this.#js = jetstream(nc, options.inboxPrefix === undefined ? {} : { watcherPrefix: options.inboxPrefix });
    this.#stream = options.stream ?? DURABLE_STREAM;
    this.#dupWindowMs = options.duplicateWindowMs ?? 5 * 60_000;
    this.#publishDeadlineMs = options.publishDeadlineMs ?? 30_000;
    this.#onError = options.onError;
  }

  /** Connects; throws a coded error naming the URL when the server cannot be reached. */
  static async connect(options: NatsTransportOptions = {}): Promise<NatsTransport> {
    const servers = options.servers ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers,
        name: options.name,
        maxReconnectAttempts: -1,
        // nats.js would build an Error (a stack trace) per request, for its own debugging: measurable on the hot path.
        noAsyncTraces: true,
        reconnectTimeWait: 250,
        ...(options.inboxPrefix === undefined ? {} : { inboxPrefix: options.inboxPrefix }),
        ...(options.nkeySeed === undefined
          ? {}
          : { authenticator: nkeyAuthenticator(new TextEncoder().encode(options.nkeySeed)) }),
      });
    } catch (cause) {
      throw new TransportUsageError(
        `Cannot connect to NATS at ${JSON.stringify(servers)}: ${(cause as Error).message}. Start nats-server (with -js for durable messages) or set NATS_URL.`,
        { cause, details: { servers } },
      );
    }
    // JetStream is set up on first durable use, so core-only servers work for everything else.
    const transport = new NatsTransport(nc, options);
    void transport.#watchErrors(options.onError);
    return transport;
  }

  /**
   * Core NATS publish (at most once), in call order. The first publish of an event-loop turn goes out at
   * once, so a lone message or reply has no added latency. Later ones in the same turn are held and handed
   * to nats.js together when the turn ends: nats.js writes to the socket at each microtask checkpoint, so an
   * agent awaiting between sends would otherwise cost one write(2) and one server read per message. Requests,
   * durable publishes, flush and close first hand over what is held, so order is kept across all of them.
   * A held publish that the connection refuses later (it was closed under it) is reported to `onError`.
   */
  publish(subject: string, data: Uint8Array, { reply, headers }: PublishOptions = {}): void {
    const h = toNats(headers);
    if (!this.#turnOpen) {
      this.#turnOpen = true;
      setImmediate(() => {
        this.#turnOpen = false;
        this.#uncork();
      });
      this.nc.publish(subject, data, publishOptions(reply, h));
    } else if (this.nc.isClosed()) {
      this.nc.publish(subject, data); // throws nats.js's own closed-connection error, as an uncorked publish would
    } else {
      this.#corked.push({ subject, data, reply, headers: h });
    }
  }

  #uncork(): void {
    if (this.#corked.length === 0) return;
    const held = this.#corked;
    this.#corked = [];
    for (let i = 0; i < held.length; i++) {
      const m = held[i]!;
      try {
        this.nc.publish(m.subject, m.data, publishOptions(m.reply, m.headers));
      } catch (cause) {
        this.#onError?.(
          new TransportUsageError(
            `NATS refused ${held.length - i} held publish(es) starting with "${m.subject}": ${(cause as Error).message}. Core NATS is at most once; durable messages use publishDurable.`,
            {
              cause,
              details: { subject: m.subject, lost: held.length - i },
            },
          ),
        );
        return;
      }
    }
  }

  subscribe(
    subject: string,
    handler: (msg: TransportMessage) => void,
    options: SubscribeOptions = {},
  ): TransportSubscription {
    const sub = this.nc.subscribe(subject, {
      ...(options.queue === undefined ? {} : { queue: options.queue }),
      callback: (err, msg) => {
        if (err === null) handler(transportMessage(msg));
      },
    });
    return { unsubscribe: async () => sub.unsubscribe() };
  }

  /** Core request/reply through {@link NatsRequestMux} (no per-request `Error` objects); coded timeout and no-responders errors. */
  request(subject: string, data: Uint8Array, { timeoutMs, headers }: RequestOptions): Promise<Uint8Array> {
    this.#uncork();
    return (this.#mux ??= new NatsRequestMux(this.nc, this.inboxPrefix)).request(subject, data, {
      timeoutMs,
      headers: toNats(headers),
    });
  }

  async publishDurable(subject: string, data: Uint8Array, { msgId, headers }: DurablePublishOptions): Promise<void> {
    this.#uncork();
    await this.#ensureStream();
    // Retry with the same Nats-Msg-Id until the stream acknowledges: a duplicate is dropped by the stream, so
    // retrying is safe, and it covers a publish that was in flight while the server restarted.
    const until = Date.now() + this.#publishDeadlineMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const h = toNats(headers);
        await this.#js.publish(subject, data, {
          msgID: msgId,
          timeout: 2_000,
          ...(h === undefined ? {} : { headers: h }),
        });
        return;
      } catch (cause) {
        if (Date.now() >= until) {
          throw new TransportUsageError(
            `JetStream did not acknowledge message ${msgId} on "${subject}" after ${attempt} attempts: ${(cause as Error).message}. Check that nats-server runs with -js.`,
            { cause, details: { subject, msgId } },
          );
        }
        await new Promise((r) => setTimeout(r, Math.min(1_000, 100 * attempt)));
      }
    }
  }

  async consumeDurable(
    subject: string,
    handler: (msg: DurableMessage) => Promise<void>,
    options: DurableConsumeOptions,
  ): Promise<TransportSubscription> {
    await this.#ensureStream();
    const config = {
      durable_name: options.durable,
      ack_policy: AckPolicy.Explicit,
      filter_subject: subject,
      ack_wait: nanos(options.ackWaitMs ?? 30_000),
      ...(options.maxDeliver === undefined ? {} : { max_deliver: options.maxDeliver }),
    };
    const jsm = this.#jsm!;
    try {
      await jsm.consumers.add(this.#stream, config);
    } catch (cause) {
      // An existing durable with other settings: keep its position, update what may be updated.
      if (!(cause instanceof JetStreamApiError)) throw cause;
      await jsm.consumers.update(this.#stream, options.durable, {
        ack_wait: config.ack_wait,
        ...(options.maxDeliver === undefined ? {} : { max_deliver: options.maxDeliver }),
      });
    }
    const consumer = await this.#js.consumers.get(this.#stream, options.durable);
    const messages = await consumer.consume({ max_messages: 256, expires: 5_000 });
    void (async () => {
      for await (const m of messages) {
        const msg: DurableMessage = {
          subject: m.subject,
          data: m.data,
          headers: fromNats(m.headers),
          deliveryCount: m.info.deliveryCount,
          storedAt: Math.floor(Number(m.info.timestampNanos) / 1e6),
          ack: () => m.ack(),
          nak: (delayMs) => m.nak(delayMs),
          term: () => m.term(),
        };
        void handler(msg).catch(() => m.nak(1_000));
      }
    })();
    return { unsubscribe: async () => void (await messages.close()) };
  }

  async flush(): Promise<void> {
    this.#uncork();
    await this.nc.flush();
  }

  async close(): Promise<void> {
    this.#uncork();
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }

  async #watchErrors(onError: ((error: TransportPermissionError) => void) | undefined): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type !== 'error') continue;
      const e = s.error;
      if (e instanceof errors.PermissionViolationError)
        onError?.(new TransportPermissionError(e.operation, e.subject, { cause: e }));
    }
  }

  #ensureStream(): Promise<void> {
    this.#streamReady ??= (async () => {
      const config = {
        name: this.#stream,
        subjects: [...DURABLE_STREAM_SUBJECTS],
        storage: StorageType.File,
        duplicate_window: nanos(this.#dupWindowMs),
      };
      const jsm = (this.#jsm ??= await jetstreamManager(
        this.nc,
        this.inboxPrefix === undefined ? {} : { watcherPrefix: this.inboxPrefix },
      ));
      try {
        await jsm.streams.info(this.#stream);
      } catch {
        await jsm.streams.add(config);
      }
    })().catch((cause: unknown) => {
      this.#streamReady = undefined;
      throw new TransportUsageError(
        `Cannot create the JetStream stream "${this.#stream}": ${(cause as Error).message}. Start nats-server with -js (JetStream enabled).`,
        { cause },
      );
    });
    return this.#streamReady;
  }
}
