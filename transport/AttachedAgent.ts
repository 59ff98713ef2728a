import { ErrorCode } from '../kernel/index.ts';
import type { AgentBus } from './AgentBus.ts';
import type { AgentEndpoint, BroadcastMessage, OutboundMessage, Reply, RequestMessage } from './AgentEndpoint.ts';
import { AgentInbox } from './AgentInbox.ts';
import type { AttachOptions } from './AttachOptions.ts';
import { NODE_CAPABILITY } from './controlMessages.ts';
import type { AcceptSpec } from './EnvelopeAdmission.ts';
import type { BroadcastFilter, Envelope } from './Envelope.ts';
import { RemoteError, TransportUsageError } from './errors.ts';
import { x25519FromSeed, type X25519KeyPair } from './payloadCipher.ts';
import { sealFor } from './sealFor.ts';
import type { SignedForWire } from './signEnvelope.ts';
import { agentDurableSubject, agentInboxSubject, BROADCAST_SUBJECT, capabilitySubject } from './subjects.ts';

/** One agent attached to a `MessageBus` (through its {@link AgentBus} side): its {@link AgentEndpoint} for sending, and its {@link AgentInbox}. */
export class AttachedAgent implements AgentEndpoint {
  readonly did: string;
  readonly accepts: Readonly<Record<string, AcceptSpec>>;
  registered = false;
  readonly inbox: AgentInbox;
  readonly #bus: AgentBus;
  readonly #options: AttachOptions;
  #keys: X25519KeyPair | undefined;
  #detached = false;

  constructor(bus: AgentBus, options: AttachOptions) {
    this.#bus = bus;
    this.#options = options;
    this.did = options.identity.did;
    this.accepts = options.accepts;
    this.#keys = options.encryption;
    this.inbox = new AgentInbox(bus, options, () => this.keys());
  }

  /** This agent's X25519 key pair for encrypted bodies (derived from its identity unless a separate one was given). */
  keys(): X25519KeyPair {
    return (this.#keys ??= x25519FromSeed(this.#options.identity.seed()));
  }

  /** The identity that signs for this agent (the bus heartbeats with it). */
  get identity(): AttachOptions['identity'] {
    return this.#options.identity;
  }

  /** Registers (when a descriptor was given) and subscribes. */
  async start(): Promise<void> {
    const { registry, nodeId, nodeDid } = this.#bus;
    const descriptor = this.#options.descriptor;
    if (descriptor !== undefined) {
      const encryptionKey = this.#options.encryption?.publicKey;
      await registry.register(this.#options.identity, {
        ...descriptor,
        node: nodeId,
        nodeDid,
        ...(encryptionKey === undefined ? {} : { encryptionKey: Buffer.from(encryptionKey).toString('base64url') }),
      });
      this.registered = true;
    }
    await this.inbox.start();
  }

  async send(message: OutboundMessage): Promise<Envelope> {
    const { envelope, wire } = await this.#sign(message);
    this.#bus.transport.publish(subjectFor(message.to), wire, { headers: this.#bus.headersOf(this.did) });
    return envelope;
  }

  async sendDurable(message: OutboundMessage): Promise<Envelope> {
    const { to } = message;
    if (!to.startsWith('did:key:'))
      throw new TransportUsageError(
        `Durable messages go to one agent (did:key:…), not "${to}"; discover the agent first.`,
      );
    const { envelope, wire } = await this.#sign({ ttlMs: 300_000, ...message });
    await this.#bus.transport.publishDurable(agentDurableSubject(to), wire, {
      msgId: envelope.id,
      headers: this.#bus.headersOf(this.did),
    });
    return envelope;
  }

  async request(message: RequestMessage): Promise<Reply> {
    const started = performance.now();
    try {
      const reply = await this.#request(message);
      this.#bus.requestDone({ type: message.type, ms: performance.now() - started, outcome: 'ok' });
      return reply;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const timedOut =
        code === ErrorCode.MANDATE_ERR_TRANSPORT_TIMEOUT || code === ErrorCode.MANDATE_ERR_TRANSPORT_NO_RESPONDERS;
      this.#bus.requestDone({
        type: message.type,
        ms: performance.now() - started,
        outcome: timedOut ? 'timeout' : 'error',
      });
      throw error;
    }
  }

  async #request({ timeoutMs, ...message }: RequestMessage): Promise<Reply> {
    const { to, type } = message;
    const { envelope: env, wire } = await this.#sign(message);
    const bytes = await this.#bus.transport.request(subjectFor(to), wire, {
      timeoutMs: timeoutMs ?? this.#bus.requestTimeoutMs,
      headers: this.#bus.headersOf(this.did),
    });
    const admitted = await this.#bus.admission
      .admit({
        bytes,
        scope: this.did,
        recipientOk: (t) => t === this.did || t === undefined,
        accepts: { [`${type}.reply`]: {}, 'mandate.error': {} },
        decryptWith: () => this.keys(),
      })
      .catch((err: unknown) => {
        this.#bus.refusals.refuse(err, { subject: `reply:${type}` }, this.did);
        throw err;
      });
    const reply = admitted.envelope;
    if (reply.re !== env.id)
      throw new TransportUsageError(`Reply ${reply.id} answers "${reply.re ?? '(nothing)'}", not request ${env.id}.`);
    // A did is answered by that agent, or (refusals) by a node; a capability by any holder.
    const node = reply.type === 'mandate.error' && reply.cap === NODE_CAPABILITY;
    if (to.startsWith('did:key:') && reply.from !== to && !node)
      throw new TransportUsageError(
        `Reply ${reply.id} to a request for ${to} is signed by ${reply.from}, not by it or a node.`,
      );
    if (reply.type === 'mandate.error') {
      const b = admitted.body as { code?: unknown; message?: unknown } | null;
      throw new RemoteError(String(b?.code), String(b?.message), { details: { request: env.id, from: reply.from } });
    }
    return { envelope: reply, body: admitted.body };
  }

  async broadcast(message: BroadcastMessage): Promise<Envelope> {
    if (message.encrypt === true)
      throw new TransportUsageError('A broadcast cannot be encrypted: it has no one recipient.');
    const { envelope, wire } = await this.#sign({ ...message, to: '*' });
    this.#bus.transport.publish(BROADCAST_SUBJECT, wire, { headers: this.#bus.headersOf(this.did) });
    return envelope;
  }

  async detach(options: { deregister?: boolean } = {}): Promise<void> {
    if (this.#detached) return;
    this.#detached = true;
    this.#bus.detached(this.did);
    await this.inbox.stop();
    if (this.registered && options.deregister !== false)
      await this.#bus.registry.deregister(this.did).catch(() => undefined);
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

  async #sign({ encrypt, ...draft }: OutboundMessage & { filter?: BroadcastFilter }): Promise<SignedForWire> {
    if (this.#detached)
      throw new TransportUsageError(`Agent ${this.did} is detached from the bus; attach it again to send.`);
    if (encrypt === true) {
      const { to, type, body } = draft;
      Object.assign(draft, await sealFor(this.#bus, { from: this.did, to, type, body }));
    }
    return this.#bus.sign(this.#options.identity, draft);
  }
}

function subjectFor(to: string): string {
  if (to.startsWith('did:key:')) return agentInboxSubject(to);
  if (to.startsWith('cap:')) return capabilitySubject(to.slice(4));
  throw new TransportUsageError(
    `Cannot address "${to}": use a did:key:… or cap:<capability>; use broadcast() for everyone.`,
  );
}
