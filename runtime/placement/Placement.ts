import { ErrorCode, type Clock } from '../../kernel/index.ts';
import type { AlertInput } from '../host/AgentHost.ts';
import type { PlacementConstraint, ResolvedPlacementOptions } from './PlacementOptions.ts';
import { satisfies } from './PlacementOptions.ts';
import type { Lease, PlacementStore } from './PlacementStore.ts';
import { rendezvousOwner } from './rendezvous.ts';

/** Why placement takes an agent off this node. */
export type DeactivateReason = 'lost' | 'handover' | 'drain';

/** What placement needs from the runtime: run an agent under a lease, and stop it here. */
export interface PlacementHost {
  /** Raises the agent's fence to the lease's token and resumes it here; a throw gives the lease back. */
  activate(agentId: string, lease: Lease): Promise<void>;
  /** Stops the agent here; for a handover or drain, after it finished its phase and its snapshot is written. */
  deactivate(agentId: string, reason: DeactivateReason): Promise<void>;
  alert(alert: AlertInput): void;
}

/** The cluster as `GET /api/cluster` shows it. */
export interface ClusterView {
  nodes: Array<{ id: string; region: string | null; alive: boolean; agents: string[] }>;
  placements: Record<string, string>;
}

/**
 * Placement of agents across runtime nodes that load the same agent system: each agent runs on
 * exactly one node, the holder of its lease ({@link PlacementStore}). Every `renewMs` this node
 * renews its leases (a lost one stops the agent here at once; one it could not renew for a TTL
 * less a renewal it stops on its own), announces itself, and takes the agents whose lease is free
 * or lapsed and that rendezvous hashing over the live eligible nodes gives to it (any eligible
 * node takes one left unclaimed for a further TTL). It hands over, one per round, an agent that
 * now belongs to a node alive for `settleMs`, and only while it hosts more than its fair share:
 * that is the hysteresis that keeps a flapping node from moving agents back and forth.
 */
export class Placement {
  readonly nodeId: string;
  readonly #store: PlacementStore;
  readonly #host: PlacementHost;
  readonly #o: ResolvedPlacementOptions;
  readonly #clock: Clock;
  readonly #agents = new Map<string, PlacementConstraint | undefined>();
  readonly #held = new Map<string, { lease: Lease; renewedFrom: number }>();
  readonly #freeSince = new Map<string, number>();
  readonly #aliveSince = new Map<string, number>();
  readonly #busy = new Set<string>();
  readonly #releasing = new Set<string>();
  readonly #handovers = new Set<Promise<void>>();
  #timer: unknown;
  #draining = false;
  #stopped = false;
  #round: Promise<void> | undefined;

  constructor(options: {
    nodeId: string;
    store: PlacementStore;
    host: PlacementHost;
    options: ResolvedPlacementOptions;
    clock: Clock;
  }) {
    this.nodeId = options.nodeId;
    this.#store = options.store;
    this.#host = options.host;
    this.#o = options.options;
    this.#clock = options.clock;
  }

  /** Makes an agent placeable (every node registers the same agents). */
  register(agentId: string, constraint?: PlacementConstraint): void {
    this.#agents.set(agentId, constraint);
  }

  /** Whether this node holds the agent's lease. */
  holds(agentId: string): boolean {
    return this.#held.has(agentId);
  }

  /** The fencing token this node holds the agent under. */
  tokenOf(agentId: string): number | undefined {
    return this.#held.get(agentId)?.lease.token;
  }

  /** Starts the rounds (the first one now). */
  start(): void {
    const loop = (): void => {
      if (this.#stopped) return;
      this.#round = this.tick().finally(() => {
        this.#round = undefined;
        if (!this.#stopped) this.#timer = this.#clock.setTimeout(loop, this.#o.renewMs);
      });
    };
    loop();
  }

  /** One round: renew, announce, take, hand over. Exposed for tests; `start()` runs it every `renewMs`. */
  async tick(): Promise<void> {
    await this.#renew();
    if (this.#stopped) return;
    await this.#store
      .announce({
        id: this.nodeId,
        region: this.#o.region,
        labels: this.#o.labels,
        draining: this.#draining,
        agents: [...this.#held.keys()],
      })
      .catch(() => undefined); // NATS away: the leases' own renewal decides what we may keep
    if (this.#draining) return;
    await this.#take();
    await this.#handOverOne();
  }

  /** Graceful drain (SIGTERM): takes no more agents, hands every agent over (phase finished, snapshot written, lease released), leaves. */
  async drain(): Promise<void> {
    this.#draining = true;
    // The rounds go on renewing while agents finish their phases, so no lease lapses mid-handover.
    while (this.#handovers.size > 0) await Promise.all(this.#handovers);
    await Promise.all([...this.#held.keys()].map((id) => this.#giveBack(id, 'drain')));
    await this.halt();
    await this.#store.leave(this.nodeId).catch(() => undefined);
  }

  /** Stops the rounds without giving anything back (the leases lapse; for a crash-like stop in tests). */
  async halt(): Promise<void> {
    this.#stop();
    while (this.#round !== undefined) await this.#round;
    while (this.#handovers.size > 0) await Promise.all(this.#handovers);
  }

  /** Nodes and placements as this node observes them. */
  view(): ClusterView {
    const now = this.#clock.now();
    const placements: Record<string, string> = {};
    for (const [id, l] of this.#store.leases()) if (now - l.seenAt < this.#o.ttlMs) placements[id] = l.nodeId;
    for (const [id, h] of this.#held) placements[id] = h.lease.nodeId;
    const nodes = [...this.#store.nodes().values()].map((n) => ({
      id: n.id,
      region: n.region ?? null,
      alive: n.id === this.nodeId ? !this.#stopped : now - n.seenAt < this.#o.ttlMs,
      agents: Object.keys(placements).filter((a) => placements[a] === n.id),
    }));
    if (!nodes.some((n) => n.id === this.nodeId))
      nodes.push({
        id: this.nodeId,
        region: this.#o.region ?? null,
        alive: !this.#stopped,
        agents: [...this.#held.keys()],
      });
    return { nodes: nodes.sort((a, b) => a.id.localeCompare(b.id)), placements };
  }

  #stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
  }

  async #renew(): Promise<void> {
    await Promise.all(
      [...this.#held]
        .filter(([id]) => !this.#releasing.has(id))
        .map(async ([id, h]) => {
          const sentAt = this.#clock.now();
          try {
            const renewed = await this.#store.renew(h.lease);
            if (renewed !== undefined && this.#held.get(id) === h)
              this.#held.set(id, { lease: renewed, renewedFrom: sentAt });
            else if (renewed === undefined) await this.#lose(id, 'another node holds its lease now');
          } catch (error) {
            // Observers count a lapse from when they saw our last renewal, which we sent at `renewedFrom`.
            if (this.#clock.now() - h.renewedFrom >= this.#o.ttlMs - this.#o.renewMs)
              await this.#lose(
                id,
                `its lease could not be renewed for ${this.#o.ttlMs - this.#o.renewMs} ms (${(error as Error).message})`,
              );
          }
        }),
    );
  }

  async #lose(agentId: string, why: string): Promise<void> {
    if (!this.#held.delete(agentId)) return;
    this.#host.alert({
      severity: 'critical',
      code: ErrorCode.MANDATE_PLACEMENT_LEASE_LOST,
      message: `${this.nodeId} stopped ${agentId}: ${why}`,
      actorId: agentId,
    });
    await this.#host.deactivate(agentId, 'lost').catch(() => undefined);
  }

  /** Live nodes that take agents: this one, and those announced within a TTL and not draining. */
  #alive(
    now: number,
  ): Array<{ id: string; region?: string | undefined; labels: Record<string, string>; since: number }> {
    const live = [...this.#store.nodes().values()].filter(
      (n) => n.id !== this.nodeId && !n.draining && now - n.seenAt < this.#o.ttlMs,
    );
    for (const id of this.#aliveSince.keys()) if (!live.some((n) => n.id === id)) this.#aliveSince.delete(id);
    for (const n of live) if (!this.#aliveSince.has(n.id)) this.#aliveSince.set(n.id, now);
    return [
      { id: this.nodeId, region: this.#o.region, labels: this.#o.labels, since: 0 },
      ...live.map((n) => ({ id: n.id, region: n.region, labels: n.labels, since: this.#aliveSince.get(n.id)! })),
    ];
  }

  async #take(): Promise<void> {
    const now = this.#clock.now();
    const alive = this.#alive(now);
    const me = alive[0]!;
    const wins: Array<Promise<void>> = [];
    for (const [id, constraint] of this.#agents) {
      if (this.#held.has(id) || this.#busy.has(id) || !satisfies(constraint, me)) continue;
      const lease = this.#store.leases().get(id);
      // Our own earlier incarnation's lease (same node id, restarted) is ours to take back at once.
      const lapsed = lease === undefined || lease.nodeId === this.nodeId || now - lease.seenAt >= this.#o.ttlMs;
      if (!lapsed) {
        this.#freeSince.delete(id);
        continue;
      }
      const freeSince = lease === undefined ? (this.#freeSince.get(id) ?? now) : lease.seenAt + this.#o.ttlMs;
      if (lease === undefined && !this.#freeSince.has(id)) this.#freeSince.set(id, now);
      const owner = rendezvousOwner(
        id,
        alive.filter((n) => satisfies(constraint, n)).map((n) => n.id),
      );
      if (owner !== this.nodeId && lease?.nodeId !== this.nodeId && now - freeSince < this.#o.ttlMs) continue;
      wins.push(this.#acquire(id, lease?.revision));
    }
    await Promise.all(wins);
  }

  async #acquire(agentId: string, lapsedRevision: number | undefined): Promise<void> {
    this.#busy.add(agentId);
    try {
      const sentAt = this.#clock.now();
      const lease = await this.#store.acquire(agentId, this.nodeId, lapsedRevision).catch(() => undefined);
      if (lease === undefined || this.#stopped) return;
      this.#held.set(agentId, { lease, renewedFrom: sentAt });
      this.#freeSince.delete(agentId);
      try {
        await this.#host.activate(agentId, lease);
      } catch (error) {
        this.#held.delete(agentId);
        await this.#store.release(lease).catch(() => undefined);
        this.#host.alert({
          severity: 'critical',
          code: ErrorCode.MANDATE_PLACEMENT_LEASE_LOST,
          message: `${this.nodeId} could not resume ${agentId} under token ${lease.token}: ${(error as Error).message}`,
          actorId: agentId,
        });
      }
    } finally {
      this.#busy.delete(agentId);
    }
  }

  async #handOverOne(): Promise<void> {
    const now = this.#clock.now();
    const alive = this.#alive(now);
    const fair = Math.floor(this.#agents.size / alive.length);
    if (this.#held.size <= fair || this.#handovers.size > 0) return;
    for (const id of this.#held.keys()) {
      const constraint = this.#agents.get(id);
      const eligible = alive.filter((n) => satisfies(constraint, n) && now - n.since >= this.#o.settleMs);
      const owner = rendezvousOwner(id, [
        this.nodeId,
        ...eligible.filter((n) => n.id !== this.nodeId).map((n) => n.id),
      ]);
      if (owner !== undefined && owner !== this.nodeId) {
        // In the background: the rounds keep renewing every lease while the agent finishes its phase.
        const p = this.#giveBack(id, 'handover').finally(() => this.#handovers.delete(p));
        this.#handovers.add(p);
        return;
      }
    }
  }

  async #giveBack(agentId: string, reason: DeactivateReason): Promise<void> {
    const h = this.#held.get(agentId);
    if (h === undefined) return;
    this.#busy.add(agentId);
    try {
      await this.#host.deactivate(agentId, reason);
      this.#releasing.add(agentId);
      // A renewal in flight would move the revision the release compares against.
      while (this.#round !== undefined && !this.#stopped) await this.#round;
      const latest = this.#held.get(agentId);
      this.#held.delete(agentId);
      if (latest !== undefined) await this.#store.release(latest.lease).catch(() => undefined);
    } finally {
      this.#releasing.delete(agentId);
      this.#busy.delete(agentId);
    }
  }
}
