import type { AgentDefinition } from '../agents/defineAgent.ts';
import type { RuntimeServices } from '../composeRuntime.ts';
import { DuplicateIdError } from '../errors.ts';
import type { AgentVersions } from '../versions/AgentVersions.ts';
import type { AgentHost } from './AgentHost.ts';
import { registerAgent } from './registerAgent.ts';

/**
 * Adds an agent to a runtime: records its version; with placement, registers it on this node (it
 * runs where its lease is held, on the active version); otherwise hosts it — or keeps it passivated (`passivation:`)
 * unless it has a cycle in flight to resume — wired to its triggers, messaging and the store.
 */
export async function spawnAgent(
  s: RuntimeServices,
  { def, versions }: { def: AgentDefinition; versions: AgentVersions },
): Promise<void> {
  const placed = s.placement;
  if (placed !== undefined) {
    if (placed.definitions.has(def.id)) throw new DuplicateIdError('agent', def.id);
    s.tree.checkCapabilities(def);
    // Recorded here too (every node lists the versions); the node that runs it starts the active one.
    await versions.admit(def);
    placed.definitions.set(def.id, def);
    placed.placement.register(def.id, def.placement);
    return;
  }
  if (s.tree.get(def.id) !== undefined) throw new DuplicateIdError('agent', def.id);
  s.tree.checkCapabilities(def);
  const { def: admitted, version } = await versions.admit(def);
  const attach = async (host: AgentHost): Promise<void> => {
    host.version = version;
    s.triggers.wire(host);
    await s.messaging?.attach(host);
    await registerAgent(s, host);
  };
  if (await s.passivation.admit(admitted, attach)) return;
  await attach(s.tree.spawn(admitted));
}
