import { parseTraceparent } from '../kernel/index.ts';
import type { AgentBus } from './AgentBus.ts';
import type { InboundMessage } from './AgentEndpoint.ts';
import type { AttachOptions } from './AttachOptions.ts';
import type { Admitted } from './EnvelopeAdmission.ts';
import type { OpenedWire } from './openEnvelope.ts';
import type { X25519KeyPair } from './payloadCipher.ts';
import { handlerFailure } from './Refusals.ts';
import { sealFor } from './sealFor.ts';
import { EnvelopeRejectedError, RejectCode } from './errors.ts';
import { agentDurableConsumer, agentDurableSubject, agentInboxSubject, capabilitySubject } from './subjects.ts';
import type { DurableMessage, MessageHeaders, TransportMessage, TransportSubscription } from './Transport.ts';

/** One core (at-most-once) subscription's receiver: the replay scope it admits under and the recipients it takes. */
interface CoreRoute {
  scope: string;
  recipientOk: (to: string | undefined) => boolean;
}

/**
 * The receiving side of one attached agent: its inbox, capability and durable subscriptions. Every message
 * is opened at once (stateless checks, which also read its priority), then admitted and handled through the
 * bus's priority scheduler; refusals with a reply subject are answered, handler failures too.
 */
export class AgentInbox {
  readonly #bus: AgentBus;
  readonly #options: AttachOptions;
  readonly #keys: () => X25519KeyPair;
  readonly #subs: TransportSubscription[] = [];
  readonly #did: string;

  constructor(bus: AgentBus, options: AttachOptions, keys: () => X25519KeyPair) {
    this.#bus = bus;
    this.#options = options;
    this.#keys = keys;
    this.#did = options.identity.did;
  }

  async start(): Promise<void> {
    const { transport } = this.#bus;
    const did = this.#did;
    const inbox: CoreRoute = { scope: did, recipientOk: (to) => to === did };
    this.#subs.push(transport.subscribe(agentInboxSubject(did), (m) => this.#onCore(m, inbox)));
    for (const cap of this.#options.serveCapabilities ?? []) {
      const subject = capabilitySubject(cap);
      const scope = `cap:${cap}`;
      const route: CoreRoute = { scope, recipientOk: (to) => to === scope };
      this.#subs.push(transport.subscribe(subject, (m) => this.#onCore(m, route), { queue: subject }));
    }
    if (this.#options.durable !== undefined && this.#options.durable !== false) {
      const d = this.#options.durable === true ? {} : this.#options.durable;
      this.#subs.push(
        await transport.consumeDurable(agentDurableSubject(did), (m) => this.#onDurable(m), {
          durable: agentDurableConsumer(did),
          ...(d.ackWaitMs === undefined ? {} : { ackWaitMs: d.ackWaitMs }),
          ...(d.maxDeliver === undefined ? {} : { maxDeliver: d.maxDeliver }),
        }),
      );
    }
    await transport.flush();
  }

  async stop(): Promise<void> {
    for (const s of this.#subs.splice(0)) await s.unsubscribe();
  }

  /** Runs the handler on an admitted envelope; returns its result. A well-formed `traceparent` header is handed on; any other is dropped. */
  deliver(
    admitted: Admitted,
    how: { durable: boolean; expectsReply: boolean; headers: MessageHeaders | undefined },
  ): Promise<unknown> {
    const header = how.headers?.traceparent;
    const traceparent = parseTraceparent(header) === undefined ? undefined : header;
    const msg: InboundMessage = {
      envelope: admitted.envelope,
      body: admitted.body,
      durable: how.durable,
      expectsReply: how.expectsReply,
      ...(traceparent === undefined ? {} : { traceparent }),
    };
    return this.#options.handler(msg);
  }

  #onCore(m: TransportMessage, route: CoreRoute): void {
    let opened: OpenedWire;
    try {
      opened = this.#bus.admission.openWire(m.data);
    } catch (err) {
      this.#bus.refusals.refuse(err, m, route.scope);
      return;
    }
    this.#bus.scheduler.run(opened.envelope.priority ?? 'normal', () => this.#handleCore(opened, m, route));
  }

  async #handleCore(
    { envelope: env, signed }: OpenedWire,
    m: TransportMessage,
    { scope, recipientOk }: CoreRoute,
  ): Promise<void> {
    let admitted: Admitted;
    try {
      admitted = await this.#bus.admission.check(env, {
        scope,
        recipientOk,
        accepts: this.#options.accepts,
        decryptWith: this.#keys,
        signed,
      });
    } catch (err) {
      this.#bus.refusals.refuse(err, m, scope);
      return;
    }
    let result: unknown;
    try {
      result = await this.deliver(admitted, {
        durable: false,
        expectsReply: m.reply !== undefined,
        headers: m.headers,
      });
    } catch (err) {
      this.#bus.handlerFailed(err, env);
      if (m.reply !== undefined)
        this.#bus.refusals.answer(m.reply, handlerFailure(err, env.type), {
          peer: { from: env.from, id: env.id },
          signer: this.#options.identity,
        });
      return;
    }
    if (m.reply === undefined) return;
    try {
      const type = `${env.type}.reply`;
      const body = result ?? null;
      // An encrypted request gets an encrypted answer.
      const sealed =
        env.enc === undefined ? { body } : await sealFor(this.#bus, { from: this.#did, to: env.from, type, body });
      const { wire } = this.#bus.sign(this.#options.identity, {
        to: env.from,
        type,
        re: env.id,
        ...(env.priority ? { priority: env.priority } : {}),
        ...sealed,
      });
      this.#bus.transport.publish(m.reply, wire);
    } catch (err) {
      this.#bus.refusals.answer(m.reply, handlerFailure(err, env.type), {
        peer: { from: env.from, id: env.id },
        signer: this.#options.identity,
      });
    }
  }

  async #onDurable(m: DurableMessage): Promise<void> {
    let opened: OpenedWire;
    try {
      opened = this.#bus.admission.openWire(m.data, m.storedAt);
    } catch (err) {
      this.#bus.refusals.refuse(err, m, this.#did);
      m.term();
      return;
    }
    return new Promise<void>((resolve) =>
      this.#bus.scheduler.run(opened.envelope.priority ?? 'normal', () =>
        this.#handleDurable(opened, m).finally(resolve),
      ),
    );
  }

  async #handleDurable({ envelope: env, signed }: OpenedWire, m: DurableMessage): Promise<void> {
    let admitted: Admitted;
    try {
      admitted = await this.#bus.admission.check(env, {
        signed,
        scope: this.#did,
        recipientOk: (to) => to === this.#did,
        accepts: this.#options.accepts,
        decryptWith: this.#keys,
        redelivery: m.deliveryCount > 1,
        durable: true,
      });
    } catch (err) {
      this.#bus.refusals.refuse(err, m, this.#did);
      // The receiver's own outage is not the message's fault: try again later. Anything else is poison.
      if (err instanceof EnvelopeRejectedError && err.code === RejectCode.unavailable) m.nak(1_000);
      else m.term();
      return;
    }
    try {
      await this.deliver(admitted, { durable: true, expectsReply: false, headers: m.headers });
      m.ack();
    } catch (err) {
      this.#bus.handlerFailed(err, admitted.envelope);
      m.nak(Math.min(30_000, 500 * 2 ** Math.min(6, m.deliveryCount)));
    }
  }
}
