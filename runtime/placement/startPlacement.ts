import { NatsTransport } from '../../transport/index.ts';
import type { RuntimeServices } from '../composeRuntime.ts';
import { shareGates } from './NatsKvGates.ts';
import { NatsKvPlacementStore } from './NatsKvPlacementStore.ts';
import { PlacedAgents, type PlacedAgentsEnv } from './PlacedAgents.ts';
import { Placement } from './Placement.ts';
import { resolvePlacementOptions, type PlacementOptions } from './PlacementOptions.ts';
import type { PlacementStore } from './PlacementStore.ts';
import type { AgentDefinition } from '../agents/defineAgent.ts';
import { nodeLostCondition } from '../alerts/alertConditions.ts';
import { PlacementConfigError } from './errors.ts';

/** `RuntimeOptions.placement`: this node's placement settings, and where leases live (NATS at `natsUrl`, or a given store). */
export type RuntimePlacementOptions = PlacementOptions & { natsUrl?: string | string[]; store?: PlacementStore };

/** A started placement and what closes it. */
export interface RunningPlacement {
  placement: Placement;
  definitions: Map<string, AgentDefinition>;
  close(): Promise<void>;
}

/**
 * Opens the lease buckets (its own NATS connection at `natsUrl`, or the given store) and, on NATS,
 * the shared gates bucket (`mandate_gates`), and starts the placement rounds of this node; agents
 * registered with `definitions` are run here only while this node holds their lease, as
 * `hooks.resolve` says (the active version).
 */
export async function startPlacement(
  s: RuntimeServices,
  options: RuntimePlacementOptions,
  hooks: Pick<PlacedAgentsEnv, 'register' | 'resolve'>,
): Promise<RunningPlacement> {
  const resolved = resolvePlacementOptions({ ...options, natsUrl: undefined, store: undefined } as PlacementOptions);
  const store = s.options.store;
  if (store === undefined)
    throw new PlacementConfigError('Placement needs the shared PostgreSQL store (openStore with DATABASE_URL).');
  let transport: NatsTransport | undefined;
  let leases = options.store;
  let unshareGates = (): void => {};
  if (leases === undefined) {
    if (options.natsUrl === undefined)
      throw new PlacementConfigError('Placement needs NATS JetStream: set placement.natsUrl (NATS_URL).');
    transport = await NatsTransport.connect({ servers: options.natsUrl, name: `${s.nodeId}-placement` });
    leases = await NatsKvPlacementStore.open(transport.nc, { clock: s.clock, replicas: resolved.replicas });
    // An agent's gate may be opened on another node than the one it runs on.
    unshareGates = await shareGates(transport.nc, s.gates, {
      replicas: resolved.replicas,
      alert: (a) => void s.alerts.raise(a),
    });
  }
  const definitions = new Map<string, AgentDefinition>();
  const host = new PlacedAgents({
    nodeId: s.nodeId,
    clock: s.clock,
    store,
    tree: s.tree,
    triggers: s.triggers,
    messaging: () => s.messaging,
    writer: s.writer,
    definition: (id) => definitions.get(id),
    ...hooks,
    audit: (entry) => s.audit(entry),
    alert: (a) => void s.alerts.raise(a),
    handoverTimeoutMs: resolved.handoverTimeoutMs,
    forgetPassivated: (id) => s.passivation.forget(id),
  });
  const placement = new Placement({ nodeId: s.nodeId, store: leases, host, options: resolved, clock: s.clock });
  s.alertBook.watch(nodeLostCondition({ nodes: () => placement.view().nodes, self: s.nodeId }));
  placement.start();
  const owned = leases;
  return {
    placement,
    definitions,
    async close() {
      await placement.drain();
      unshareGates();
      if (transport !== undefined) {
        await owned.close();
        await transport.close();
      }
    },
  };
}
