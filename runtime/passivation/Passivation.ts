import { codeOf, ErrorCode, type Clock } from '../../kernel/index.ts';
import type { AgentDefinition } from '../agents/defineAgent.ts';
import { DuplicateIdError, NotFoundError } from '../errors.ts';
import type { AgentHost, AlertInput } from '../host/AgentHost.ts';
import type { StateWriter } from '../host/StateWriter.ts';
import type { RuntimeStore, SnapshotRow } from '../persistence/RuntimeStore.ts';
import type { SupervisionTree } from '../supervision/SupervisionTree.ts';
import { SnapshotPrefetch } from './SnapshotPrefetch.ts';
import { WarmSnapshots } from './WarmSnapshots.ts';

/** What a passivated agent keeps in memory: enough to reactivate it. Its state is its snapshot in the store. */
interface Dormant {
  readonly def: AgentDefinition;
  seed: Uint8Array | undefined;
  /** No snapshot to read back: the agent has not run since it was registered, it starts fresh. */
  readonly fresh: boolean;
  readonly fence: number | undefined;
  readonly cycles: number;
  readonly restarts: number;
  readonly failures: number;
}

/** A passivated agent as read models see it (read only). */
export type PassivatedAgent = Readonly<Pick<Dormant, 'def' | 'seed' | 'cycles' | 'restarts' | 'failures'>>;

/** What passivation needs of the runtime. */
export interface PassivationEnv {
  clock: Clock;
  store: RuntimeStore | undefined;
  writer: StateWriter | undefined;
  tree: Pick<SupervisionTree, 'spawn' | 'remove' | 'get' | 'restore' | 'restored' | 'unstarted' | 'checkCapabilities'>;
  alert(alert: AlertInput): void;
  /** `passivation.prefetchMs` (checked): a snapshot read ahead is kept for it + 5 s. */
  prefetchMs: number;
  /** `passivation.warmBytes` (checked): the budget of the warm tier ({@link WarmSnapshots}). */
  warmBytes: number;
}

/**
 * Virtual actors (Orleans-style) for agents declaring `passivation: { idleAfter }`: an agent idle for
 * that long has its snapshot committed to the store and its actor taken out of memory; it keeps its
 * triggers, its messaging endpoint and its lease. Its next trigger, message, task or operator command
 * reactivates it ({@link Passivation.wake}) from that snapshot, under the same supervisor, identity and
 * fencing token, before it is delivered, so peers see no difference. Registered agents start passivated
 * unless they have a cycle in flight to resume. Without a store an agent that has run stays active (its
 * state would have nowhere to go). Recently passivated agents' snapshots stay warm ({@link WarmSnapshots}):
 * put once stored, taken by the wake, dropped on a takeover or a newer snapshot, never older than the store's.
 */
export class Passivation {
  readonly #env: PassivationEnv;
  readonly #asleep = new Map<string, Dormant>();
  readonly #waking = new Map<string, Promise<AgentHost>>();
  readonly #idleSince = new Map<AgentHost, number>();
  readonly #busy = new Set<string>();
  readonly #prefetch: SnapshotPrefetch;
  /** Snapshots of recently passivated agents, kept so that their reactivation reads no database. */
  readonly warm: WarmSnapshots;
  #timer: unknown;
  #timerAt = Infinity;
  #stopped = false;
  /** Agents passivated and reactivated since start (for `/metrics`). */
  readonly counts = { passivated: 0, reactivated: 0 };

  constructor(env: PassivationEnv) {
    this.#env = env;
    this.#prefetch = new SnapshotPrefetch(env.clock, env.prefetchMs + 5_000);
    this.warm = new WarmSnapshots(env.warmBytes);
  }

  /** How many agents are passivated now. */
  get size(): number {
    return this.#asleep.size;
  }

  /** The definition of a passivated agent (also while it is being reactivated), or undefined. */
  definition(agentId: string): AgentDefinition | undefined {
    return this.#asleep.get(agentId)?.def;
  }

  /** The passivated agents as the read model shows them: definition, identity seed and counters. */
  *passivated(): IterableIterator<PassivatedAgent> {
    yield* this.#asleep.values();
  }

  /** Definitions of the passivated agents. */
  *definitions(): IterableIterator<AgentDefinition> {
    for (const d of this.#asleep.values()) yield d.def;
  }

  /**
   * Registers `def` passivated, unless it has no `passivation:` or its restored snapshot is mid-cycle (then
   * it is spawned and resumes; it is passivated once idle). `attach` gets the agent's unstarted host to wire
   * its triggers, attach it to messaging and persist its row. Returns whether it was registered passivated.
   */
  async admit(def: AgentDefinition, attach: (host: AgentHost) => Promise<void>): Promise<boolean> {
    if (def.passivation === undefined) return false;
    const tree = this.#env.tree;
    if (tree.get(def.id) !== undefined || this.#asleep.has(def.id)) throw new DuplicateIdError('agent', def.id);
    tree.checkCapabilities(def);
    const restored = tree.restored(def.id);
    if (restored !== undefined && restored.state !== 'idle') return false;
    const host = tree.unstarted(def);
    const dormant: Dormant = {
      def,
      seed: host.storedSeed,
      fresh: restored === undefined,
      fence: undefined,
      cycles: 0,
      restarts: 0,
      failures: 0,
    };
    this.#asleep.set(def.id, dormant);
    await attach(host);
    dormant.seed = host.storedSeed; // made by attach when it persisted the identity
    return true;
  }

  /** Told of every agent transition: an agent of `passivation:` entering idle starts its idle clock. */
  onTransition(host: AgentHost, to: string): void {
    this.warm.drop(host.id); // its actor runs here: its next snapshot is newer than any warm copy
    const idleAfter = host.def.passivation?.idleAfter;
    if (idleAfter === undefined || this.#env.store === undefined) return;
    if (to !== 'idle') {
      this.#idleSince.delete(host);
      return;
    }
    const now = this.#env.clock.now();
    this.#idleSince.set(host, now);
    this.#arm(now + idleAfter);
  }

  /**
   * Passivates an idle agent now: its snapshot is committed (with its fencing token), then, if it is still
   * idle at the same step, its actor is stopped and forgotten. Returns whether it was passivated.
   */
  async passivate(host: AgentHost): Promise<boolean> {
    const env = this.#env;
    const store = env.store;
    if (store === undefined || this.#busy.has(host.id) || !this.#idle(host)) return false;
    const seq = host.snapshotSeq;
    this.#busy.add(host.id);
    const row: SnapshotRow = {
      agentId: host.id,
      supervisorId: host.parent.id,
      snapshot: host.actor.getPersistedSnapshot(),
      state: host.state,
      seq,
      at: env.clock.now(),
      ...(host.fence === undefined ? {} : { fence: host.fence }),
    };
    try {
      await env.writer?.flush();
      await store.saveSnapshot(row);
    } catch (error) {
      this.warm.drop(host.id);
      const code = codeOf(error, ErrorCode.MANDATE_ERR_STORE);
      // A stale token: another node owns the agent now and placement stops it here; anything else, retry later.
      if (code !== ErrorCode.MANDATE_ERR_FENCE_STALE) {
        env.alert({
          severity: 'warning',
          code: code,
          message: `${host.id} stays active: its snapshot was not stored (${(error as Error).message})`,
          actorId: host.id,
        });
        this.onTransition(host, host.state);
      }
      return false;
    } finally {
      this.#busy.delete(host.id);
    }
    // A trigger may have started a cycle while the snapshot was written: then the agent stays active.
    if (env.tree.get(host.id) !== host || !this.#idle(host) || host.snapshotSeq !== seq) return false;
    env.tree.remove(host.id);
    this.#idleSince.delete(host);
    const dormant: Dormant = {
      def: host.def,
      seed: host.storedSeed,
      fresh: false,
      fence: host.fence,
      cycles: host.cycles,
      restarts: host.restarts,
      failures: host.failures,
    };
    this.#asleep.set(host.id, dormant);
    this.warm.put(row, dormant); // committed above: the warm copy is the stored snapshot
    this.counts.passivated++;
    return true;
  }

  /**
   * Reactivates a passivated agent: its newest snapshot is read back and it is spawned under its
   * supervisor with its identity, counters and fencing token. Undefined when the agent is not passivated;
   * concurrent calls share one reactivation.
   */
  wake(agentId: string): Promise<AgentHost> | undefined {
    const pending = this.#waking.get(agentId);
    if (pending !== undefined) return pending;
    const dormant = this.#asleep.get(agentId);
    if (dormant === undefined) return undefined;
    const woken = this.#reactivate(agentId, dormant).finally(() => this.#waking.delete(agentId));
    this.#waking.set(agentId, woken);
    return woken;
  }

  /**
   * Reads a passivated agent's snapshot ahead of a trigger known to be coming (the scheduler's next
   * interval or cron firing), so its reactivation need not wait for the database. Kept until that
   * reactivation or for `prefetchKeepMs` (a trigger that does not wake it leaves nothing behind). The
   * snapshot read is the one its reactivation would read: a passivated agent's snapshot does not change
   * while it stays passivated here (it has no actor to write one; when another node takes it over,
   * {@link forget} drops the read, and a later passivation is read afresh).
   */
  prefetch(agentId: string): void {
    const dormant = this.#asleep.get(agentId);
    const store = this.#env.store;
    if (dormant === undefined || dormant.fresh || store === undefined || this.#waking.has(agentId)) return;
    if (this.warm.has(agentId, dormant)) return; // its reactivation reads no database
    this.#prefetch.read(agentId, dormant, () => store.loadSnapshots(agentId));
  }

  /** Agents whose snapshot is read ahead and not yet used (for tests and `/metrics`). */
  get prefetched(): number {
    return this.#prefetch.size;
  }

  /** Forgets a passivated agent here (placement moved it to another node); whether it was passivated. */
  forget(agentId: string): boolean {
    this.#prefetch.drop(agentId);
    this.warm.drop(agentId);
    return this.#asleep.delete(agentId);
  }

  /** Stops the idle clock (shutdown); passivated agents stay in the store. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#env.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#prefetch.stop();
    this.warm.clear();
  }

  /** The snapshot rows to reactivate `dormant` from: kept warm or read ahead for this very passivation, or read now. */
  async #snapshotRows(agentId: string, dormant: Dormant): Promise<SnapshotRow[]> {
    const store = this.#env.store;
    if (dormant.fresh || store === undefined) return [];
    const warm = this.warm.take(agentId, dormant);
    const ahead = this.#prefetch.take(agentId, dormant);
    return warm ?? (await ahead) ?? store.loadSnapshots(agentId);
  }

  async #reactivate(agentId: string, dormant: Dormant): Promise<AgentHost> {
    const env = this.#env;
    const rows = await this.#snapshotRows(agentId, dormant);
    if (this.#asleep.get(agentId) !== dormant)
      throw new NotFoundError('agent', agentId, 'it was moved to another node while it was being reactivated');
    if (!dormant.fresh && rows.length === 0)
      env.alert({
        severity: 'critical',
        code: ErrorCode.MANDATE_ERR_SNAPSHOT_INCOMPATIBLE,
        message: `${agentId}: no snapshot found to reactivate it from; started fresh (its write-ahead intents still guard any effect)`,
        actorId: agentId,
      });
    this.#asleep.delete(agentId);
    env.tree.restore(dormant.seed === undefined ? new Map() : new Map([[agentId, dormant.seed]]), rows);
    const host = env.tree.spawn(dormant.def, dormant.fence);
    host.cycles = dormant.cycles;
    host.restarts = dormant.restarts;
    host.failures = dormant.failures;
    this.counts.reactivated++;
    this.onTransition(host, host.state);
    return host;
  }

  #idle(host: AgentHost): boolean {
    return host.state === 'idle' && !host.context.pauseRequested;
  }

  #arm(at: number): void {
    if (this.#stopped || (this.#timer !== undefined && at >= this.#timerAt)) return;
    if (this.#timer !== undefined) this.#env.clock.clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = this.#env.clock.setTimeout(this.#sweep, Math.max(0, at - this.#env.clock.now()));
  }

  /** Passivates every agent idle for its `idleAfter`, then arms the timer for the next one due. */
  #sweep = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#env.clock.now();
    let next = Infinity;
    for (const [host, since] of this.#idleSince) {
      const due = since + host.def.passivation!.idleAfter;
      if (due <= now) {
        this.#idleSince.delete(host);
        void this.passivate(host);
      } else next = Math.min(next, due);
    }
    if (next < Infinity) this.#arm(next);
  };
}
