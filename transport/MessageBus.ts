import { z } from 'zod';
import { MandateError, systemClock, type Clock } from '../kernel/index.ts';
import type { AgentBus } from './AgentBus.ts';
import type { AgentEndpoint } from './AgentEndpoint.ts';
import type { AgentIdentity } from './AgentIdentity.ts';
import type { AttachOptions } from './AttachOptions.ts';
import type { CapabilityRegistry } from './CapabilityRegistry.ts';
import { AttachedAgent } from './AttachedAgent.ts';
import { EnvelopeAdmission, type AcceptSpec } from './EnvelopeAdmission.ts';
import { DEFAULT_LIMITS, type Envelope, type EnvelopeLimits } from './Envelope.ts';
import { EnvelopeRejectedError, RejectCode, TransportUsageError, type RejectCodeValue } from './errors.ts';
import type { ReplayGuard } from './ReplayGuard.ts';
import { InlineSignatureVerifier, type SignatureVerifier } from './SignatureVerifier.ts';
import {
  encodeEnvelope,
  pooledRandom,
  signEnvelope,
  type EnvelopeDraft,
  type EnvelopeSources,
} from './signEnvelope.ts';
import { BROADCAST_SUBJECT, CONTROL_KILLSWITCH_SUBJECT, INSPECTION_WILDCARD, inspectionSubject } from './subjects.ts';
import type { Transport, TransportSubscription } from './Transport.ts';

/** A refused envelope, as the runtime routes it to the log and the audit trail. */
export interface Rejection {
  code: RejectCodeValue;
  message: string;
  subject: string;
  /** Whose inbox/scope it was for. */
  scope: string;
  envelopeId?: string;
  from?: string;
  type?: string;
  at: number;
  details?: Record<string, unknown>;
}

/** Body of `control.killswitch` envelopes between nodes. */
export const KillSwitchControlSchema = z.strictObject({
  action: z.enum(['engage', 'release']),
  all: z.boolean().default(false),
  agents: z.array(z.string()).default([]),
  groups: z.array(z.string()).default([]),
  capabilities: z.array(z.string()).default([]),
  reason: z.string().min(1).max(1000),
  by: z.string().min(1).max(256),
});
/** A kill switch engage/release order between nodes. */
export type KillSwitchControl = z.infer<typeof KillSwitchControlSchema>;

/** Capability a node must hold for its kill-switch orders to be obeyed. */
export const CONTROL_CAPABILITY = 'mandate.control';
/** Capability every runtime node identity holds (inspection events, error replies). */
export const NODE_CAPABILITY = 'mandate.node';

/**
 * What the bus publishes and delivers on `mandate.inspect.<node>`: a JSON object tagged by `type`.
 * The transport checks the tag and the signature; what the rest means is the publisher's business
 * (the runtime publishes its inspection events).
 */
export const InspectionMessageSchema = z.looseObject({ type: z.string().min(1).max(128) });
/** An inspection message as a subscriber receives it. */
export type InspectionMessage = z.infer<typeof InspectionMessageSchema>;

/** Everything the bus runs on. */
export interface MessageBusOptions {
  transport: Transport;
  registry: CapabilityRegistry;
  replay: ReplayGuard;
  /** This runtime node: its id and identity (signs control messages, inspection events, error replies). */
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
  /** Heartbeat period for registered descriptors; default 10 s. */
  heartbeatMs?: number;
  requestTimeoutMs?: number;
}

/**
 * The runtime's messaging facade: attaches agents (identity + accepted types + handler) to a {@link Transport},
 * signs everything they send and admits everything they receive through {@link EnvelopeAdmission}.
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
  readonly #subs: TransportSubscription[] = [];
  /** The side of this bus its attached agents see. */
  readonly #agentBus: AgentBus;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  /** Refusals counted by code, for metrics. */
  readonly rejected = new Map<RejectCodeValue, number>();

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
    this.#agentBus = {
      transport: options.transport,
      registry: options.registry,
      admission: this.admission,
      nodeId: options.node.id,
      requestTimeoutMs: options.requestTimeoutMs ?? 5_000,
      sign: (identity, draft) => this.sign(identity, draft),
      reject: (err, subject, scope) => void this.reject(err, subject, scope),
      replyError: (replyTo, err, to, re, signer) => this.replyError(replyTo, err, to, re, signer),
      handlerFailed: (error, envelope) => this.options.onHandlerError?.(error, envelope),
      detached: (did) => void this.agents.delete(did),
    };
  }

  /** Registers the node identity and subscribes to broadcasts and control messages. */
  static async start(options: MessageBusOptions): Promise<MessageBus> {
    const bus = new MessageBus(options);
    const caps = [
      { name: NODE_CAPABILITY, version: '1.0.0' },
      ...(options.node.controlAuthority === true ? [{ name: CONTROL_CAPABILITY, version: '1.0.0' }] : []),
    ];
    await options.registry.register({
      did: options.node.identity.did,
      id: options.node.id,
      node: options.node.id,
      capabilities: caps,
      ...(options.node.group === undefined ? {} : { group: options.node.group }),
    });
    bus.#subs.push(options.transport.subscribe(BROADCAST_SUBJECT, (m) => void bus.#onBroadcast(m.subject, m.data)));
    bus.#subs.push(
      options.transport.subscribe(CONTROL_KILLSWITCH_SUBJECT, (m) => void bus.#onControl(m.subject, m.data)),
    );
    bus.#heartbeat = setInterval(() => void bus.#beat(), options.heartbeatMs ?? 10_000);
    bus.#heartbeat.unref();
    return bus;
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

  /** Sends a kill switch order to every node (this one included), signed by this node. */
  async control(
    order: Omit<KillSwitchControl, 'all' | 'agents' | 'groups' | 'capabilities'> & Partial<KillSwitchControl>,
  ): Promise<Envelope> {
    const body = KillSwitchControlSchema.parse(order);
    const env = this.sign(this.options.node.identity, {
      to: '*',
      type: 'control.killswitch',
      cap: CONTROL_CAPABILITY,
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
      body: event as unknown as Record<string, unknown>,
    });
    this.options.transport.publish(inspectionSubject(this.options.node.id), encodeEnvelope(env));
  }

  /** Verified inspection messages of every node (for a gateway that watches several nodes). */
  subscribeInspection(handler: (event: InspectionMessage, envelope: Envelope) => void): TransportSubscription {
    const scope = `inspect@${this.options.node.id}`;
    return this.options.transport.subscribe(INSPECTION_WILDCARD, (m) => {
      this.admission
        .admit({
          bytes: m.data,
          scope,
          recipientOk: (to) => to === '*',
          accepts: { 'inspect.event': { capability: NODE_CAPABILITY, body: InspectionMessageSchema } },
        })
        .then(
          (a) => handler(a.body as InspectionMessage, a.envelope),
          (err: unknown) => this.reject(err, m.subject, scope),
        );
    });
  }

  /** Records a refusal (log/audit hook and per-code counters); rethrows anything that is not a refusal. */
  reject(err: unknown, subject: string, scope: string): Rejection {
    if (!(err instanceof EnvelopeRejectedError)) {
      const wrapped = new EnvelopeRejectedError(
        RejectCode.malformed,
        `Envelope could not be processed: ${(err as Error)?.message ?? String(err)}`,
        { cause: err },
      );
      return this.reject(wrapped, subject, scope);
    }
    const d = err.details ?? {};
    const rejection: Rejection = {
      code: err.code,
      message: err.message,
      subject,
      scope,
      at: this.clock.now(),
      details: d,
      ...(typeof d.id === 'string' ? { envelopeId: d.id } : {}),
      ...(typeof d.from === 'string' ? { from: d.from } : {}),
      ...(typeof d.type === 'string' ? { type: d.type } : {}),
    };
    this.rejected.set(err.code, (this.rejected.get(err.code) ?? 0) + 1);
    this.options.onReject?.(rejection);
    return rejection;
  }

  /** Replies to a request with a signed `mandate.error` (from the node identity when no agent can sign). */
  replyError(
    replyTo: string,
    err: MandateError,
    to: string | undefined,
    re: string | undefined,
    signer: AgentIdentity = this.options.node.identity,
  ): void {
    if (to === undefined) return;
    const env = this.sign(signer, {
      to,
      type: 'mandate.error',
      ...(re === undefined ? {} : { re }),
      body: { code: err.code, message: err.message },
    });
    this.options.transport.publish(replyTo, encodeEnvelope(env));
  }

  /** Detaches every agent, deregisters the node, stops timers. Does not close the transport (its owner does). */
  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    for (const agent of [...this.agents.values()]) await agent.detach();
    for (const s of this.#subs.splice(0)) await s.unsubscribe();
    await this.options.registry.deregister(this.options.node.identity.did).catch(() => undefined);
  }

  async #beat(): Promise<void> {
    await this.options.registry.heartbeat(this.options.node.identity.did).catch(() => undefined);
    for (const a of this.agents.values())
      if (a.registered) await this.options.registry.heartbeat(a.did).catch(() => undefined);
  }

  async #onBroadcast(subject: string, data: Uint8Array): Promise<void> {
    const scope = `node:${this.options.node.id}`;
    const accepts: Record<string, AcceptSpec> = {};
    for (const a of this.agents.values()) for (const [type, spec] of Object.entries(a.accepts)) accepts[type] ??= spec;
    let admitted;
    try {
      admitted = await this.admission.admit({ bytes: data, scope, recipientOk: (to) => to === '*', accepts });
    } catch (err) {
      this.reject(err, subject, scope);
      return;
    }
    const filter = admitted.envelope.filter ?? {};
    for (const agent of this.agents.values()) {
      if (agent.did === admitted.envelope.from || !(admitted.envelope.type in agent.accepts)) continue;
      if (!(await agent.matches(filter))) continue;
      try {
        await agent.deliver(admitted, false, undefined);
      } catch (err) {
        this.options.onHandlerError?.(err, admitted.envelope);
      }
    }
  }

  async #onControl(subject: string, data: Uint8Array): Promise<void> {
    const scope = `control:${this.options.node.id}`;
    try {
      const a = await this.admission.admit({
        bytes: data,
        scope,
        recipientOk: (to) => to === '*',
        accepts: { 'control.killswitch': { capability: CONTROL_CAPABILITY, body: KillSwitchControlSchema } },
      });
      this.options.onControl?.(a.body as KillSwitchControl, a.envelope);
    } catch (err) {
      this.reject(err, subject, scope);
    }
  }
}
