import type { BroadcastFilter, Envelope, Priority } from './Envelope.ts';

/** Per-message options when sending. */
export interface SendOptions {
  /** The capability the sender acts under; the receiver checks the registry lists it for the sender. */
  cap?: string;
  /** Id of the envelope this one answers. */
  re?: string;
  /** Lifetime in ms (default 60 s, at most 5 min). */
  ttlMs?: number;
  /** Handling priority at the receiver (default normal). */
  priority?: Priority;
  /** Encrypt the body to the recipient (a did:key only): its descriptor's `encryptionKey`, or the key derived from its did. */
  encrypt?: boolean;
}

/** A message to one agent (`did:key:…`) or to any one holder of a capability (`cap:<name>`), with its per-message options. */
export interface OutboundMessage extends SendOptions {
  to: string;
  type: string;
  body: unknown;
}

/** A request: a message whose handler's return value comes back as the reply. */
export interface RequestMessage extends OutboundMessage {
  /** How long to wait for the reply (default the bus's `requestTimeoutMs`). */
  timeoutMs?: number;
}

/** A message to every agent matching `filter`; `encrypt: true` is refused (there is no one recipient). */
export interface BroadcastMessage extends SendOptions {
  filter: BroadcastFilter;
  type: string;
  body: unknown;
}

/** A verified message as a handler receives it. */
export interface InboundMessage {
  /** The envelope as signed (for an encrypted one, `body` is the ciphertext). */
  envelope: Envelope;
  /** The body, decrypted if it was sealed, and parsed by the accepting schema. */
  body: unknown;
  /** True when it came from the durable (JetStream) inbox: at-least-once, handle idempotently by `envelope.id`. */
  durable: boolean;
  /** True when the sender is waiting for the handler's return value as a reply. */
  expectsReply: boolean;
  /**
   * The W3C `traceparent` header the message came with, when it was well-formed (a malformed one is dropped).
   * Unsigned: use it to continue the sender's trace, never to decide anything.
   */
  traceparent?: string;
}

/** A reply to a request, verified like any envelope (and decrypted when the request was encrypted). */
export interface Reply {
  envelope: Envelope;
  body: unknown;
}

/** An attached agent's handle on the bus: everything it sends is signed with its identity. */
export interface AgentEndpoint {
  readonly did: string;
  /** At-most-once message to an agent (`did:key:…`) or to any one holder of a capability (`cap:<name>`). */
  send(message: OutboundMessage): Promise<Envelope>;
  /** Durable (JetStream) message to an agent: stored before this resolves, delivered at least once, de-duplicated by envelope id. */
  sendDurable(message: OutboundMessage): Promise<Envelope>;
  /** Sends and waits for the handler's reply; rejects with a coded error on timeout, no responders, a rejected reply, or a `mandate.error` answer. */
  request(message: RequestMessage): Promise<Reply>;
  /** One envelope to every agent (on every node) matching `filter`. */
  broadcast(message: BroadcastMessage): Promise<Envelope>;
  /**
   * Stops receiving; deregisters the agent when the bus registered it, unless `deregister: false` (a fenced
   * holder of an identity that another node now hosts leaves that node's descriptor alone).
   */
  detach(options?: { deregister?: boolean }): Promise<void>;
}
