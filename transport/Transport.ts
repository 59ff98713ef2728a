/** A message as a transport delivers it. */
export interface TransportMessage {
  subject: string;
  data: Uint8Array;
  /** Reply subject when the sender waits for an answer. */
  reply: string | undefined;
}

/** A message from a durable stream (JetStream): must be acked, or it comes back. */
export interface DurableMessage {
  subject: string;
  data: Uint8Array;
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
  /** Fire-and-forget publish (at most once). */
  publish(subject: string, data: Uint8Array, reply?: string): void;
  /** Calls `handler` for each message on `subject` (NATS wildcards `*` and `>` allowed). */
  subscribe(
    subject: string,
    handler: (msg: TransportMessage) => void,
    options?: SubscribeOptions,
  ): TransportSubscription;
  /** Publishes with a fresh reply subject and resolves with the first answer; rejects with a coded error on timeout or no responders. */
  request(subject: string, data: Uint8Array, timeoutMs: number): Promise<Uint8Array>;
  /** Stores the message durably (resolves after the stream acknowledged it); `msgId` de-duplicates re-publishes. */
  publishDurable(subject: string, data: Uint8Array, msgId: string): Promise<void>;
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
