import { createHash } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { didSuffix, TASKS_BUCKET } from '../transport/index.ts';
import type { ContractNetStore, TaskRecord } from './ContractNetStore.ts';
import { RegistryUnavailableError } from './errors.ts';

/**
 * {@link ContractNetStore} in the JetStream KV bucket `mandate_tasks` (file storage, no TTL), one key per task:
 * `<manager did suffix>.<sha-256 of the task id, base64url>`. It lives where the awards and results it
 * coordinates live (the `MANDATE_DURABLE` stream), so a manager that can reach its results can reach its
 * state, and needs no database.
 */
export class NatsKvContractNetStore implements ContractNetStore {
  readonly #kv: KV;

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
    for await (const key of await this.#kv.keys(`${didSuffix(manager)}.>`)) {
      const e = await this.#kv.get(key);
      if (e === null || e.operation !== 'PUT') continue;
      const r = e.json<TaskRecord>();
      if (r.manager === manager && r.status === 'open') out.push(r);
    }
    return out;
  }

  async save(record: TaskRecord): Promise<void> {
    await this.#kv.put(keyOf(record.manager, record.id), JSON.stringify(record));
  }

  async get(manager: string, taskId: string): Promise<TaskRecord | undefined> {
    const e = await this.#kv.get(keyOf(manager, taskId));
    return e === null || e.operation !== 'PUT' ? undefined : e.json<TaskRecord>();
  }
}

function keyOf(manager: string, taskId: string): string {
  return `${didSuffix(manager)}.${createHash('sha256').update(taskId).digest('base64url')}`;
}
