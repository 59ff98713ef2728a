import type { Snapshot } from 'xstate';
import type { SupervisorRole } from '../../machines/index.ts';
import type { AgentDefinition } from '../agents/defineAgent.ts';
import { DuplicateIdError, NotFoundError, UnknownCapabilityError } from '../errors.ts';
import { AgentHost, type AgentEnv, type AlertInput } from '../host/AgentHost.ts';
import type { TreeNode } from '../MandateRuntime.ts';
import type { SnapshotRow } from '../persistence/RuntimeStore.ts';
import type { GroupOptions } from '../RuntimeOptions.ts';
import { SupervisorHost, type SupervisorEnv } from './SupervisorHost.ts';
import { ErrorCode } from '../../kernel/index.ts';

/** What the tree needs. */
export interface SupervisionTreeOptions {
  agentEnv: AgentEnv;
  supervisorEnv: SupervisorEnv;
  groups?: Record<string, GroupOptions> | undefined;
  /** Capabilities that may be declared; others are refused at spawn. */
  capabilityCatalog?: ReadonlyMap<string, string> | undefined;
  alert(alert: AlertInput): void;
}

const ROOT_INTENSITY = { maxRestarts: 3, periodMs: 60_000 };

/**
 * The supervision tree: a governance supervisor at the root, a reputation supervisor under it,
 * one sandbox supervisor per group under that, and the agents under their sandbox — every one a
 * real XState parent actor (OTP strategies and restart intensity in `machines/supervisorMachine`).
 * Spawning resumes an agent's persisted snapshot and identity when the store has them.
 */
export class SupervisionTree {
  readonly governance: SupervisorHost;
  readonly reputation: SupervisorHost;
  readonly #sandboxes = new Map<string, SupervisorHost>();
  readonly #agents = new Map<string, AgentHost>();
  readonly #options: SupervisionTreeOptions;
  readonly #seeds = new Map<string, Uint8Array>();
  readonly #restored = new Map<string, SnapshotRow>();

  constructor(options: SupervisionTreeOptions) {
    this.#options = options;
    const env = options.supervisorEnv;
    this.governance = new SupervisorHost(
      { id: 'governance', role: 'governance', strategy: 'one_for_one', intensity: ROOT_INTENSITY, kind: 'permanent' },
      undefined,
      env,
    );
    this.reputation = new SupervisorHost(
      { id: 'reputation', role: 'reputation', strategy: 'one_for_one', intensity: ROOT_INTENSITY, kind: 'permanent' },
      this.governance,
      env,
    );
    this.governance.start();
    this.governance.adopt(this.reputation);
    this.reputation.start();
  }

  /** Identities and snapshots loaded from the store at start; used by the next spawn of each agent. */
  restore(seeds: ReadonlyMap<string, Uint8Array>, snapshots: readonly SnapshotRow[]): void {
    for (const [id, seed] of seeds) this.#seeds.set(id, seed);
    for (const row of snapshots) this.#restored.set(row.agentId, row);
  }

  /** The sandbox supervisor of a group, created on first use. */
  sandbox(group: string): SupervisorHost {
    let sup = this.#sandboxes.get(group);
    if (sup === undefined) {
      const g = this.#options.groups?.[group] ?? {};
      sup = new SupervisorHost(
        {
          id: `sandbox:${group}`,
          role: 'sandbox',
          strategy: g.strategy ?? 'one_for_one',
          intensity: { maxRestarts: g.maxRestarts ?? 5, periodMs: g.periodMs ?? 60_000 },
          kind: 'permanent',
        },
        this.reputation,
        this.#options.supervisorEnv,
      );
      this.reputation.adopt(sup);
      sup.start();
      this.#sandboxes.set(group, sup);
    }
    return sup;
  }

  /** The supervisor of `role` over an agent. */
  supervisorOf(host: AgentHost, role: SupervisorRole): SupervisorHost {
    return role === 'governance'
      ? this.governance
      : role === 'reputation'
        ? this.reputation
        : this.sandbox(host.def.group);
  }

  /**
   * Starts an agent under its group's sandbox supervisor, resuming its snapshot and identity when
   * there are some; `fence` is the placement lease token its writes carry from its first step.
   */
  spawn(def: AgentDefinition, fence?: number): AgentHost {
    if (this.#agents.has(def.id)) throw new DuplicateIdError('agent', def.id);
    this.checkCapabilities(def);
    const sandbox = this.sandbox(def.group);
    const host = new AgentHost({ def, env: this.#options.agentEnv, parent: sandbox, seed: this.#seeds.get(def.id) });
    this.#seeds.delete(def.id); // the host keeps it (placement and passivation restore it before a later spawn)
    host.fence = fence;
    this.#agents.set(def.id, host);
    sandbox.adopt(host);
    const row = this.#restored.get(def.id);
    this.#restored.delete(def.id);
    // Steps go on from the snapshot's: a lower one would leave the older snapshot the newest in the store.
    host.snapshotSeq = row?.seq ?? 0;
    try {
      host.start(row?.snapshot as Snapshot<unknown> | undefined);
    } catch (error) {
      if (row === undefined) {
        this.#agents.delete(def.id);
        sandbox.children.delete(def.id);
        throw error;
      }
      // A snapshot this definition cannot resume (its machine changed): start fresh, loudly. The
      // write-ahead intents still guard any effect that was in flight.
      host.halt();
      this.#options.alert({
        severity: 'critical',
        code: ErrorCode.MANDATE_ERR_SNAPSHOT_INCOMPATIBLE,
        message: `${def.id}: persisted snapshot (state ${row.state}) cannot be resumed by version ${def.version}; started fresh: ${(error as Error).message}`,
        actorId: def.id,
      });
      host.start();
    }
    return host;
  }

  /** The snapshot restored for an agent's next spawn, if any (without taking it). */
  restored(agentId: string): SnapshotRow | undefined {
    return this.#restored.get(agentId);
  }

  /**
   * A host for an agent registered passivated (identity, definition, supervisor; no actor), for its store
   * row and messaging endpoint; the restored snapshot and seed are taken (a reactivation reads them again).
   */
  unstarted(def: AgentDefinition): AgentHost {
    const host = new AgentHost({
      def,
      env: this.#options.agentEnv,
      parent: this.sandbox(def.group),
      seed: this.#seeds.get(def.id),
    });
    this.#seeds.delete(def.id);
    this.#restored.delete(def.id);
    return host;
  }

  /** Takes an agent out of supervision (it is not restarted when it ends). */
  release(agentId: string): void {
    this.#agents.get(agentId)?.parent.children.delete(agentId);
  }

  /** Refuses a definition declaring a capability outside the catalog (`MANDATE_ERR_CAPABILITY_UNKNOWN`). */
  checkCapabilities(def: AgentDefinition): void {
    const catalog = this.#options.capabilityCatalog;
    if (catalog !== undefined)
      for (const c of def.capabilities) if (!catalog.has(c)) throw new UnknownCapabilityError(c, [...catalog.keys()]);
  }

  /** Stops an agent and forgets it here (placement moved it to another node): no restart, no done event. */
  remove(agentId: string): AgentHost | undefined {
    const host = this.#agents.get(agentId);
    if (host === undefined) return undefined;
    host.parent.children.delete(agentId);
    host.halt();
    this.#agents.delete(agentId);
    return host;
  }

  /** One agent's host, if it is hosted here. */
  get(id: string): AgentHost | undefined {
    return this.#agents.get(id);
  }

  /** One agent's host; `MANDATE_ERR_NOT_FOUND` when there is none. */
  require(id: string): AgentHost {
    const host = this.#agents.get(id);
    if (host === undefined) throw new NotFoundError('agent', id);
    return host;
  }

  /** Every hosted agent, in spawn order. */
  agents(): IterableIterator<AgentHost> {
    return this.#agents.values();
  }

  /** How many agents are hosted. */
  get size(): number {
    return this.#agents.size;
  }

  /** The tree as operators see it. */
  view(): TreeNode {
    const node = (s: SupervisorHost): TreeNode => ({
      id: s.id,
      kind: 'supervisor',
      role: s.spec.role,
      state: s.lastState,
      children: [...s.children.values()].map((c) =>
        c instanceof SupervisorHost
          ? node(c)
          : { id: c.id, kind: 'agent' as const, state: (c as AgentHost).state, children: [] },
      ),
    });
    return node(this.governance);
  }

  /** Stops every actor (shutdown): no restarts, no done events. */
  halt(): void {
    this.governance.halt();
  }
}
