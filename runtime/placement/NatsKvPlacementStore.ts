import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV, type KvWatchEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { z } from 'zod';
import type { Clock } from '../../kernel/index.ts';
import { isKvConflict as isConflict } from '../../registry/index.ts';
import { PlacementUnavailableError } from './errors.ts';
import type { Lease, NodeRecord, ObservedLease, ObservedNode, PlacementStore } from './PlacementStore.ts';

/** The JetStream KV bucket of agent leases. */
export const PLACEMENT_BUCKET = 'mandate_placement';
/** The JetStream KV bucket of node announcements. */
export const NODES_BUCKET = 'mandate_nodes';

const leaseValue = z.object({ node: z.string().min(1), token: z.number().int().nonnegative() });
const nodeValue = z.object({
  id: z.string().min(1),
  region: z.string().optional(),
  labels: z.record(z.string(), z.string()),
  draining: z.boolean(),
  agents: z.array(z.string()),
});

const keyOf = (id: string): string => `k.${Buffer.from(id).toString('base64url')}`;
const idOf = (key: string): string => Buffer.from(key.slice(2), 'base64url').toString();
const encode = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

/** Options of {@link NatsKvPlacementStore.open}. */
export interface NatsKvPlacementOptions {
  clock: Pick<Clock, 'now'>;
  /** JetStream replicas of both buckets (3 on a three-server cluster, so one server may die). */
  replicas?: number;
  leaseBucket?: string;
  nodesBucket?: string;
}

/**
 * {@link PlacementStore} on two JetStream KV buckets (file storage, history 1): `mandate_placement`
 * (one key per agent: `{ node, token }`) and `mandate_nodes` (one key per node). Both are watched,
 * so reading the cluster costs no round trip; writes are compare-and-set on the key's revision.
 */
export class NatsKvPlacementStore implements PlacementStore {
  readonly #leaseKv: KV;
  readonly #nodeKv: KV;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #leases = new Map<string, ObservedLease>();
  readonly #nodes = new Map<string, ObservedNode>();
  readonly #stops: Array<() => void> = [];

  private constructor(leaseKv: KV, nodeKv: KV, clock: Pick<Clock, 'now'>) {
    this.#leaseKv = leaseKv;
    this.#nodeKv = nodeKv;
    this.#clock = clock;
  }

  /** Opens (creating if needed) both buckets and starts watching them; resolves once the current entries are read. */
  static async open(nc: NatsConnection, options: NatsKvPlacementOptions): Promise<NatsKvPlacementStore> {
    try {
      const kvm = new Kvm(jetstream(nc));
      const opts = { history: 1, replicas: options.replicas ?? 1 };
      const store = new NatsKvPlacementStore(
        await kvm.create(options.leaseBucket ?? PLACEMENT_BUCKET, opts),
        await kvm.create(options.nodesBucket ?? NODES_BUCKET, opts),
        options.clock,
      );
      await store.#watch(store.#leaseKv, (e) => store.#onLease(e));
      await store.#watch(store.#nodeKv, (e) => store.#onNode(e));
      return store;
    } catch (cause) {
      throw new PlacementUnavailableError(
        `Cannot open the placement buckets in NATS KV: ${(cause as Error).message}. Start nats-server with JetStream (-js), with at least ${options.replicas ?? 1} servers for ${options.replicas ?? 1} replicas.`,
        { cause },
      );
    }
  }

  leases(): ReadonlyMap<string, ObservedLease> {
    return this.#leases;
  }

  nodes(): ReadonlyMap<string, ObservedNode> {
    return this.#nodes;
  }

  async acquire(agentId: string, nodeId: string, lapsedRevision?: number): Promise<Lease | undefined> {
    const value = encode({ node: nodeId, token: 0 });
    try {
      const revision =
        lapsedRevision === undefined
          ? await this.#leaseKv.create(keyOf(agentId), value)
          : await this.#leaseKv.update(keyOf(agentId), value, lapsedRevision);
      return this.#held({ agentId, nodeId, token: revision, revision });
    } catch (error) {
      if (isConflict(error)) return undefined;
      throw error;
    }
  }

  async renew(lease: Lease): Promise<Lease | undefined> {
    try {
      const revision = await this.#leaseKv.update(
        keyOf(lease.agentId),
        encode({ node: lease.nodeId, token: lease.token }),
        lease.revision,
      );
      return this.#held({ ...lease, revision });
    } catch (error) {
      if (isConflict(error)) return undefined;
      throw error;
    }
  }

  async release(lease: Lease): Promise<void> {
    try {
      await this.#leaseKv.delete(keyOf(lease.agentId), { previousSeq: lease.revision });
    } catch (error) {
      if (!isConflict(error)) throw error;
    }
    if (this.#leases.get(lease.agentId)?.revision === lease.revision) this.#leases.delete(lease.agentId);
  }

  async announce(node: NodeRecord): Promise<void> {
    await this.#nodeKv.put(keyOf(node.id), encode(nodeValue.parse(node)));
  }

  async leave(nodeId: string): Promise<void> {
    await this.#nodeKv.delete(keyOf(nodeId));
  }

  async close(): Promise<void> {
    for (const stop of this.#stops) stop();
  }

  #held(lease: Lease): Lease {
    this.#leases.set(lease.agentId, { ...lease, seenAt: this.#clock.now() });
    return lease;
  }

  async #watch(kv: KV, on: (e: KvWatchEntry) => void): Promise<void> {
    const iter = await kv.watch({ key: 'k.>' });
    this.#stops.push(() => iter.stop());
    let ready!: () => void;
    const initial = new Promise<void>((resolve) => (ready = resolve));
    // The watcher reports the current entries first; an empty bucket reports nothing, so also settle on a short wait.
    const settle = setTimeout(() => ready(), 250);
    void (async () => {
      for await (const e of iter) {
        on(e);
        if (e.delta === 0) ready();
      }
    })().catch(() => undefined);
    await initial;
    clearTimeout(settle);
  }

  #onLease(e: KvWatchEntry): void {
    const agentId = idOf(e.key);
    if (e.operation !== 'PUT') {
      if ((this.#leases.get(agentId)?.revision ?? 0) <= e.revision) this.#leases.delete(agentId);
      return;
    }
    const v = leaseValue.safeParse(e.json());
    const known = this.#leases.get(agentId);
    if (!v.success || (known !== undefined && known.revision >= e.revision)) return;
    const token = v.data.token === 0 ? e.revision : v.data.token;
    this.#leases.set(agentId, { agentId, nodeId: v.data.node, token, revision: e.revision, seenAt: this.#clock.now() });
  }

  #onNode(e: KvWatchEntry): void {
    const id = idOf(e.key);
    if (e.operation !== 'PUT') {
      this.#nodes.delete(id);
      return;
    }
    const v = nodeValue.safeParse(e.json());
    if (!v.success) return;
    this.#nodes.set(id, { ...v.data, revision: e.revision, seenAt: this.#clock.now() });
  }
}
