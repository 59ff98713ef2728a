import { ErrorCode } from '../../kernel/index.ts';
import type { AgentDefinition } from '../agents/defineAgent.ts';
import { NotFoundError, StateConflictError, VersionUnavailableError } from '../errors.ts';
import { isWorking, type AgentHost, type AlertInput } from '../host/AgentHost.ts';
import type { AuditInput, RuntimeStore } from '../persistence/RuntimeStore.ts';
import type { SupervisionTree } from '../supervision/SupervisionTree.ts';
import type {
  AgentVersionInfo,
  AgentVersionRow,
  AgentVersionStore,
  RollbackRequest,
  VersionStamp,
} from './AgentVersion.ts';
import { MemoryAgentVersions } from './MemoryAgentVersions.ts';
import { rolledBack } from './rolledBackEntry.ts';
import { resumableSnapshot } from './resumableSnapshot.ts';
import { DefinitionVersion, versionContent } from './versionContent.ts';

/** What {@link AgentVersions} needs of the runtime (narrow: the tree, triggers, messaging, the store). */
export interface AgentVersionsEnv {
  readonly nodeId: string;
  readonly clock: { now(): number };
  readonly options: { store?: RuntimeStore | undefined };
  readonly tree: Pick<SupervisionTree, 'spawn' | 'remove' | 'require' | 'restore' | 'get'>;
  readonly triggers: { wire(host: AgentHost): void; unwire(agentId: string): void };
  messaging(): { attach(host: AgentHost): Promise<unknown>; detach(agentId: string): Promise<void> } | undefined;
  audit(entry: AuditInput): Promise<void>;
  alert(alert: AlertInput): void;
  /** Persists a (re)started agent's definition row (`registerAgent`). */
  register(host: AgentHost): Promise<void>;
  /** With placement: the definition this node loaded for an agent it may not host now. */
  placed?(agentId: string): AgentDefinition | undefined;
}

/**
 * Agent definition versions: every definition an agent is spawned with is recorded as an immutable
 * version (content-hashed, numbered per agent) in the store — or in memory without one — and
 * operators roll an agent back (or forward) to any recorded version. A rollback sticks: a later
 * start that offers an already-recorded definition runs the version the operator chose; only a new
 * definition (new content) moves the agent on.
 */
export class AgentVersions {
  readonly #env: AgentVersionsEnv;
  readonly #store: AgentVersionStore;
  /** Definitions this process has loaded, by agent id (how TypeScript agents roll back); no copies. */
  readonly #built = new Map<string, AgentDefinition[]>();
  /** Agents being restarted on another version here (a rollback, or the active version applied). */
  readonly #swapping = new Set<string>();

  constructor(env: AgentVersionsEnv) {
    this.#env = env;
    this.#store = env.options.store?.versions ?? new MemoryAgentVersions();
  }

  /**
   * Records `def` as a version of its agent and returns the definition to run — `def` itself, or,
   * when an operator rolled the agent to another version and `def` brings nothing new, that version —
   * with the stamp its host carries.
   */
  async admit(def: AgentDefinition): Promise<{ def: AgentDefinition; version: VersionStamp }> {
    const env = this.#env;
    const at = env.clock.now();
    const { version, created } = await this.#store.recordVersion(new DefinitionVersion(def, at));
    this.#remember(def);
    if (created)
      await env.audit({
        who: { kind: 'system', id: env.nodeId },
        action: 'config.agent.version.recorded',
        subject: def.id,
        where: env.nodeId,
        why: `version ${version.number} (${def.version})`,
        data: { agentId: def.id, number: version.number, hash: version.hash, label: version.label },
        at,
      });
    const active = await this.#store.activeVersion(def.id);
    const pinned =
      created || active === undefined || active === version.number
        ? undefined
        : (await this.#store.listVersions(def.id)).find((v) => v.number === active);
    if (pinned !== undefined) {
      try {
        const chosen = await this.#build(pinned, def);
        env.alert({
          severity: 'info',
          code: ErrorCode.MANDATE_AGENT_VERSION_PINNED,
          message: `${def.id} runs version ${pinned.number}, where an operator rolled it; the loaded definition is version ${version.number}. Roll it forward with "mandate agents rollback ${def.id} --to ${version.number}", or deploy a changed definition.`,
          actorId: def.id,
        });
        return { def: chosen, version: stampOf(pinned) };
      } catch (error) {
        env.alert({
          severity: 'warning',
          code: ErrorCode.MANDATE_AGENT_VERSION_PINNED,
          message: `${def.id} was rolled to version ${pinned.number}, which cannot be rebuilt here (${(error as Error).message}); it runs the loaded version ${version.number}.`,
          actorId: def.id,
        });
      }
    }
    if (active !== version.number) await this.#store.setActiveVersion(def.id, version.number, at);
    return { def, version: stampOf(version) };
  }

  /** An agent's versions, oldest first, with the one it runs marked; `MANDATE_ERR_NOT_FOUND` when none is recorded. */
  async list(agentId: string): Promise<AgentVersionInfo[]> {
    const rows = await this.#store.listVersions(agentId);
    if (rows.length === 0) throw new NotFoundError('agent', agentId);
    const active = this.#env.tree.get(agentId)?.version?.number ?? (await this.#store.activeVersion(agentId));
    return rows.map((r) => ({ ...r, active: r.number === active }));
  }

  /**
   * Restarts a hosted agent on version `to` (its number, or its hash or a hash prefix of at least
   * 8 hex digits), keeping its identity, counters and snapshot (at rest when it was retrying or
   * had failed); refused while a phase runs. Audited before anything changes.
   */
  async rollback(agentId: string, { to, by, why }: RollbackRequest): Promise<AgentVersionInfo> {
    const env = this.#env;
    const loaded = env.tree.get(agentId) === undefined ? env.placed?.(agentId) : undefined;
    if (loaded !== undefined) return this.#rollbackElsewhere(agentId, loaded, { to, by, why });
    const host = env.tree.require(agentId);
    const target = this.#resolve(await this.list(agentId), agentId, to);
    const from = host.version;
    if (from?.number === target.number)
      throw new StateConflictError(`Agent "${agentId}" already runs version ${target.number}.`, {
        agentId,
        version: target.number,
      });
    if (host.state === 'stopped')
      throw new StateConflictError(`Agent "${agentId}" was stopped for good; a rollback does not restart it.`, {
        agentId,
        state: host.state,
      });
    if (isWorking(host.state))
      throw new StateConflictError(
        `Agent "${agentId}" is in its ${host.state} phase; roll it back when it is idle, or pause it first (a pause lets the cycle finish).`,
        { agentId, state: host.state },
      );
    const def = await this.#build(target, host.def);
    const at = env.clock.now();
    await env.audit(rolledBack({ agentId, by, why, where: host.parent.id, at }, from, target));
    await this.#store.setActiveVersion(agentId, target.number, at);
    this.#swapping.add(agentId);
    try {
      await this.#restartOn(host, def, target);
    } finally {
      this.#swapping.delete(agentId);
    }
    return { ...target, active: true };
  }

  /**
   * With placement, for an agent another node hosts now: checks the target here (it exists, it is
   * not the active one, this node can build it), audits, and makes it the active version in the
   * shared store; the node hosting the agent restarts it on that version ({@link applyActive}), and
   * any node taking the agent over later starts it on that version.
   */
  async #rollbackElsewhere(agentId: string, loaded: AgentDefinition, r: RollbackRequest): Promise<AgentVersionInfo> {
    const rows = await this.list(agentId);
    const target = this.#resolve(rows, agentId, r.to);
    const active = rows.find((v) => v.active);
    if (active?.number === target.number)
      throw new StateConflictError(`Agent "${agentId}" already runs version ${target.number}.`, {
        agentId,
        version: target.number,
      });
    await this.#build(target, loaded);
    const at = this.#env.clock.now();
    const entry = rolledBack({ agentId, by: r.by, why: r.why, where: this.#env.nodeId, at }, active, target);
    await this.#env.audit({ ...entry, data: { ...entry.data, hostedHere: false } });
    await this.#store.setActiveVersion(agentId, target.number, at);
    return { ...target, active: true };
  }

  /** Every agent's active version in the store (what {@link applyActive} compares with). */
  activeVersions(): Promise<Map<string, number>> {
    return this.#store.activeVersions();
  }

  /**
   * Restarts a hosted agent on the store's active version when it runs another one (a rollback or
   * deploy made on another node), once it is at rest; audited `config.agent.version.applied`.
   * Whether it restarted it.
   */
  async applyActive(host: AgentHost): Promise<boolean> {
    if (host.version === undefined || this.#swapping.has(host.id)) return false;
    if (isWorking(host.state) || host.state === 'stopped' || host.state === 'retrying') return false;
    const active = await this.#store.activeVersion(host.id);
    if (active === undefined || active === host.version.number) return false;
    const target = (await this.#store.listVersions(host.id)).find((v) => v.number === active);
    if (target === undefined || this.#env.tree.get(host.id) !== host) return false;
    this.#swapping.add(host.id);
    try {
      const def = await this.#build(target, host.def);
      if (this.#env.tree.get(host.id) !== host || isWorking(host.state)) return false;
      await this.#env.audit({
        who: { kind: 'system', id: this.#env.nodeId },
        action: 'config.agent.version.applied',
        subject: host.id,
        where: host.parent.id,
        why: `version ${target.number} is the active version in the store (set on another node)`,
        data: { agentId: host.id, from: host.version.number, to: target.number, toHash: target.hash },
        at: this.#env.clock.now(),
      });
      await this.#restartOn(host, def, target);
      return true;
    } finally {
      this.#swapping.delete(host.id);
    }
  }

  async #restartOn(host: AgentHost, def: AgentDefinition, target: AgentVersionRow): Promise<void> {
    const next = await this.#swap(host, def);
    next.version = stampOf(target);
    await this.#env.messaging()?.attach(next);
    await this.#env.register(next);
  }

  /** Stops the running actor and starts `def` in its place with the same identity, counters and snapshot. */
  async #swap(host: AgentHost, def: AgentDefinition): Promise<AgentHost> {
    const env = this.#env;
    const snapshot = resumableSnapshot(host.actor.getPersistedSnapshot());
    env.triggers.unwire(host.id);
    await env.messaging()?.detach(host.id);
    env.tree.remove(host.id);
    env.tree.restore(new Map([[host.id, host.seed]]), [
      { agentId: host.id, supervisorId: host.parent.id, snapshot, state: 'idle', seq: host.snapshotSeq, at: 0 },
    ]);
    const next = env.tree.spawn(def, host.fence);
    next.version = host.version;
    Object.assign(next, {
      cycles: host.cycles,
      restarts: host.restarts,
      failures: host.failures,
      errors: host.errors,
      phaseMs: host.phaseMs,
      phasesRun: host.phasesRun,
      snapshotSeq: host.snapshotSeq,
    });
    env.triggers.wire(next);
    return next;
  }

  #resolve(rows: AgentVersionRow[], agentId: string, to: string): AgentVersionRow {
    const hex = to.replace(/^sha256:/, '').toLowerCase();
    const found = /^\d+$/.test(to)
      ? rows.filter((r) => r.number === Number(to))
      : /^[0-9a-f]{8,64}$/.test(hex)
        ? rows.filter((r) => r.hash.slice('sha256:'.length).startsWith(hex))
        : [];
    if (found.length !== 1)
      throw new NotFoundError(
        'agent version',
        `${agentId} --to ${to}`,
        `give a version number (${rows.map((r) => r.number).join(', ')}) or at least 8 hex digits of its hash; "mandate agents versions ${agentId}" lists them`,
      );
    return found[0]!;
  }

  /** Keeps `def` among the definitions loaded for its agent (once per object). */
  #remember(def: AgentDefinition): void {
    const defs = this.#built.get(def.id);
    if (defs === undefined) this.#built.set(def.id, [def]);
    else if (!defs.includes(def)) defs.push(def);
  }

  /** The definition of a stored version: one this process loaded, or the current definition's YAML reloaded from the stored files. */
  async #build(v: AgentVersionRow, current: AgentDefinition): Promise<AgentDefinition> {
    const built = this.#built.get(v.agentId)?.find((d) => versionContent(d).hash === v.hash);
    if (built !== undefined) return built;
    if (v.source === null || current.reload === undefined)
      throw new VersionUnavailableError(
        `Version ${v.number} of "${v.agentId}" cannot be rebuilt here: ${v.source === null ? 'it is a TypeScript definition this process never loaded (start the process with that code to roll back to it)' : 'the running definition is not a YAML agent, so there are no plugins to build the stored YAML with'}.`,
        { agentId: v.agentId, version: v.number, hash: v.hash },
      );
    const def = await current.reload(v.source);
    if (def.id !== v.agentId || versionContent(def).hash !== v.hash)
      throw new VersionUnavailableError(
        `Version ${v.number} of "${v.agentId}" rebuilt from its stored files does not match its hash ${v.hash}.`,
        { agentId: v.agentId, version: v.number, hash: v.hash },
      );
    this.#remember(def);
    return def;
  }
}

const stampOf = (v: VersionStamp): VersionStamp => ({ number: v.number, hash: v.hash, label: v.label });
