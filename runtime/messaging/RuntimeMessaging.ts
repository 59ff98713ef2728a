import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { ReputationChange } from '../../actors/index.ts';
import type { Principal } from '../../machines/index.ts';
import { MemoryCapabilityRegistry, NatsKvCapabilityRegistry } from '../../registry/index.ts';
import { AgentIdentity } from '../../transport/index.ts';
import type { KillSwitch } from '../control/KillSwitch.ts';
import { KillSwitchEngagedError } from '../errors.ts';
import type { AgentHost, AlertSeverity } from '../host/AgentHost.ts';
import type { InspectionEvent } from '../inspection/InspectionEvent.ts';
import type { TaskResult } from '../MandateRuntime.ts';
import type { AuditInput } from '../persistence/RuntimeStore.ts';
import {
  FileReplayStore,
  MemoryReplayStore,
  MemoryTransport,
  MessageBus,
  NatsKvReplayStore,
  NatsTransport,
  ReplayGuard,
  WorkerSignatureVerifier,
  type AcceptSpec,
  type AgentEndpoint,
  type CapabilityRegistry,
  type KillSwitchControl,
  type Rejection,
  type SignatureVerifier,
  type Transport,
} from '../../transport/index.ts';
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
  /** This node's identity (signs control and inspection messages); generated when absent. */
  nodeIdentity?: AgentIdentity;
  /** Publish every inspection event on `mandate.inspect.*` for other nodes and tools. */
  publishInspection?: boolean;
  /**
   * Threads verifying Ed25519 signatures off the event loop, on NATS (where peers can send faster than one
   * core verifies). Default: one less than the available cores; 0 verifies on the event loop. Lone messages
   * arriving while the threads are idle are verified inline either way, so request/reply gains no latency.
   */
  verifyThreads?: number;
}

/** What messaging needs from the runtime it connects. */
export interface MessagingEnv {
  readonly nodeId: string;
  readonly clock: { now(): number };
  agents(): Iterable<AgentHost>;
  agent(id: string): AgentHost | undefined;
  killed(host: AgentHost): boolean;
  reputationOf(agentId: string): number;
  /** Trust score changes, published to the registry with heartbeats. */
  readonly reputationListeners: Set<(change: ReputationChange) => void>;
  subscribe(listener: (event: InspectionEvent) => void): () => void;
  submitTask(capability: string, input: Record<string, unknown>, by: Principal): Promise<TaskResult>;
  /** Sends a validated external event to an agent (message triggers). */
  send(agentId: string, event: unknown): boolean;
  /** Applies orders from other nodes and carries this node's orders to them. */
  readonly killSwitch: Pick<KillSwitch, 'engage' | 'release' | 'broadcastWith'>;
  alert(severity: AlertSeverity, code: ErrorCode, message: string, actorId?: string): void;
  audit(entry: AuditInput): Promise<void>;
}

/**
 * Connects a runtime to the signed message bus (in-process, or NATS with
 * JetStream and KV): every agent is attached with its did, registered in the
 * capability registry with heartbeats, and fed verified messages as
 * `message` triggers; peers may ask for work (`mandate.task.request`) and get
 * it under the same governance; kill switch orders travel between nodes;
 * every refused envelope is alerted and audited with its code.
 */
export class RuntimeMessaging {
  readonly bus: MessageBus;
  readonly registry: CapabilityRegistry;
  readonly transport: Transport;
  readonly endpoints = new Map<string, AgentEndpoint>();
  readonly #byDid = new Map<string, AgentHost>();
  readonly #runtime: MessagingEnv;
  readonly #unsubscribe: () => void;
  readonly #onReputation: (c: { agentId: string; after: number }) => void;
  readonly counters = { sent: 0, received: 0, rejected: 0 };
  readonly #verifier: SignatureVerifier | undefined;

  private constructor(
    runtime: MessagingEnv,
    bus: MessageBus,
    registry: CapabilityRegistry,
    transport: Transport,
    publishInspection: boolean,
    verifier: SignatureVerifier | undefined,
  ) {
    this.#verifier = verifier;
    this.#runtime = runtime;
    this.bus = bus;
    this.registry = registry;
    this.transport = transport;
    this.#unsubscribe = publishInspection ? runtime.subscribe((e) => bus.publishInspection(e)) : () => {};
    // Peers rank candidates by reputation: publish every change with the next heartbeat.
    this.#onReputation = (c) => {
      const host = runtime.agent(c.agentId);
      if (host !== undefined && this.endpoints.has(c.agentId)) {
        registry
          .heartbeat(host.identity.did, { reputation: c.after / 100 })
          .catch((e: Error) =>
            runtime.alert(
              'warning',
              codeOf(e, ErrorCode.MANDATE_ERR_REGISTRY_UNAVAILABLE),
              `reputation not published: ${e.message}`,
              c.agentId,
            ),
          );
      }
    };
    runtime.reputationListeners.add(this.#onReputation);
  }

  /** Connects, then attaches every agent the runtime already hosts. */
  static async connect(runtime: MessagingEnv, options: RuntimeMessagingOptions = {}): Promise<RuntimeMessaging> {
    const identity = options.nodeIdentity ?? AgentIdentity.generate();
    const clock = { now: () => runtime.clock.now() };
    let transport: Transport;
    let registry: CapabilityRegistry;
    let replay: ReplayGuard;
    let verifier: SignatureVerifier | undefined;
    if (options.natsUrl !== undefined) {
      const threads = options.verifyThreads ?? availableParallelism() - 1;
      if (threads > 0) verifier = new WorkerSignatureVerifier({ threads });
      const nats = await NatsTransport.connect({
        servers: options.natsUrl,
        name: runtime.nodeId,
        onError: (e) => runtime.alert('critical', e.code, e.message),
      });
      transport = nats;
      registry = await NatsKvCapabilityRegistry.open(nats.nc, { clock });
      replay = new ReplayGuard(await NatsKvReplayStore.open(nats.nc));
    } else {
      transport = new MemoryTransport({ now: clock.now });
      registry = new MemoryCapabilityRegistry({ clock });
      replay = new ReplayGuard(
        options.dataDir === undefined
          ? new MemoryReplayStore()
          : FileReplayStore.open(join(options.dataDir, 'replay-window.json'), clock.now()),
      );
    }
    // The bus calls back into the messaging object, which needs the bus: a late-bound reference.
    const ref: { self?: RuntimeMessaging } = {};
    const bus = await MessageBus.start({
      transport,
      registry,
      replay,
      clock,
      ...(verifier === undefined ? {} : { verifier }),
      node: { id: runtime.nodeId, identity, controlAuthority: true },
      onReject: (r) => ref.self?.rejected(r),
      onControl: (order) => void ref.self?.control(order),
      beforeSign: (signer) => {
        const host = ref.self?.hostByDid(signer);
        if (host !== undefined && runtime.killed(host)) throw new KillSwitchEngagedError(host.id);
        if (ref.self !== undefined && host !== undefined) ref.self.counters.sent++;
      },
      onHandlerError: (error) =>
        runtime.alert(
          'warning',
          ErrorCode.MANDATE_ERR_MESSAGE_HANDLER,
          `a message handler failed: ${(error as Error).message}`,
        ),
    });
    const self = new RuntimeMessaging(runtime, bus, registry, transport, options.publishInspection ?? true, verifier);
    ref.self = self;
    for (const host of runtime.agents()) await self.attach(host);
    runtime.killSwitch.broadcastWith((action, scope, by, reason) => self.broadcastControl(action, scope, by, reason));
    return self;
  }

  /** The attached agent that owns `did`, if any. */
  hostByDid(did: string): AgentHost | undefined {
    return this.#byDid.get(did);
  }

  /** Attaches one agent: its message triggers and capabilities become accepted message types and served subjects. */
  async attach(host: AgentHost): Promise<AgentEndpoint> {
    const existing = this.endpoints.get(host.id);
    if (existing !== undefined) return existing;
    const accepts: Record<string, AcceptSpec> = { [TASK_REQUEST]: { body: taskBody } };
    for (const t of host.def.triggers) if ('message' in t) accepts[t.message] = {};
    const endpoint = await this.bus.attach({
      identity: host.identity,
      accepts,
      serveCapabilities: [...host.def.capabilities],
      descriptor: {
        id: host.id,
        group: host.def.group,
        capabilities: host.def.capabilities.map((name) => ({
          name,
          version: /^\d+\.\d+\.\d+$/.test(host.def.version) ? host.def.version : '1.0.0',
        })),
        reputation: this.#runtime.reputationOf(host.id) / 100,
      },
      handler: async (msg) => {
        this.counters.received++;
        const from = msg.envelope.from;
        if (msg.envelope.type === TASK_REQUEST) {
          const { capability, input } = msg.body as z.infer<typeof taskBody>;
          return this.#runtime.submitTask(capability, input, { kind: 'agent', id: from });
        }
        const started = this.#runtime.send(host.id, {
          type: 'agent.trigger',
          trigger: {
            kind: 'message',
            name: msg.envelope.type,
            at: this.#runtime.clock.now(),
            data: { from, id: msg.envelope.id, body: msg.body as Record<string, unknown> },
          },
        });
        return { accepted: started };
      },
    });
    this.endpoints.set(host.id, endpoint);
    this.#byDid.set(host.identity.did, host);
    return endpoint;
  }

  /** Applies a kill switch order that came from another node (our own are applied before they are sent). */
  async control(order: KillSwitchControl): Promise<void> {
    if (order.by.startsWith(`${this.#runtime.nodeId}:`)) return;
    const scope = { all: order.all, agents: order.agents, groups: order.groups, capabilities: order.capabilities };
    const by = { kind: 'system' as const, id: `peer:${order.by}` };
    if (order.action === 'engage') await this.#runtime.killSwitch.engage(scope, by, order.reason, { local: true });
    else await this.#runtime.killSwitch.release(scope, by, order.reason, { local: true });
  }

  /** Sends this node's kill switch order to every node. */
  async broadcastControl(
    action: 'engage' | 'release',
    scope: { all?: boolean; agents?: string[]; groups?: string[]; capabilities?: string[] },
    by: string,
    reason: string,
  ): Promise<void> {
    await this.bus.control({ action, ...scope, by: `${this.#runtime.nodeId}:${by}`, reason });
  }

  rejected(r: Rejection): void {
    this.counters.rejected++;
    this.#runtime.alert(
      'warning',
      r.code,
      `refused ${r.type ?? 'envelope'} from ${r.from ?? 'unknown'} on ${r.subject}: ${r.message}`,
    );
    void this.#runtime.audit({
      who: { kind: 'agent', id: r.from ?? 'unknown' },
      action: 'message.rejected',
      subject: r.envelopeId ?? '-',
      where: r.subject,
      why: r.message,
      data: { code: r.code, type: r.type ?? null, scope: r.scope },
      at: r.at,
    });
  }

  async close(): Promise<void> {
    this.#runtime.killSwitch.broadcastWith(undefined);
    this.#runtime.reputationListeners.delete(this.#onReputation);
    this.#unsubscribe();
    for (const e of this.endpoints.values()) await e.detach().catch(() => {});
    await this.bus.close();
    await this.#verifier?.close();
  }
}
