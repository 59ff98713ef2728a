import type { RuntimePlacementOptions } from '../runtime/index.ts';
import { UsageError } from './errors.ts';

/**
 * Placement settings from the environment: `MANDATE_PLACEMENT=on` makes this node share the agent
 * system with the other nodes on the same `DATABASE_URL` and `NATS_URL` (each agent runs on the
 * node holding its lease); `MANDATE_LEASE_TTL_MS`, `MANDATE_REGION`, `MANDATE_NODE_LABELS`
 * (`key=value,key=value`) and `MANDATE_PLACEMENT_REPLICAS` tune it. Undefined when off.
 */
export function placementFromEnv(env: NodeJS.ProcessEnv): RuntimePlacementOptions | undefined {
  const on = env.MANDATE_PLACEMENT;
  if (on === undefined || on === '' || on === 'off') return undefined;
  if (on !== 'on')
    throw new UsageError(
      `MANDATE_PLACEMENT="${on}" is not "on" or "off"; set it to "on" to share agents between nodes.`,
    );
  if (env.NATS_URL === undefined || env.DATABASE_URL === undefined)
    throw new UsageError(
      'MANDATE_PLACEMENT=on needs NATS_URL (the leases, in NATS JetStream) and DATABASE_URL (the PostgreSQL every node shares); set both.',
    );
  const number = (name: string): number | undefined => {
    const text = env[name];
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${name}="${text}" is not a positive whole number.`);
    return n;
  };
  const labels: Record<string, string> = {};
  for (const pair of (env.MANDATE_NODE_LABELS ?? '').split(',').filter(Boolean)) {
    const [k, v, ...rest] = pair.split('=');
    if (k === undefined || v === undefined || rest.length > 0 || k === '' || v === '')
      throw new UsageError(`MANDATE_NODE_LABELS has "${pair}"; write labels as key=value pairs separated by commas.`);
    labels[k] = v;
  }
  const ttlMs = number('MANDATE_LEASE_TTL_MS');
  const replicas = number('MANDATE_PLACEMENT_REPLICAS');
  return {
    natsUrl: env.NATS_URL.split(','),
    labels,
    ...(ttlMs === undefined ? {} : { ttlMs }),
    ...(replicas === undefined ? {} : { replicas }),
    ...(env.MANDATE_REGION === undefined ? {} : { region: env.MANDATE_REGION }),
  };
}
