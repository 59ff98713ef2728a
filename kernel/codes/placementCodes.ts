import type { CodeEntry } from './CodeEntry.ts';

/** Codes of agent placement across nodes: leases, fencing, failover. Documented in docs/errors.md, "Placement and fencing (runtime/placement)". */
export const PLACEMENT_CODES = {
  MANDATE_ERR_FENCE_STALE: {
    status: 409,
    kind: 'error',
    meaning:
      "a write for an agent (intent, snapshot, the EVM rail's payment record, limit reservation, signature or broadcast) carried a fencing token other than the agent's current lease token in `mandate_fence` (a paused or partitioned old owner, or no token while placement governs the agent); it was refused and nothing was written, signed or sent",
  },
  MANDATE_ERR_PLACEMENT_UNAVAILABLE: {
    status: 503,
    kind: 'error',
    meaning:
      'the placement buckets in NATS KV (`mandate_placement`, `mandate_nodes`, `mandate_gates`) cannot be reached or created; start nats-server with JetStream',
  },
  MANDATE_ERR_PLACEMENT_CONFIG: {
    status: 400,
    kind: 'error',
    meaning:
      'invalid placement options: a lease TTL under 1 s, renewal not shorter than the TTL, a bad node id, region or label, or replicas outside 1..5',
  },
  MANDATE_ERR_PASSIVATION_CONFIG: {
    status: 400,
    kind: 'error',
    meaning:
      "invalid passivation options: `prefetchMs` (how early a snapshot is read ahead of a time trigger) is not an integer from 0 to 60,000, or `warmBytes` (the warm tier's byte budget) is not an integer from 0 to 1 GiB",
  },
  MANDATE_PLACEMENT_LEASE_LOST: {
    status: null,
    kind: 'alert',
    meaning:
      "this node lost an agent's lease (not renewed within its TTL, or another node holds it now) and stopped the agent here; its new owner resumes it from PostgreSQL",
  },
} as const satisfies Record<string, CodeEntry>;
