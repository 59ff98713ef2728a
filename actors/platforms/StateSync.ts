/**
 * Cross-platform state sync: an agent's view of one business entity (an invoice, a supplier) kept
 * on several platforms, each record with the version it was read at. A change is propagated to
 * every platform with a conditional write; a platform whose record changed meanwhile is a
 * conflict, resolved by the declared policy — `remote-wins` (keep theirs), `local-wins` (write
 * ours over theirs), `merge` (three-way by field: their changes kept, ours applied, a field both
 * changed differently is a true conflict asked of a human, or refused without one), `ask` (a
 * human decides) — with one result per platform.
 */
import { canonicalJson } from '../../kernel/index.ts';
import { PlatformConfigError, PlatformConflictError } from './errors.ts';
import type { PlatformAdapter, PlatformRecord } from './PlatformAdapter.ts';

/** How a conflict is resolved. */
export type ConflictPolicy = 'remote-wins' | 'local-wins' | 'merge' | 'ask';

/** Where one entity lives on one platform. */
export interface SyncTarget {
  readonly platform: string;
  readonly type: string;
  readonly id: string;
}

/** What a human is asked when a write conflicts. */
export interface SyncConflict {
  readonly entity: string;
  readonly target: SyncTarget;
  /** The record's fields as this view last saw them. */
  readonly base: Readonly<Record<string, unknown>>;
  /** What this change sets. */
  readonly local: Readonly<Record<string, unknown>>;
  /** The record as it is now. */
  readonly remote: Readonly<Record<string, unknown>>;
  /** Fields both sides changed to different values. */
  readonly fields: readonly string[];
}

/** A human's answer: keep theirs, write ours, or write these fields. */
export type ConflictResolution = 'remote' | 'local' | { readonly fields: Readonly<Record<string, unknown>> };

/** How one platform took a change. */
export interface PropagationResult extends SyncTarget {
  readonly status: 'written' | 'merged' | 'kept-remote' | 'overwritten' | 'resolved' | 'conflict' | 'failed';
  /** The record's version after the change (or the remote's, when it was kept). */
  readonly version?: string;
  /** Fields in conflict, for `merged`/`conflict`/`resolved`. */
  readonly conflicts?: readonly string[];
  readonly error?: { readonly code: string; readonly message: string };
}

/** Options of {@link StateSync}. */
export interface StateSyncOptions {
  readonly adapters: Readonly<Record<string, PlatformAdapter>>;
  /** Entity name → where it lives. */
  readonly entities: Readonly<Record<string, readonly SyncTarget[]>>;
  /** One policy, or one per platform. */
  readonly policy: ConflictPolicy | Readonly<Record<string, ConflictPolicy>>;
  /** Asked for `ask`, and for true conflicts under `merge`. */
  readonly ask?: (conflict: SyncConflict) => Promise<ConflictResolution>;
}

const same = (a: unknown, b: unknown) => canonicalJson(a ?? null) === canonicalJson(b ?? null);
const keyOf = (t: SyncTarget) => `${t.platform}/${t.type}/${t.id}`;

/** Keeps entities in step across platforms; see the file comment. */
export class StateSync {
  readonly #o: StateSyncOptions;
  readonly #views = new Map<string, PlatformRecord>();

  constructor(options: StateSyncOptions) {
    for (const [entity, targets] of Object.entries(options.entities))
      for (const t of targets) {
        if (options.adapters[t.platform] === undefined)
          throw new PlatformConfigError(
            `entity ${entity} lives on platform "${t.platform}", which has no adapter (have: ${Object.keys(options.adapters).join(', ')})`,
          );
        if (this.#policyIn(options, t.platform) === 'ask' && options.ask === undefined)
          throw new PlatformConfigError(
            `platform "${t.platform}" resolves conflicts by asking, but no ask function is given`,
          );
      }
    this.#o = options;
  }

  /** The last synced record of `entity` on `platform`. */
  view(entity: string, platform: string): PlatformRecord | undefined {
    const target = this.#targets(entity).find((t) => t.platform === platform);
    return target === undefined ? undefined : this.#views.get(keyOf(target));
  }

  /** Reads `entity` from every platform into the views. */
  async pull(entity: string): Promise<PlatformRecord[]> {
    return Promise.all(this.#targets(entity).map((t) => this.#read(t)));
  }

  /** Writes `changes` of `entity` to every platform; one result each, in the mapping's order. */
  async propagate(entity: string, changes: Readonly<Record<string, unknown>>): Promise<PropagationResult[]> {
    return Promise.all(this.#targets(entity).map((t) => this.#propagateTo(entity, t, changes)));
  }

  async #propagateTo(entity: string, target: SyncTarget, changes: Readonly<Record<string, unknown>>) {
    try {
      const view = this.#views.get(keyOf(target)) ?? (await this.#read(target));
      try {
        return this.#done(target, { status: 'written', record: await this.#write(target, view.version, changes) });
      } catch (error) {
        if (!(error instanceof PlatformConflictError)) throw error;
        return await this.#resolve({ entity, target, base: view.fields, changes });
      }
    } catch (error) {
      const e = error as Error & { code?: string };
      return { ...target, status: 'failed' as const, error: { code: e.code ?? 'Error', message: e.message } };
    }
  }

  async #resolve(c: {
    entity: string;
    target: SyncTarget;
    base: Readonly<Record<string, unknown>>;
    changes: Readonly<Record<string, unknown>>;
  }): Promise<PropagationResult> {
    const remote = await this.#read(c.target);
    const conflicts = Object.keys(c.changes).filter(
      (k) => !same(remote.fields[k], c.base[k]) && !same(remote.fields[k], c.changes[k]),
    );
    const policy = this.#policyIn(this.#o, c.target.platform);
    if (policy === 'remote-wins') return this.#done(c.target, { status: 'kept-remote', record: remote, conflicts });
    if (policy === 'local-wins')
      return this.#done(c.target, {
        status: 'overwritten',
        record: await this.#write(c.target, remote.version, c.changes),
      });
    if (policy === 'merge' && conflicts.length === 0)
      return this.#done(c.target, {
        status: 'merged',
        record: await this.#write(c.target, remote.version, c.changes),
        conflicts,
      });
    if (this.#o.ask === undefined) return { ...c.target, status: 'conflict', version: remote.version, conflicts };
    const answer = await this.#o.ask({
      entity: c.entity,
      target: c.target,
      base: c.base,
      local: c.changes,
      remote: remote.fields,
      fields: conflicts,
    });
    if (answer === 'remote') return this.#done(c.target, { status: 'resolved', record: remote, conflicts });
    const fields = answer === 'local' ? c.changes : answer.fields;
    return this.#done(c.target, {
      status: 'resolved',
      record: await this.#write(c.target, remote.version, fields),
      conflicts,
    });
  }

  #done(
    target: SyncTarget,
    {
      status,
      record,
      conflicts,
    }: { status: PropagationResult['status']; record: PlatformRecord; conflicts?: readonly string[] },
  ): PropagationResult {
    return { ...target, status, version: record.version, ...(conflicts === undefined ? {} : { conflicts }) };
  }

  async #read(target: SyncTarget): Promise<PlatformRecord> {
    const record = await this.#adapter(target).read(target.type, target.id);
    this.#views.set(keyOf(target), record);
    return record;
  }

  async #write(
    target: SyncTarget,
    ifMatch: string,
    fields: Readonly<Record<string, unknown>>,
  ): Promise<PlatformRecord> {
    const record = await this.#adapter(target).write({ type: target.type, id: target.id, ifMatch }, fields);
    this.#views.set(keyOf(target), record);
    return record;
  }

  #adapter(target: SyncTarget): PlatformAdapter {
    return this.#o.adapters[target.platform]!;
  }

  #targets(entity: string): readonly SyncTarget[] {
    const targets = this.#o.entities[entity];
    if (targets === undefined)
      throw new PlatformConfigError(
        `no entity "${entity}" is mapped (have: ${Object.keys(this.#o.entities).join(', ')})`,
      );
    return targets;
  }

  #policyIn(options: StateSyncOptions, platform: string): ConflictPolicy {
    return typeof options.policy === 'string' ? options.policy : (options.policy[platform] ?? 'ask');
  }
}
