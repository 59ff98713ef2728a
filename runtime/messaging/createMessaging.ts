import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { systemClock, type Clock } from '../../kernel/index.ts';
import { MemoryCapabilityRegistry, NatsKvCapabilityRegistry, type RecordProblem } from '../../registry/index.ts';
import {
  FileReplayStore,
  MemoryReplayStore,
  MemoryTransport,
  MessageBus,
  NatsKvReplayCheckpoint,
  NatsKvReplayStore,
  NatsTransport,
  ReplayGuard,
  type AgentIdentity,
  type CapabilityRegistry,
  type MessageBusOptions,
  type NatsTransportOptions,
  type Transport,
} from '../../transport/index.ts';

/** How the runtime wants its messaging: the embedded default, or NATS. */
export interface MessagingConfig {
  node: { id: string; identity: AgentIdentity; group?: string; controlAuthority?: boolean };
  /**
   * `memory`: in-process bus and registry, replay window in `<dataDir>/replay.log` (or memory when no dataDir).
   * `nats`: NatsTransport, NATS KV registry and shared KV replay window (the replay window must be shared when
   * several nodes serve one capability).
   */
  mode: 'memory' | 'nats';
  /** Where the embedded default keeps its replay log. */
  dataDir?: string;
  nats?: NatsTransportOptions;
  /** Registry heartbeat expiry; default 30 s. */
  registryTtlMs?: number;
  /** JetStream replicas of the registry buckets on NATS (3 on a three-server cluster); default 1. */
  registryReplicas?: number;
  /** Dids whose revocations the registry accepts for any agent (`MANDATE_REVOCATION_AUTHORITIES`). */
  revocationAuthorities?: readonly string[];
  /** Registry records ignored as unsigned, wrongly signed or malformed. */
  onRecordProblem?: (problem: RecordProblem) => void;
  clock?: Pick<Clock, 'now'>;
  /** Hooks and options passed to the bus (onReject, onControl, beforeSign, onHandlerError, verifier, …). */
  bus?: Omit<MessageBusOptions, 'transport' | 'registry' | 'replay' | 'node' | 'clock'>;
}

/** What {@link createMessaging} built; `close()` shuts everything down in order. */
export interface Messaging {
  bus: MessageBus;
  transport: Transport;
  registry: CapabilityRegistry;
  replay: ReplayGuard;
  close(): Promise<void>;
}

/**
 * Builds transport, registry, replay guard and {@link MessageBus} from one config — the one call the runtime makes.
 *
 * @example
 * const m = await createMessaging({ mode: process.env.NATS_URL ? 'nats' : 'memory', dataDir: '.mandate', node: { id: 'node-1', identity } });
 */
export async function createMessaging(config: MessagingConfig): Promise<Messaging> {
  const clock = config.clock ?? systemClock;
  let transport: Transport;
  let registry: CapabilityRegistry;
  let replay: ReplayGuard;
  const registryOptions = {
    clock,
    ...(config.registryTtlMs === undefined ? {} : { ttlMs: config.registryTtlMs }),
    ...(config.revocationAuthorities === undefined ? {} : { revocationAuthorities: config.revocationAuthorities }),
    ...(config.onRecordProblem === undefined ? {} : { onRecordProblem: config.onRecordProblem }),
  };
  if (config.mode === 'nats') {
    const nats = await NatsTransport.connect({ name: config.node.id, ...config.nats });
    transport = nats;
    const prefix = nats.inboxPrefix === undefined ? {} : { inboxPrefix: nats.inboxPrefix };
    registry = await NatsKvCapabilityRegistry.open(nats.nc, {
      ...registryOptions,
      ...prefix,
      ...(config.registryReplicas === undefined ? {} : { replicas: config.registryReplicas }),
    });
    // Direct and node-wide scopes: a local window with per-sender checkpoints (no I/O per envelope);
    // capability scopes and durable deliveries: the exact window shared by every node.
    replay = new ReplayGuard(await NatsKvReplayStore.open(nats.nc, prefix), {
      checkpoint: await NatsKvReplayCheckpoint.open(nats.nc, prefix),
    });
  } else {
    transport = new MemoryTransport({ now: () => clock.now() });
    registry = new MemoryCapabilityRegistry(registryOptions);
    if (config.dataDir === undefined) replay = new ReplayGuard(new MemoryReplayStore());
    else {
      mkdirSync(config.dataDir, { recursive: true });
      replay = new ReplayGuard(FileReplayStore.open(join(config.dataDir, 'replay.log'), clock.now()));
    }
  }
  const bus = await MessageBus.start({ ...config.bus, transport, registry, replay, node: config.node, clock });
  return {
    bus,
    transport,
    registry,
    replay,
    close: async () => {
      await bus.close();
      await config.bus?.verifier?.close();
      await registry.close();
      await replay.close();
      await transport.close();
    },
  };
}
