import { ErrorCode, type Clock } from '../../kernel/index.ts';
import type { AgentDefinition } from '../agents/defineAgent.ts';
import type { AgentHost, AlertInput } from '../host/AgentHost.ts';
import { isWorking } from '../host/AgentHost.ts';
import { settlePhases } from '../host/settlePhases.ts';
import type { StateWriter } from '../host/StateWriter.ts';
import type { AuditInput, RuntimeStore } from '../persistence/RuntimeStore.ts';
import type { SupervisionTree } from '../supervision/SupervisionTree.ts';
import type { VersionStamp } from '../versions/AgentVersion.ts';
import type { DeactivateReason, PlacementHost } from './Placement.ts';
import type { Lease } from './PlacementStore.ts';
import { PlacementConfigError } from './errors.ts';

/** What {@link PlacedAgents} needs of the runtime (narrow: the tree, triggers, messaging, the store). */
export interface PlacedAgentsEnv {
  nodeId: string;
  clock: Clock;
  store: RuntimeStore;
  tree: Pick<SupervisionTree, 'spawn' | 'remove' | 'get' | 'restore'>;
  triggers: { wire(host: AgentHost): void; unwire(agentId: string): void };
  messaging(): { attach(host: AgentHost): Promise<unknown>; detach(agentId: string): Promise<void> } | undefined;
  writer: StateWriter | undefined;
  /** The agent's definition as this node loaded it. */
  definition(agentId: string): AgentDefinition | undefined;
  /** The definition to run and its version stamp: the store's active version (a rollback made on any node). */
  resolve?(def: AgentDefinition): Promise<{ def: AgentDefinition; version?: VersionStamp }>;
  /** Persists a new agent's row (definition, identity) the first time any node runs it. */
  register(host: AgentHost): Promise<void>;
  audit(entry: AuditInput): Promise<void>;
  alert(alert: AlertInput): void;
  handoverTimeoutMs: number;
  /** Forgets a passivated agent here; whether it was passivated. */
  forgetPassivated(agentId: string): boolean;
}

/**
 * The runtime side of placement ({@link PlacementHost}): resumes an agent whose lease this node
 * took — fence raised in PostgreSQL first, then its identity and newest snapshot read back, so
 * it runs under the same supervisor and identity and any act in flight goes through the intent
 * log's reconciliation — and stops one that moved away.
 */
export class PlacedAgents implements PlacementHost {
  readonly #env: PlacedAgentsEnv;

  constructor(env: PlacedAgentsEnv) {
    if (env.store.raiseFence === undefined)
      throw new PlacementConfigError(
        'Placement needs a store that keeps fencing tokens (PostgreSQL through openStore); the nodes must share one DATABASE_URL.',
      );
    this.#env = env;
  }

  async activate(agentId: string, lease: Lease): Promise<void> {
    const env = this.#env;
    const loaded = env.definition(agentId);
    if (loaded === undefined)
      throw new PlacementConfigError(`No definition of agent "${agentId}" is loaded on ${env.nodeId}.`);
    const { def, version } =
      env.resolve === undefined ? { def: loaded, version: undefined } : await env.resolve(loaded);
    // From here on the previous owner's writes are refused, and every one it made has committed.
    await env.store.raiseFence!({ agentId, token: lease.token, nodeId: env.nodeId });
    const row = (await env.store.listAgents()).find((r) => r.id === agentId);
    const snapshot = (await env.store.loadSnapshots(agentId))[0];
    env.tree.restore(
      row === undefined ? new Map() : new Map([[agentId, new Uint8Array(Buffer.from(row.identitySeed, 'base64url'))]]),
      snapshot === undefined ? [] : [snapshot],
    );
    const host = env.tree.spawn(def, lease.token);
    if (version !== undefined) host.version = version;
    env.triggers.wire(host);
    await env.messaging()?.attach(host);
    if (row === undefined) await env.register(host);
    await env.audit({
      who: { kind: 'system', id: env.nodeId },
      action: 'placement.agent.activated',
      subject: agentId,
      where: env.nodeId,
      why: snapshot === undefined ? 'first run' : `resumed at step ${snapshot.seq} (${snapshot.state})`,
      data: { agentId, token: lease.token, state: host.state },
      at: env.clock.now(),
    });
  }

  async deactivate(agentId: string, reason: DeactivateReason): Promise<void> {
    const env = this.#env;
    const host = env.tree.get(agentId);
    if (host === undefined) {
      // Passivated: its snapshot is already in the store under this lease; only its triggers and endpoint are here.
      if (!env.forgetPassivated(agentId)) return;
      env.triggers.unwire(agentId);
      await env.messaging()?.detach(agentId);
      return;
    }
    // Write-ahead: the trail says the agent stops here before it does. A handover or drain that
    // cannot be audited does not happen (the agent keeps running, the lease is kept); a lost lease
    // stops the agent all the same — another node may run it — and the missing entry is alerted.
    await env.audit(deactivatedEntry(env, host, reason)).catch((error: Error) => {
      if (reason !== 'lost') throw error;
      env.alert({
        severity: 'critical',
        code: ErrorCode.MANDATE_ERR_STORE,
        message: `${agentId} stopped on ${env.nodeId} (lease lost) without its audit entry: ${error.message}`,
        actorId: agentId,
      });
    });
    env.triggers.unwire(agentId);
    await env.messaging()?.detach(agentId);
    if (reason !== 'lost') {
      // Hand over at a phase boundary: the successor resumes from a snapshot taken between phases.
      await settlePhases([host], { maxMs: env.handoverTimeoutMs, clock: env.clock, busy: isHandingOver });
      env.writer?.snapshot(host);
      await env.writer?.flush();
    }
    env.tree.remove(agentId);
  }

  alert(alert: AlertInput): void {
    this.#env.alert(alert);
  }
}

/** Whether an agent handed over must still be waited for: in a phase, or between an act's attempts. */
function isHandingOver(state: string): boolean {
  return isWorking(state) || state === 'retrying';
}

/** The audit entry of an agent stopping on this node (lease lost, handed over, drained). */
function deactivatedEntry(env: PlacedAgentsEnv, host: AgentHost, reason: DeactivateReason): AuditInput {
  return {
    who: { kind: 'system', id: env.nodeId },
    action: 'placement.agent.deactivated',
    subject: host.id,
    where: env.nodeId,
    why: reason,
    data: { agentId: host.id, token: host.fence ?? null, state: host.state },
    at: env.clock.now(),
  };
}
