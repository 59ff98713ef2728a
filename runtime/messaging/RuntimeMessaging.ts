import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ContractorRole } from '../../registry/index.ts';
import {
  AgentIdentity,
  WorkerSignatureVerifier,
  type AcceptSpec,
  type AgentEndpoint,
  type CapabilityRegistry,
  type KillSwitchControl,
  type MessageBus,
  type Rejection,
  type Transport,
} from '../../transport/index.ts';
import type { KillSwitchOrder } from '../control/KillSwitch.ts';
import { KillSwitchEngagedError, NotFoundError } from '../errors.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import { createMessaging, type Messaging } from './createMessaging.ts';
import type { MessagingEnv } from './MessagingEnv.ts';
import { runtimeContractor } from './RuntimeContractor.ts';
import { answerAsModel, modelRequestSchema } from './answerAsModel.ts';
import { MODEL_COMPLETE } from '../../actors/index.ts';
import { codeOf, ErrorCode } from '../../kernel/index.ts';

/** Message type a peer (or an MCP client through the gateway) uses to ask an agent system for work. */
export const TASK_REQUEST = 'mandate.task.request';

const taskBody = z.strictObject({ capability: z.string().min(1).max(128), input: z.record(z.string(), z.unknown()) });

/** Where the runtime's messaging runs. */
export interface RuntimeMessagingOptions {
  /** NATS server URL(s): signed messaging between processes and nodes. Unset: the in-process bus. */
  natsUrl?: string;
  /** Directory for the replay window on the in-process bus (survives restarts); in memory when unset. */
  dataDir?: string;
  /** This node's identity (signs its descriptor, control, inspection messages and refusals); generated when absent. */
  nodeIdentity?: AgentIdentity;
  /** Publish every inspection event on `mandate.inspect.*` for other nodes and tools. */
  publishInspection?: boolean;
  /**
   * Threads verifying Ed25519 signatures off the event loop, on NATS (where peers can send faster than one
   * core verifies). Default: one less than the available cores; 0 verifies on the event loop. Lone messages
   * arriving while the threads are idle are verified inline either way, so request/reply gains no latency.
   */
  verifyThreads?: number;
  /** Dids whose signed revocations are honoured for any agent (the CLI reads `MANDATE_REVOCATION_AUTHORITIES`). */
  revocationAuthorities?: readonly string[];
  /** JetStream replicas of the registry buckets (the CLI uses `MANDATE_PLACEMENT_REPLICAS`); default 1. */
  registryReplicas?: number;
}

function walletsField(wallets: Record<string, string> | undefined): { wallets?: Record<string, string> } {
  return wallets === undefined ? {} : { wallets };
}

/**
 * Connects a runtime to the signed message bus (in-process, or NATS with JetStream and KV): every agent is
 * attached with its did, registered in the capability registry with signed heartbeats, and fed verified
 * messages as `message` triggers; peers may ask for work (`mandate.task.request`) and get it under the same
 * governance; agents declaring `contractor:` bid for contract-net subtasks and run the awards they win as
 * governed cycles; kill switch orders travel between nodes; every refused envelope and every ignored registry
 * record is alerted (and refusals audited) with its code.
 */
export class RuntimeMessaging {
  readonly bus: MessageBus;
  readonly registry: CapabilityRegistry;
  readonly transport: Transport;
  readonly endpoints = new Map<string, AgentEndpoint>();
  readonly #byDid = new Map<string, AgentHost>();
  readonly #runtime: MessagingEnv;
  readonly #messaging: Messaging;
  readonly #roles = new Map<string, ContractorRole>();
  readonly #unsubscribe: () => void;
  readonly #onReputation: (c: { agentId: string; after: number }) => void;
  readonly counters = { sent: 0, received: 0, rejected: 0 };

  private constructor(runtime: MessagingEnv, messaging: Messaging, publishInspection: boolean) {
    this.#runtime = runtime;
    this.#messaging = messaging;
    this.bus = messaging.bus;
    this.registry = messaging.registry;
    this.transport = messaging.transport;
    this.#unsubscribe = publishInspection ? runtime.subscribe((e) => this.bus.publishInspection(e)) : () => {};
    // Peers rank candidates by reputation: publish every change as a signed heartbeat.
    this.#onReputation = (c) => {
      const host = runtime.agent(c.agentId);
      if (host === undefined || !this.endpoints.has(c.agentId)) return;
      this.registry.heartbeat(host.identity, { reputation: c.after / 100 }).catch((e: Error) =>
        runtime.alert({
          severity: 'warning',
          code: codeOf(e, ErrorCode.MANDATE_ERR_REGISTRY_UNAVAILABLE),
          message: `reputation not published: ${e.message}`,
          actorId: c.agentId,
        }),
      );
    };
    runtime.reputationListeners.add(this.#onReputation);
  }

  /** Connects, then attaches every agent the runtime already hosts. */
  static async connect(runtime: MessagingEnv, options: RuntimeMessagingOptions = {}): Promise<RuntimeMessaging> {
    const identity = options.nodeIdentity ?? AgentIdentity.generate();
    const clock = { now: () => runtime.clock.now() };
    const threads = options.verifyThreads ?? availableParallelism() - 1;
    const verifier =
      options.natsUrl !== undefined && threads > 0 ? new WorkerSignatureVerifier({ threads }) : undefined;
    // The bus calls back into the messaging object, which needs the bus: a late-bound reference.
    const ref: { self?: RuntimeMessaging } = {};
    const messaging = await createMessaging({
      mode: options.natsUrl === undefined ? 'memory' : 'nats',
      node: { id: runtime.nodeId, identity, controlAuthority: true },
      clock,
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
      ...(options.natsUrl === undefined
        ? {}
        : {
            nats: {
              servers: options.natsUrl,
              onError: (e) => runtime.alert({ severity: 'critical', code: e.code, message: e.message }),
            },
          }),
      ...(options.revocationAuthorities === undefined ? {} : { revocationAuthorities: options.revocationAuthorities }),
      ...(options.registryReplicas === undefined ? {} : { registryReplicas: options.registryReplicas }),
      onRecordProblem: (p) => runtime.alert({ severity: 'warning', code: p.code, message: p.message }),
      bus: {
        ...(verifier === undefined ? {} : { verifier }),
        onReject: (r) => ref.self?.rejected(r),
        onRequestDone: (d) => runtime.requestDone?.(d),
        traceparentOf: (did) => {
          const host = ref.self?.hostByDid(did);
          return host === undefined ? undefined : runtime.traceparentOf?.(host.id);
        },
        onControl: (order) => void ref.self?.control(order),
        beforeSign: (signer) => {
          const host = ref.self?.hostByDid(signer);
          if (host !== undefined && runtime.killed(host)) throw new KillSwitchEngagedError(host.id);
          if (ref.self !== undefined && host !== undefined) ref.self.counters.sent++;
        },
        onHandlerError: (error) =>
          runtime.alert({
            severity: 'warning',
            code: ErrorCode.MANDATE_ERR_MESSAGE_HANDLER,
            message: `a message handler failed: ${(error as Error).message}`,
          }),
      },
    });
    const self = new RuntimeMessaging(runtime, messaging, options.publishInspection ?? true);
    ref.self = self;
    for (const host of runtime.agents()) await self.attach(host);
    runtime.killSwitch.broadcastWith((order) => self.broadcastControl(order));
    return self;
  }

  /** The attached agent that owns `did`, if any. */
  hostByDid(did: string): AgentHost | undefined {
    return this.#byDid.get(did);
  }

  /** Attaches one agent: its message triggers, capabilities and contractor role become accepted types and served subjects. */
  async attach(host: AgentHost): Promise<AgentEndpoint> {
    const existing = this.endpoints.get(host.id);
    if (existing !== undefined) {
      host.def.modelLink?.bind(existing, this.registry);
      return existing;
    }
    const role = runtimeContractor(host, this.#runtime);
    const accepts: Record<string, AcceptSpec> = { [TASK_REQUEST]: { body: taskBody } };
    for (const t of host.def.triggers) if ('message' in t) accepts[t.message] = {};
    // An agent holding model.complete answers as a model for its peers (LocalAgentProvider).
    const answersModel = host.def.capabilities.includes(MODEL_COMPLETE);
    if (answersModel) accepts[MODEL_COMPLETE] = { body: modelRequestSchema };
    if (role !== undefined) Object.assign(accepts, ContractorRole.accepts);
    const endpoint = await this.bus.attach({
      identity: host.identity,
      accepts,
      serveCapabilities: [...host.def.capabilities],
      ...(role === undefined ? {} : { durable: { ackWaitMs: 30_000 } }),
      descriptor: {
        id: host.id,
        group: host.def.group,
        capabilities: host.def.capabilities.map((name) => ({
          name,
          version: /^\d+\.\d+\.\d+$/.test(host.def.version) ? host.def.version : '1.0.0',
        })),
        reputation: this.#runtime.reputationOf(host.id) / 100,
        ...walletsField(this.#runtime.walletsOf?.(host.id)),
      },
      handler: async (msg) => {
        this.counters.received++;
        const type = msg.envelope.type;
        if (role !== undefined && type in ContractorRole.accepts) return role.handle(msg);
        const from = msg.envelope.from;
        if (answersModel && type === MODEL_COMPLETE)
          return answerAsModel(this.#runtime, host, { body: msg.body as z.infer<typeof modelRequestSchema>, from });
        if (type === TASK_REQUEST) {
          const { capability, input } = msg.body as z.infer<typeof taskBody>;
          const traced = msg.traceparent === undefined ? {} : { traceparent: msg.traceparent };
          return this.#runtime.submitTask({ capability, input, by: { kind: 'agent', id: from }, ...traced });
        }
        const started = await this.#runtime.send(host.id, {
          type: 'agent.trigger',
          trigger: {
            kind: 'message',
            name: type,
            at: this.#runtime.clock.now(),
            data: { from, id: msg.envelope.id, body: msg.body as Record<string, unknown> },
            ...(msg.traceparent === undefined ? {} : { traceparent: msg.traceparent }),
          },
        });
        return { accepted: started };
      },
    });
    role?.bind(endpoint);
    host.def.modelLink?.bind(endpoint, this.registry);
    if (role !== undefined) this.#roles.set(host.id, role);
    this.endpoints.set(host.id, endpoint);
    this.#byDid.set(host.identity.did, host);
    return endpoint;
  }

  /** Detaches one agent (placement moved it to another node): its subjects are no longer served here. */
  async detach(agentId: string): Promise<void> {
    const endpoint = this.endpoints.get(agentId);
    if (endpoint === undefined) return;
    this.endpoints.delete(agentId);
    this.#roles.delete(agentId);
    for (const [did, h] of this.#byDid) {
      if (h.id !== agentId) continue;
      this.#byDid.delete(did);
      h.def.modelLink?.unbind(endpoint);
    }
    await endpoint.detach();
  }

  /** Revokes one of this node's agents in the registry, signed by the node (peers refuse its messages from then on). */
  async revoke(agentId: string, reason: string, by: string): Promise<void> {
    const host = this.#runtime.agent(agentId);
    if (host === undefined) throw new NotFoundError('agent', agentId);
    await this.registry.revoke(this.bus.options.node.identity, { did: host.identity.did, reason, by });
  }

  /** Applies a kill switch order that came from another node (our own are applied before they are sent). */
  async control(order: KillSwitchControl): Promise<void> {
    if (order.by.startsWith(`${this.#runtime.nodeId}:`)) return;
    const scope = { all: order.all, agents: order.agents, groups: order.groups, capabilities: order.capabilities };
    const by = { kind: 'system' as const, id: `peer:${order.by}` };
    if (order.action === 'engage') await this.#runtime.killSwitch.engage({ scope, by, why: order.reason, local: true });
    else await this.#runtime.killSwitch.release({ scope, by, why: order.reason, local: true });
  }

  /** Sends this node's kill switch order to every node. */
  async broadcastControl({ action, scope, by, reason }: KillSwitchOrder): Promise<void> {
    await this.bus.control({ action, ...scope, by: `${this.#runtime.nodeId}:${by}`, reason });
  }

  rejected(r: Rejection): void {
    this.counters.rejected++;
    this.#runtime.alert({
      severity: 'warning',
      code: r.code,
      message: `refused ${r.type ?? 'envelope'} from ${r.from ?? 'unknown'} on ${r.subject}: ${r.message}`,
    });
    void this.#runtime.audit({
      who: { kind: 'agent', id: r.from ?? 'unknown' },
      action: 'message.rejected',
      subject: r.envelopeId ?? '-',
      where: r.subject,
      why: r.message,
      data: { code: r.code, type: r.type ?? null, scope: r.scope, answered: r.answered },
      at: r.at,
    });
  }

  async close(): Promise<void> {
    this.#runtime.killSwitch.broadcastWith(undefined);
    this.#runtime.reputationListeners.delete(this.#onReputation);
    this.#unsubscribe();
    for (const role of this.#roles.values()) role.abortAll();
    for (const e of this.endpoints.values()) await e.detach().catch(() => {});
    await this.#messaging.close();
  }
}
