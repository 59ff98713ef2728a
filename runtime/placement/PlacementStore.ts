/** One agent's lease: the node that runs it, and the fencing token of that node's tenure. */
export interface Lease {
  agentId: string;
  nodeId: string;
  /**
   * The fencing token: the KV revision of the write that took the lease. Revisions of a bucket
   * only grow, so a successor's token is always greater than every earlier owner's.
   */
  token: number;
  /** The revision of the lease's latest write (the next renewal compares-and-sets against it). */
  revision: number;
}

/** A lease as this node observes it, with when (on this node's clock) its current revision was first seen. */
export interface ObservedLease extends Lease {
  seenAt: number;
}

/** A runtime node as it announces itself in the nodes bucket. */
export interface NodeRecord {
  id: string;
  region?: string | undefined;
  labels: Record<string, string>;
  /** Set while the node hands its agents over before exiting: it takes no new ones. */
  draining: boolean;
  /** Agents it hosts (for the cluster view and autoscalers). */
  agents: string[];
}

/** A node as this node observes it (see {@link ObservedLease.seenAt}). */
export interface ObservedNode extends NodeRecord {
  revision: number;
  seenAt: number;
}

/**
 * Where placement keeps leases and node announcements: compare-and-set on revision, liveness by
 * observation. A lease or node entry whose revision has not changed for a TTL (on the observer's
 * own clock, so no clock agreement between nodes is needed) has lapsed; taking it is one
 * compare-and-set against the lapsed revision, which only one contender can win.
 * Implemented by `NatsKvPlacementStore` (JetStream KV).
 */
export interface PlacementStore {
  /** Leases as last observed (kept current by a watch). */
  leases(): ReadonlyMap<string, ObservedLease>;
  /** Nodes as last observed. */
  nodes(): ReadonlyMap<string, ObservedNode>;
  /** Takes a lease: creates it when absent, or replaces the lapsed lease at `lapsedRevision`. Undefined when another node won. */
  acquire(agentId: string, nodeId: string, lapsedRevision?: number): Promise<Lease | undefined>;
  /** Renews a held lease; undefined when it is no longer this node's (another node took it). */
  renew(lease: Lease): Promise<Lease | undefined>;
  /** Gives a held lease up (only if it is still this tenure's). */
  release(lease: Lease): Promise<void>;
  /** Announces (or refreshes) this node. */
  announce(node: NodeRecord): Promise<void>;
  /** Removes this node's announcement. */
  leave(nodeId: string): Promise<void>;
  close(): Promise<void>;
}
