import type { AuditInput, RuntimeStore } from '../persistence/RuntimeStore.ts';
import type { AgentHost } from './AgentHost.ts';
import { definitionData } from '../versions/versionContent.ts';

/** Persists an agent's definition and identity (sealed seed) and audits its registration; nothing without a store. */
export async function registerAgent(
  s: {
    nodeId: string;
    clock: { now(): number };
    options: { store?: RuntimeStore | undefined };
    audit(entry: AuditInput): Promise<void>;
  },
  host: AgentHost,
): Promise<void> {
  const store = s.options.store;
  if (store === undefined) return;
  await store.upsertAgent({
    id: host.id,
    did: host.identity.did,
    version: host.def.version,
    supervisorId: host.parent.id,
    definition: definitionData(host.def),
    identitySeed: Buffer.from(host.seed).toString('base64url'),
  });
  await s.audit({
    who: { kind: 'system', id: s.nodeId },
    action: 'config.agent.registered',
    subject: host.id,
    where: host.parent.id,
    why: `version ${host.def.version}`,
    data: { agentId: host.id, capabilities: host.def.capabilities, did: host.identity.did },
    at: s.clock.now(),
  });
}
