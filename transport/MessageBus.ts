import { systemClock, type Clock } from '../kernel/index.ts';
import type { AgentBus } from './AgentBus.ts';
import type { AgentEndpoint } from './AgentEndpoint.ts';
import type { AgentIdentity } from './AgentIdentity.ts';
import type { AttachOptions } from './AttachOptions.ts';
import { AttachedAgent } from './AttachedAgent.ts';
import type { CapabilityRegistry } from './CapabilityRegistry.ts';
import {
  CONTROL_CAPABILITY,
  KillSwitchControlSchema,
  NODE_CAPABILITY,
  type InspectionMessage,
  type KillSwitchControl,
} from './controlMessages.ts';
import { DEFAULT_LIMITS, type Envelope, type EnvelopeLimits } from './Envelope.ts';
import { EnvelopeAdmission } from './EnvelopeAdmission.ts';
import { TransportUsageError, type RejectCodeValue } from './errors.ts';
import { InboundScheduler } from './InboundScheduler.ts';
import { NodeChannels } from './NodeChannels.ts';
import { Refusals, type Rejection } from './Refusals.ts';
import type { ReplayGuard } from './ReplayGuard.ts';
import { InlineSignatureVerifier, type SignatureVerifier } from './SignatureVerifier.ts';
import {
  encodeEnvelope,
  pooledRandom,
  signEnvelope,
  signForWire,
  type EnvelopeDraft,
  type EnvelopeSources,
  type SignedForWire,
} from './signEnvelope.ts';
import { CONTROL_KILLSWITCH_SUBJECT, inspectionSubject } from './subjects.ts';
import type { Transport, TransportSubscription } from './Transport.ts';
import type { RequestDone } from './AgentBus.ts';

/** Everything the bus runs on. */
export interface MessageBusOptions {
  transport: Transport;
  registry: CapabilityRegistry;
  replay: ReplayGuard;
  /** This runtime node: its id and identity (signs its own descriptor, control messages, inspection events, refusals). */
  node: { id: string; identity: AgentIdentity; group?: string; controlAuthority?: boolean };
  verifier?: SignatureVerifier;
  clock?: Pick<Clock, 'now'>;
  /** Randomness for envelope ids and nonces (inject for reproducible tests). */
  random?: (n: number) => Uint8Array;
  limits?: EnvelopeLimits;
  /** Every refused envelope, with its code; nothing refused reaches a handler. */
  onReject?: (rejection: Rejection) => void;
  /** Kill switch orders from any node (including this one), after verification. */
  onControl?: (order: KillSwitchControl, envelope: Envelope) => void;
  /**
   * Called before anything is signed for an agent or the node; throw (e.g. the kill switch's coded error) to
   * refuse. This is where the runtime enforces the kill switch on messaging: nothing covered gets signed.
   */
  beforeSign?: (signer: string, draft: EnvelopeDraft) => void;
  /** A handler threw (the envelope itself was valid): for the log. Requests also get a `mandate.error` reply; durable messages are retried. */
  onHandlerError?: (error: unknown, envelope: Envelope) => void;
  /** Heartbeat period for registered descriptors (each a re-signed record); default 10 s. */
  heartbeatMs?: number;
  requestTimeoutMs?: number;
  /** Each request an attached agent made, once it ended: its type, how long it took (ms) and how it ended (for the request/reply histogram). */
  onRequestDone?: (done: RequestDone) => void;
  /**
   * The W3C `traceparent` of the span agent `did` is in right now (a runtime: its running cycle's phase), or
   * undefined. Every message and request the agent sends carries it in a `traceparent` header, outside the
   * signature (docs/protocol.md §2.3), so the receiver's work joins the sender's trace.
   */
  traceparentOf?: (did: string) => string | undefined;
  /** Inbound messages admitted and handled at once; more wait, highest priority first. Default 256. */
  inboundConcurrency?: number;
}

/**
 * The runtime's messaging facade: attaches agents (identity + accepted types + handler) to a {@link Transport},
 * signs everything they send and admits everything they receive through {@link EnvelopeAdmission}, by priority.
 *
 * @example
 * const bus = await MessageBus.start({ transport, registry, replay, node: { id: 'node-1', identity } });
 * const alice = await bus.attach({ identity: a, accepts: { 'fx.quote': {} }, handler: async () => ({ rate: '1.08' }) });
 * const reply = await bob.request(alice.did, 'fx.quote', { pair: 'EURUSD' });
 */
export class MessageBus {
  readonly options: MessageBusOptions;
  readonly admission: EnvelopeAdmission;
  readonly clock: Pick<Clock, 'now'>;
  readonly limits: EnvelopeLimits;
  readonly sources: EnvelopeSources;
  readonly agents = new Map<string, AttachedAgent>();
  readonly #refusals: Refusals;
  readonly #channels: NodeChannels;
  readonly #subs: TransportSubscription[] = [];
  /** The side of this bus its attached agents see. */
  readonly #agentBus: AgentBus;
  #heartbeat: ReturnType<typeof setInterval> | undefined;

  private constructor(options: MessageBusOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.sources = { clock: this.clock, random: options.random ?? pooledRandom };
    this.admission = new EnvelopeAdmission({
      registry: options.registry,
      verifier: options.verifier ?? new InlineSignatureVerifier(),
      replay: options.replay,
      clock: this.clock,
      limits: this.limits,
    });
    this.#refusals = new Refusals({
      transport: options.transport,
      node: options.node.identity,
      sign: (identity, draft) => this.sign(identity, draft),
      clock: this.clock,
      onReject: (r) => this.options.onReject?.(r),
    });
    this.#agentBus = {
      transport: options.transport,
      registry: options.registry,
      admission: this.admission,
      scheduler: new InboundScheduler(options.inboundConcurrency),
      refusals: this.#refusals,
      nodeId: options.node.id,
      nodeDid: options.node.identity.did,
      requestTimeoutMs: options.requestTimeoutMs ?? 5_000,
      sign: (identity, draft) => this.signForWire(identity, draft),
      headersOf: (did) => {
        const traceparent = this.options.traceparentOf?.(did);
        return traceparent === undefined ? undefined : { traceparent };
      },
      handlerFailed: (error, envelope) => this.options.onHandlerError?.(error, envelope),
      requestDone: (done) => this.options.onRequestDone?.(done),
      detached: (did) => void this.agents.delete(did),
    };
    this.#channels = new NodeChannels({
      bus: this.#agentBus,
      agents: () => this.agents.values(),
      onControl: (order, env) => this.options.onControl?.(order, env),
    });
  }

  /** Registers the node's own signed descriptor (capability `mandate.node`) and subscribes to broadcasts and control messages. */
  static async start(options: MessageBusOptions): Promise<MessageBus> {
    const bus = new MessageBus(options);
    const caps = [
      { name: NODE_CAPABILITY, version: '1.1.0' },
      ...(options.node.controlAuthority === true ? [{ name: CONTROL_CAPABILITY, version: '1.1.0' }] : []),
    ];
    const identity = options.node.identity;
    await options.registry.register(identity, {
      id: options.node.id,
      node: options.node.id,
      nodeDid: identity.did,
      capabilities: caps,
      ...(options.node.group === undefined ? {} : { group: options.node.group }),
    });
    bus.#subs.push(...bus.#channels.start());
    bus.#heartbeat = setInterval(() => void bus.#beat(), options.heartbeatMs ?? 10_000);
    bus.#heartbeat.unref();
    return bus;
  }

  /** Refusals counted by code, for metrics. */
  get rejected(): ReadonlyMap<RejectCodeValue, number> {
    return this.#refusals.counts;
  }

  /** Attaches an agent; resolves once its subscriptions are live. */
  async attach(options: AttachOptions): Promise<AgentEndpoint> {
    if (this.agents.has(options.identity.did))
      throw new TransportUsageError(`Agent ${options.identity.did} is already attached to this bus; detach it first.`);
    const agent = new AttachedAgent(this.#agentBus, options);
    this.agents.set(agent.did, agent);
    try {
      await agent.start();
    } catch (cause) {
      this.agents.delete(agent.did);
      throw cause;
    }
    return agent;
  }

  /** Signs `draft` with `identity`. */
  sign(identity: AgentIdentity, draft: EnvelopeDraft): Envelope {
    this.options.beforeSign?.(identity.did, draft);
    return signEnvelope(identity, draft, this.sources);
  }

  /** Signs `draft` with `identity`, with the envelope's wire bytes (the send path). */
  signForWire(identity: AgentIdentity, draft: EnvelopeDraft): SignedForWire {
    this.options.beforeSign?.(identity.did, draft);
    return signForWire(identity, draft, this.sources);
  }

  /** Sends a kill switch order to every node (this one included), signed by this node, priority urgent. */
  async control(
    order: Omit<KillSwitchControl, 'all' | 'agents' | 'groups' | 'capabilities'> & Partial<KillSwitchControl>,
  ): Promise<Envelope> {
    const body = KillSwitchControlSchema.parse(order);
    const env = this.sign(this.options.node.identity, {
      to: '*',
      type: 'control.killswitch',
      cap: CONTROL_CAPABILITY,
      priority: 'urgent',
      body,
    });
    this.options.transport.publish(CONTROL_KILLSWITCH_SUBJECT, encodeEnvelope(env));
    await this.options.transport.flush();
    return env;
  }

  /** Publishes an inspection message (a `type`-tagged JSON object), signed by this node, on `mandate.inspect.<node>`. */
  publishInspection<E extends { readonly type: string }>(event: E): void {
    const env = this.sign(this.options.node.identity, {
      to: '*',
      type: 'inspect.event',
      cap: NODE_CAPABILITY,
      priority: 'low',
      body: event,
    });
    this.options.transport.publish(inspectionSubject(this.options.node.id), encodeEnvelope(env));
  }

  /** Verified inspection messages of every node (for a gateway that watches several nodes). */
  subscribeInspection(handler: (event: InspectionMessage, envelope: Envelope) => void): TransportSubscription {
    return this.#channels.subscribeInspection(handler);
  }

  /** Detaches every agent, deregisters the node, stops timers. Does not close the transport (its owner does). */
  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    for (const agent of [...this.agents.values()]) await agent.detach();
    for (const s of this.#subs.splice(0)) await s.unsubscribe();
    await this.options.registry.deregister(this.options.node.identity.did).catch(() => undefined);
  }

  /** Re-signs the node's and every registered agent's descriptor (the heartbeat duty, docs/protocol.md §9). */
  async #beat(): Promise<void> {
    const registry = this.options.registry;
    await registry.heartbeat(this.options.node.identity).catch(() => undefined);
    for (const a of this.agents.values()) if (a.registered) await registry.heartbeat(a.identity).catch(() => undefined);
  }
}
