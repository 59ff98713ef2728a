import { z } from 'zod';
import { PlacementConfigError } from './errors.ts';

/** Where an agent may run: a region and node labels that must all match (e.g. the node holding a signer). */
export interface PlacementConstraint {
  region?: string;
  labels?: Record<string, string>;
}

/** Placement settings of one runtime node (`RuntimeOptions.placement`). */
export interface PlacementOptions {
  /** This node's region (matched against agents' `placement.region`). */
  region?: string;
  /** This node's labels (matched against agents' `placement.labels`). */
  labels?: Record<string, string>;
  /** How long an unrenewed lease stays this node's (default 10 s): failover happens within it. */
  ttlMs?: number;
  /** How often leases are renewed and the cluster looked at (default a third of the TTL). */
  renewMs?: number;
  /** How long a node must have been alive before agents are rebalanced onto it (default the TTL). */
  settleMs?: number;
  /** How long a graceful handover waits for an agent to finish its phase (default 30 s). */
  handoverTimeoutMs?: number;
  /** JetStream replicas of the placement buckets (3 on a three-server cluster). */
  replicas?: number;
}

const label = z.string().regex(/^[A-Za-z0-9._:/-]{1,63}$/);
const schema = z.object({
  region: label.optional(),
  labels: z.record(label, label).default({}),
  ttlMs: z.number().int().min(1_000).default(10_000),
  renewMs: z.number().int().positive().optional(),
  settleMs: z.number().int().nonnegative().optional(),
  handoverTimeoutMs: z.number().int().positive().default(30_000),
  replicas: z.number().int().min(1).max(5).default(1),
});

/** Placement options with every default filled in. */
export type ResolvedPlacementOptions = Required<Omit<PlacementOptions, 'region'>> & { region: string | undefined };

/** Validates placement options (a coded `PlacementConfigError` naming the field) and fills in defaults. */
export function resolvePlacementOptions(options: PlacementOptions): ResolvedPlacementOptions {
  const parsed = schema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PlacementConfigError(
      `Invalid placement option "${issue.path.join('.')}": ${issue.message}. Lease TTLs are at least 1000 ms, replicas 1..5, regions and labels short [A-Za-z0-9._:/-] strings.`,
      { details: { path: issue.path.join('.') } },
    );
  }
  const o = parsed.data;
  const renewMs = o.renewMs ?? Math.floor(o.ttlMs / 3);
  if (renewMs * 2 > o.ttlMs)
    throw new PlacementConfigError(
      `Placement renewMs ${renewMs} must be at most half of ttlMs ${o.ttlMs}, so a lease is renewed at least twice before it lapses.`,
      { details: { path: 'renewMs' } },
    );
  return { ...o, region: o.region, renewMs, settleMs: o.settleMs ?? o.ttlMs };
}

/** Whether a node with `region` and `labels` may host an agent with `constraint`. */
export function satisfies(
  constraint: PlacementConstraint | undefined,
  node: { region?: string | undefined; labels: Record<string, string> },
): boolean {
  if (constraint === undefined) return true;
  if (constraint.region !== undefined && constraint.region !== node.region) return false;
  return Object.entries(constraint.labels ?? {}).every(([k, v]) => node.labels[k] === v);
}
