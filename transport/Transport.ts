/**
 * Message headers (NATS headers on NATS). They travel beside the signed bytes, not inside them: the bus
 * puts only the W3C `traceparent` there, which nothing trusts for admission (docs/protocol.md §2.3).
 */
export type MessageHeaders = Readonly<Record<string, string>>;

/** A message as a transport delivers it. */
export interface TransportMessage {
  subject: string;
  data: Uint8Array;
  /** Reply subject when the sender waits for an answer. */
  reply: string | undefined;
  /** The sender's headers, when it sent any. */
  headers?: MessageHeaders | undefined;
}

/** A message from a durable stream (JetStream): must be acked, or it comes back. */
export interface DurableMessage {
  subject: string;
  data: Uint8Array;
  /** The publisher's headers, when it sent any. */
  headers?: MessageHeaders | undefined;
  /** 1 on first delivery. */
  deliveryCount: number;
  /** When the stream stored it, epoch ms (server time). */
  storedAt: number;
  /** Done: never deliver again. */
  ack(): void;
  /** Failed for now: deliver again after `delayMs`. */
  nak(delayMs?: number): void;
  /** Poison: never deliver again (after recording why). */
  term(): void;
}

/** An active subscription or consumer. */
export interface TransportSubscription {
  unsubscribe(): Promise<void>;
}

/** Options for {@link Transport.publish}. */
export interface PublishOptions {
  /** Reply subject, when the sender waits for an answer. */
  reply?: string | undefined;
  headers?: MessageHeaders | undefined;
}

/** Options for {@link Transport.request}. */
export interface RequestOptions {
  /** How long to wait for the first answer. */
  timeoutMs: number;
  headers?: MessageHeaders | undefined;
}

/** Options for {@link Transport.publishDurable}. */
export interface DurablePublishOptions {
  /** De-duplicates re-publishes of the same message (`Nats-Msg-Id` on JetStream). */
  msgId: string;
  headers?: MessageHeaders | undefined;
}

/** Options for {@link Transport.subscribe}. */
export interface SubscribeOptions {
  /** Queue group: each message goes to one member of the group. */
  queue?: string;
}

/** Options for {@link Transport.consumeDurable}. */
export interface DurableConsumeOptions {
  /** Durable consumer name: its position survives restarts. */
  durable: string;
  /** Redeliver when not acked within this many ms. */
  ackWaitMs?: number;
  /** Give up (and stop redelivering) after this many deliveries. */
  maxDeliver?: number;
}

/**
 * Moves bytes between subjects. Implemented by {@link MemoryTransport} (in-process, the embedded default) and
 * {@link NatsTransport} (NATS core + JetStream). Knows nothing of envelopes: the {@link MessageBus} signs and
 * verifies on top of either, with the same code.
 */
export interface Transport {
  /** Fire-and-forget publish (at most once), with a reply subject and headers when given. */
  publish(subject: string, data: Uint8Array, options?: PublishOptions): void;
  /** Calls `handler` for each message on `subject` (NATS wildcards `*` and `>` allowed). */
  subscribe(
    subject: string,
    handler: (msg: TransportMessage) => void,
    options?: SubscribeOptions,
  ): TransportSubscription;
  /** Publishes with a fresh reply subject and resolves with the first answer; rejects with a coded error on timeout or no responders. */
  request(subject: string, data: Uint8Array, options: RequestOptions): Promise<Uint8Array>;
  /** Stores the message durably (resolves after the stream acknowledged it); `msgId` de-duplicates re-publishes. */
  publishDurable(subject: string, data: Uint8Array, options: DurablePublishOptions): Promise<void>;
  /** Consumes durable messages on `subject` with a named durable consumer; at-least-once. */
  consumeDurable(
    subject: string,
    handler: (msg: DurableMessage) => Promise<void>,
    options: DurableConsumeOptions,
  ): Promise<TransportSubscription>;
  /** Resolves when everything published so far reached the server. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
