import { createHash } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { didSuffix, TASKS_BUCKET } from '../transport/index.ts';
import { adoptStep, type AdoptOutcome, type ContractNetStore, type TaskRecord } from './ContractNetStore.ts';
import { RegistryUnavailableError, TaskFencedError } from './errors.ts';
import { isKvConflict } from './isKvConflict.ts';

/**
 * {@link ContractNetStore} in the JetStream KV bucket `mandate_tasks` (file storage, no TTL), one key per task:
 * `<manager did suffix>.<sha-256 of the task id, base64url>`. It lives where the awards and results it
 * coordinates live (the `MANDATE_DURABLE` stream), so a manager that can reach its results can reach its
 * state, and needs no database.
 *
 * Writes are compare-and-set on the revision this store last read or wrote: {@link open} re-writes every open
 * record it returns (claiming it), so once a new holder of the manager identity has loaded a task, a write
 * by the old holder (paused or partitioned past its lease) is refused with `MANDATE_ERR_TASK_FENCED`.
 */
export class NatsKvContractNetStore implements ContractNetStore {
  readonly #kv: KV;
  readonly #revisions = new Map<string, number>();

  private constructor(kv: KV) {
    this.#kv = kv;
  }

  /** Opens (creating if needed) the bucket. */
  static async open(
    nc: NatsConnection,
    options: { bucket?: string; inboxPrefix?: string } = {},
  ): Promise<NatsKvContractNetStore> {
    try {
      const kvm = new Kvm(
        jetstream(nc, options.inboxPrefix === undefined ? {} : { watcherPrefix: options.inboxPrefix }),
      );
      return new NatsKvContractNetStore(await kvm.create(options.bucket ?? TASKS_BUCKET, { history: 1 }));
    } catch (cause) {
      throw new RegistryUnavailableError(
        `Cannot open the contract-net task bucket in NATS KV: ${(cause as Error).message}. Start nats-server with -js.`,
        { cause },
      );
    }
  }

  async open(manager: string): Promise<TaskRecord[]> {
    const out: TaskRecord[] = [];
    for (const key of await this.#taskKeys(manager)) {
      const r = await this.#claim(key);
      if (r !== undefined && r.manager === manager) out.push(r);
    }
    return out;
  }

  async adoptable(from: string, by: string): Promise<TaskRecord[]> {
    const out: TaskRecord[] = [];
    for (const key of await this.#taskKeys(from)) {
      const r = await this.#read(key);
      if (r?.manager === from && (r.status === 'open' || (r.status === 'adopted' && r.adoptedBy === by))) out.push(r);
    }
    return out;
  }

  async adopt(record: TaskRecord, by: string, at: number): Promise<AdoptOutcome> {
    const key = keyOf(record.manager, record.id);
    for (;;) {
      // Decided on the record as stored now, written compare-and-set on the revision read with it.
      const e = await this.#kv.get(key);
      const current = e === null || e.operation !== 'PUT' ? undefined : e.json<TaskRecord>();
      const step = adoptStep(current, by, at);
      if ('done' in step) return step.done;
      try {
        this.#revisions.set(key, await this.#kv.update(key, JSON.stringify(step.write), e!.revision));
        return { won: true, record: current! };
      } catch (err) {
        // Written since it was read (the old manager, or another adopter): read it again and decide on that.
        if (!isKvConflict(err)) throw err;
      }
    }
  }

  async save(record: TaskRecord): Promise<void> {
    const key = keyOf(record.manager, record.id);
    const data = JSON.stringify(record);
    const known = this.#revisions.get(key);
    try {
      if (known !== undefined) return void this.#revisions.set(key, await this.#kv.update(key, data, known));
      try {
        return void this.#revisions.set(key, await this.#kv.create(key, data));
      } catch (err) {
        // A task id used before: a finished record may be written over, an open one belongs to whoever runs it.
        const e = await this.#kv.get(key);
        if (!isKvConflict(err) || e === null || e.json<TaskRecord>().status === 'open') throw err;
        this.#revisions.set(key, await this.#kv.update(key, data, e.revision));
      }
    } catch (err) {
      if (!isKvConflict(err)) throw err;
      throw new TaskFencedError(
        `Task "${record.id}" of manager ${record.manager} was written by another holder of that manager since this one read it; this holder stops.`,
        { details: { taskId: record.id, manager: record.manager }, cause: err },
      );
    }
  }

  async get(manager: string, taskId: string): Promise<TaskRecord | undefined> {
    return this.#read(keyOf(manager, taskId));
  }

  /** The record under `key` (remembering its revision), or undefined. */
  async #read(key: string): Promise<TaskRecord | undefined> {
    const e = await this.#kv.get(key);
    if (e === null || e.operation !== 'PUT') return void this.#revisions.delete(key);
    this.#revisions.set(key, e.revision);
    return e.json<TaskRecord>();
  }

  /** The keys of `manager`'s task records (not its lease). */
  async #taskKeys(manager: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const key of await this.#kv.keys(`${didSuffix(manager)}.>`)) if (!key.endsWith('.lease')) keys.push(key);
    return keys;
  }

  /** Reads an open record and re-writes it unchanged, so its revision is this store's (retried when another write lands first). */
  async #claim(key: string): Promise<TaskRecord | undefined> {
    for (;;) {
      const e = await this.#kv.get(key);
      if (e === null || e.operation !== 'PUT') return undefined;
      const r = e.json<TaskRecord>();
      if (r.status !== 'open') return undefined;
      try {
        this.#revisions.set(key, await this.#kv.update(key, e.string(), e.revision));
        return r;
      } catch (err) {
        if (!isKvConflict(err)) throw err;
      }
    }
  }
}

function keyOf(manager: string, taskId: string): string {
  return `${didSuffix(manager)}.${createHash('sha256').update(taskId).digest('base64url')}`;
}
