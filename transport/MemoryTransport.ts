import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../kernel/index.ts';
import { RequestFailedError, TransportUsageError } from './errors.ts';
import { subjectMatches } from './subjectMatches.ts';
import type {
  DurableConsumeOptions,
  DurableMessage,
  DurablePublishOptions,
  MessageHeaders,
  PublishOptions,
  RequestOptions,
  SubscribeOptions,
  Transport,
  TransportMessage,
  TransportSubscription,
} from './Transport.ts';

interface Sub {
  pattern: string;
  queue: string | undefined;
  handler: (msg: TransportMessage) => void;
}

interface Stored {
  seq: number;
  subject: string;
  data: Uint8Array;
  storedAt: number;
  headers: MessageHeaders | undefined;
}

interface Consumer {
  subject: string;
  /** Next stream sequence to hand out. */
  cursor: number;
  deliveries: Map<number, number>;
  acked: Set<number>;
  handler: ((msg: DurableMessage) => Promise<void>) | undefined;
  options: DurableConsumeOptions;
  timers: Set<ReturnType<typeof setTimeout>>;
}

/**
 * The in-process transport: the embedded default. Several {@link MessageBus}es (several "nodes") may share one
 * instance. Delivery is asynchronous, like a network; durable messages live as long as the instance does and
 * follow JetStream's rules (msg-id de-duplication, durable consumers, ack/nak, redelivery after `ackWaitMs`).
 */
export class MemoryTransport implements Transport {
  readonly #subs = new Set<Sub>();
  /** Exact-subject subscriptions by subject, so a node with thousands of agent inboxes routes in O(1). */
  readonly #exact = new Map<string, Set<Sub>>();
  readonly #wild = new Set<Sub>();
  readonly #rr = new Map<string, number>();
  readonly #stream: Stored[] = [];
  readonly #msgIds = new Map<string, number>();
  readonly #consumers = new Map<string, Consumer>();
  readonly #now: () => number;
  #closed = false;

  /** `now` stamps durable messages (default: wall clock). */
  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  publish(subject: string, data: Uint8Array, { reply, headers }: PublishOptions = {}): void {
    this.#assertOpen();
    const matched = this.#matching(subject);
    const targets: Sub[] = [];
    const groups = new Map<string, Sub[]>();
    for (const s of matched) {
      if (s.queue === undefined) targets.push(s);
      else groups.set(`${s.pattern}|${s.queue}`, [...(groups.get(`${s.pattern}|${s.queue}`) ?? []), s]);
    }
    for (const [name, members] of groups) {
      const i = this.#rr.get(name) ?? 0;
      this.#rr.set(name, i + 1);
      targets.push(members[i % members.length]!);
    }
    const msg: TransportMessage = { subject, data, reply, ...(headers === undefined ? {} : { headers }) };
    for (const t of targets) queueMicrotask(() => this.#subs.has(t) && t.handler(msg));
  }

  subscribe(
    subject: string,
    handler: (msg: TransportMessage) => void,
    options: SubscribeOptions = {},
  ): TransportSubscription {
    this.#assertOpen();
    const sub: Sub = { pattern: subject, queue: options.queue, handler };
    this.#subs.add(sub);
    const wild = subject.includes('*') || subject.includes('>');
    if (wild) this.#wild.add(sub);
    else {
      let set = this.#exact.get(subject);
      if (set === undefined) this.#exact.set(subject, (set = new Set()));
      set.add(sub);
    }
    return {
      unsubscribe: async () => {
        this.#subs.delete(sub);
        if (wild) this.#wild.delete(sub);
        else {
          const set = this.#exact.get(subject);
          set?.delete(sub);
          if (set?.size === 0) this.#exact.delete(subject);
        }
      },
    };
  }

  request(subject: string, data: Uint8Array, { timeoutMs, headers }: RequestOptions): Promise<Uint8Array> {
    this.#assertOpen();
    const hasResponder = this.#matching(subject).length > 0;
    if (!hasResponder)
      return Promise.reject(
        new RequestFailedError(
          ErrorCode.MANDATE_ERR_TRANSPORT_NO_RESPONDERS,
          `No agent listens on "${subject}"; check the recipient is attached and its capability registered.`,
          { details: { subject } },
        ),
      );
    const inbox = `_INBOX.${randomUUID()}`;
    return new Promise((resolve, reject) => {
      const sub = this.subscribe(inbox, (msg) => {
        clearTimeout(timer);
        void sub.unsubscribe();
        resolve(msg.data);
      });
      const timer = setTimeout(() => {
        void sub.unsubscribe();
        reject(
          new RequestFailedError(
            ErrorCode.MANDATE_ERR_TRANSPORT_TIMEOUT,
            `No reply on "${subject}" within ${timeoutMs} ms; the peer is slow or gone. Retry with a new envelope or a longer timeout.`,
            { details: { subject, timeoutMs } },
          ),
        );
      }, timeoutMs);
      this.publish(subject, data, { reply: inbox, headers });
    });
  }

  async publishDurable(subject: string, data: Uint8Array, { msgId, headers }: DurablePublishOptions): Promise<void> {
    this.#assertOpen();
    const now = this.#now();
    const seen = this.#msgIds.get(msgId);
    if (seen !== undefined && now - seen < 120_000) return; // JetStream duplicate window: 2 minutes
    this.#msgIds.set(msgId, now);
    this.#stream.push({ seq: this.#stream.length + 1, subject, data, storedAt: now, headers });
    for (const c of this.#consumers.values()) if (c.handler !== undefined) this.#pump(c);
  }

  async consumeDurable(
    subject: string,
    handler: (msg: DurableMessage) => Promise<void>,
    options: DurableConsumeOptions,
  ): Promise<TransportSubscription> {
    this.#assertOpen();
    let c = this.#consumers.get(options.durable);
    if (c === undefined) {
      c = {
        subject,
        cursor: 1,
        deliveries: new Map(),
        acked: new Set(),
        handler: undefined,
        options,
        timers: new Set(),
      };
      this.#consumers.set(options.durable, c);
    }
    if (c.handler !== undefined)
      throw new TransportUsageError(
        `Durable consumer "${options.durable}" is already being consumed; use one consumer per durable name.`,
      );
    c.handler = handler;
    c.options = options;
    // Redeliver everything handed out but never acked (what a restarted JetStream consumer does after ack wait).
    for (const seq of c.deliveries.keys()) if (!c.acked.has(seq)) this.#deliver(c, this.#stream[seq - 1]!);
    this.#pump(c);
    const consumer = c;
    return {
      unsubscribe: async () => {
        consumer.handler = undefined;
        for (const t of consumer.timers) clearTimeout(t);
        consumer.timers.clear();
      },
    };
  }

  async flush(): Promise<void> {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#subs.clear();
    this.#exact.clear();
    this.#wild.clear();
    for (const c of this.#consumers.values()) {
      c.handler = undefined;
      for (const t of c.timers) clearTimeout(t);
    }
  }

  #matching(subject: string): Sub[] {
    const out = [...(this.#exact.get(subject) ?? [])];
    for (const s of this.#wild) if (subjectMatches(s.pattern, subject)) out.push(s);
    return out;
  }

  #pump(c: Consumer): void {
    while (c.cursor <= this.#stream.length) {
      const m = this.#stream[c.cursor - 1]!;
      c.cursor++;
      if (subjectMatches(c.subject, m.subject)) this.#deliver(c, m);
    }
  }

  #deliver(c: Consumer, m: Stored): void {
    const count = (c.deliveries.get(m.seq) ?? 0) + 1;
    if (c.options.maxDeliver !== undefined && count > c.options.maxDeliver) return;
    c.deliveries.set(m.seq, count);
    let settled = false;
    const later = (ms: number) => {
      const t = setTimeout(() => {
        c.timers.delete(t);
        if (c.handler !== undefined && !c.acked.has(m.seq)) this.#deliver(c, m);
      }, ms);
      c.timers.add(t);
    };
    const ackWait = setTimeout(() => {
      c.timers.delete(ackWait);
      if (!settled) {
        settled = true;
        later(0);
      }
    }, c.options.ackWaitMs ?? 30_000);
    c.timers.add(ackWait);
    const settle = (fn: () => void) => () => {
      if (settled) return;
      settled = true;
      clearTimeout(ackWait);
      c.timers.delete(ackWait);
      fn();
    };
    const msg: DurableMessage = {
      subject: m.subject,
      data: m.data,
      ...(m.headers === undefined ? {} : { headers: m.headers }),
      deliveryCount: count,
      storedAt: m.storedAt,
      ack: settle(() => c.acked.add(m.seq)),
      term: settle(() => c.acked.add(m.seq)),
      nak: (delayMs = 0) => settle(() => later(delayMs))(),
    };
    const handler = c.handler;
    if (handler !== undefined) queueMicrotask(() => void handler(msg).catch(() => msg.nak(1_000)));
  }

  #assertOpen(): void {
    if (this.#closed) throw new TransportUsageError('The memory transport is closed; create a new one.');
  }
}
