import { MandateError } from '../kernel/index.ts';
import type { AgentBus } from './AgentBus.ts';
import type { AgentEndpoint, InboundMessage, Reply, SendOptions } from './AgentEndpoint.ts';
import type { AttachOptions } from './AttachOptions.ts';
import type { Admitted, AcceptSpec } from './EnvelopeAdmission.ts';
import type { BroadcastFilter, Envelope } from './Envelope.ts';
import { HandlerFailedError, RemoteError, TransportUsageError } from './errors.ts';
import { encodeEnvelope } from './signEnvelope.ts';
import {
  agentDurableConsumer,
  agentDurableSubject,
  agentInboxSubject,
  BROADCAST_SUBJECT,
  capabilitySubject,
} from './subjects.ts';
import type { DurableMessage, TransportMessage, TransportSubscription } from './Transport.ts';

/** One agent attached to a `MessageBus` (through its {@link AgentBus} side): its subscriptions, and the {@link AgentEndpoint} it sends through. */
export class AttachedAgent implements AgentEndpoint {
  readonly did: string;
  readonly accepts: Readonly<Record<string, AcceptSpec>>;
  registered = false;
  readonly #bus: AgentBus;
  readonly #options: AttachOptions;
  readonly #subs: TransportSubscription[] = [];
  #detached = false;

  constructor(bus: AgentBus, options: AttachOptions) {
    this.#bus = bus;
    this.#options = options;
    this.did = options.identity.did;
    this.accepts = options.accepts;
  }

  /** Registers (when a descriptor was given) and subscribes. */
  async start(): Promise<void> {
    const { transport, registry, nodeId } = this.#bus;
    if (this.#options.descriptor !== undefined) {
      await registry.register({ ...this.#options.descriptor, did: this.did, node: nodeId });
      this.registered = true;
    }
    const inbox = agentInboxSubject(this.did);
    this.#subs.push(transport.subscribe(inbox, (m) => void this.#onCore(m, this.did, (to) => to === this.did)));
    for (const cap of this.#options.serveCapabilities ?? []) {
      const subject = capabilitySubject(cap);
      this.#subs.push(
        transport.subscribe(subject, (m) => void this.#onCore(m, `cap:${cap}`, (to) => to === `cap:${cap}`), {
          queue: subject,
        }),
      );
    }
    if (this.#options.durable !== undefined && this.#options.durable !== false) {
      const d = this.#options.durable === true ? {} : this.#options.durable;
      this.#subs.push(
        await transport.consumeDurable(agentDurableSubject(this.did), (m) => this.#onDurable(m), {
          durable: agentDurableConsumer(this.did),
          ...(d.ackWaitMs === undefined ? {} : { ackWaitMs: d.ackWaitMs }),
          ...(d.maxDeliver === undefined ? {} : { maxDeliver: d.maxDeliver }),
        }),
      );
    }
    await transport.flush();
  }

  async send(to: string, type: string, body: unknown, options: SendOptions = {}): Promise<Envelope> {
    this.#assertAttached();
    const env = this.#bus.sign(this.#options.identity, { to, type, body, ...options });
    this.#bus.transport.publish(subjectFor(to), encodeEnvelope(env));
    return env;
  }

  async sendDurable(to: string, type: string, body: unknown, options: SendOptions = {}): Promise<Envelope> {
    this.#assertAttached();
    if (!to.startsWith('did:key:'))
      throw new TransportUsageError(
        `Durable messages go to one agent (did:key:…), not "${to}"; discover the agent first.`,
      );
    const env = this.#bus.sign(this.#options.identity, { to, type, body, ttlMs: 300_000, ...options });
    await this.#bus.transport.publishDurable(agentDurableSubject(to), encodeEnvelope(env), env.id);
    return env;
  }

  async request(
    to: string,
    type: string,
    body: unknown,
    options: SendOptions & { timeoutMs?: number } = {},
  ): Promise<Reply> {
    this.#assertAttached();
    const { timeoutMs, ...send } = options;
    const env = this.#bus.sign(this.#options.identity, { to, type, body, ...send });
    const bytes = await this.#bus.transport.request(
      subjectFor(to),
      encodeEnvelope(env),
      timeoutMs ?? this.#bus.requestTimeoutMs,
    );
    const replyType = `${type}.reply`;
    const admitted = await this.#bus.admission
      .admit({
        bytes,
        scope: this.did,
        recipientOk: (t) => t === this.did,
        accepts: { [replyType]: {}, 'mandate.error': {} },
      })
      .catch((err: unknown) => {
        this.#bus.reject(err, `reply:${type}`, this.did);
        throw err;
      });
    if (admitted.envelope.re !== env.id) {
      throw new TransportUsageError(
        `Reply ${admitted.envelope.id} answers "${admitted.envelope.re ?? '(nothing)'}", not request ${env.id}.`,
      );
    }
    if (admitted.envelope.type === 'mandate.error') {
      const b = admitted.envelope.body as { code?: unknown; message?: unknown };
      throw new RemoteError(String(b.code), String(b.message), {
        details: { request: env.id, from: admitted.envelope.from },
      });
    }
    return { envelope: admitted.envelope, body: admitted.body };
  }

  async broadcast(filter: BroadcastFilter, type: string, body: unknown, options: SendOptions = {}): Promise<Envelope> {
    this.#assertAttached();
    const env = this.#bus.sign(this.#options.identity, { to: '*', type, body, filter, ...options });
    this.#bus.transport.publish(BROADCAST_SUBJECT, encodeEnvelope(env));
    return env;
  }

  async detach(): Promise<void> {
    if (this.#detached) return;
    this.#detached = true;
    this.#bus.detached(this.did);
    for (const s of this.#subs.splice(0)) await s.unsubscribe();
    if (this.registered) await this.#bus.registry.deregister(this.did).catch(() => undefined);
  }

  /** Does this agent match a broadcast filter? */
  async matches(filter: BroadcastFilter): Promise<boolean> {
    if (filter.node !== undefined && filter.node !== this.#bus.nodeId) return false;
    if (filter.capability === undefined && filter.group === undefined && filter.minReputation === undefined)
      return true;
    const status = await this.#bus.registry.lookup(this.did);
    if (status.state !== 'active') return false;
    const d = status.descriptor;
    if (filter.capability !== undefined && !d.capabilities.some((c) => c.name === filter.capability)) return false;
    if (filter.group !== undefined && d.group !== filter.group) return false;
    return filter.minReputation === undefined || d.reputation >= filter.minReputation;
  }

  /** Runs the handler on an admitted envelope; returns its result. */
  async deliver(admitted: Admitted, durable: boolean, replyTo: string | undefined): Promise<unknown> {
    const msg: InboundMessage = {
      envelope: admitted.envelope,
      body: admitted.body,
      durable,
      expectsReply: replyTo !== undefined,
    };
    return this.#options.handler(msg);
  }

  async #onCore(m: TransportMessage, scope: string, recipientOk: (to: string) => boolean): Promise<void> {
    let admitted: Admitted;
    try {
      admitted = await this.#bus.admission.admit({ bytes: m.data, scope, recipientOk, accepts: this.accepts });
    } catch (err) {
      this.#bus.reject(err, m.subject, scope);
      if (m.reply !== undefined && err instanceof MandateError)
        this.#bus.replyError(m.reply, err, peekFrom(m.data), peekId(m.data));
      return;
    }
    const env = admitted.envelope;
    try {
      const result = await this.deliver(admitted, false, m.reply);
      if (m.reply !== undefined) {
        const reply = this.#bus.sign(this.#options.identity, {
          to: env.from,
          type: `${env.type}.reply`,
          re: env.id,
          body: result ?? null,
        });
        this.#bus.transport.publish(m.reply, encodeEnvelope(reply));
      }
    } catch (err) {
      this.#bus.handlerFailed(err, env);
      if (m.reply === undefined) return;
      const coded =
        err instanceof MandateError
          ? err
          : new HandlerFailedError(
              `The handler of "${env.type}" failed: ${(err as Error)?.message ?? String(err)}; its agent should fix the handler or throw a coded MandateError.`,
              { cause: err },
            );
      this.#bus.replyError(m.reply, coded, env.from, env.id, this.#options.identity);
    }
  }

  async #onDurable(m: DurableMessage): Promise<void> {
    let admitted: Admitted;
    try {
      admitted = await this.#bus.admission.admit({
        bytes: m.data,
        scope: this.did,
        recipientOk: (to) => to === this.did,
        accepts: this.accepts,
        storedAt: m.storedAt,
        redelivery: m.deliveryCount > 1,
      });
    } catch (err) {
      this.#bus.reject(err, m.subject, this.did);
      m.term();
      return;
    }
    try {
      await this.deliver(admitted, true, undefined);
      m.ack();
    } catch (err) {
      this.#bus.handlerFailed(err, admitted.envelope);
      m.nak(Math.min(30_000, 500 * 2 ** Math.min(6, m.deliveryCount)));
    }
  }

  #assertAttached(): void {
    if (this.#detached)
      throw new TransportUsageError(`Agent ${this.did} is detached from the bus; attach it again to send.`);
  }
}

function subjectFor(to: string): string {
  if (to.startsWith('did:key:')) return agentInboxSubject(to);
  if (to.startsWith('cap:')) return capabilitySubject(to.slice(4));
  throw new TransportUsageError(
    `Cannot address "${to}": use a did:key:… or cap:<capability>; use broadcast() for everyone.`,
  );
}

function peek(data: Uint8Array): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(data).toString('utf8'));
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
function peekFrom(data: Uint8Array): string | undefined {
  const f = peek(data)?.from;
  return typeof f === 'string' && f.startsWith('did:key:') ? f : undefined;
}
function peekId(data: Uint8Array): string | undefined {
  const id = peek(data)?.id;
  return typeof id === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(id) ? id : undefined;
}
