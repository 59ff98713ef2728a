import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { parseOrThrow, systemClock, type Clock } from '../kernel/index.ts';
import {
  didSuffix,
  encodeRecord,
  REGISTRY_BUCKET,
  RequirementsSchema,
  REVOCATION_BUCKET,
  type AgentDescriptor,
  type CapabilityRegistry,
  type DescriptorInput,
  type RecordSigner,
  type Requirements,
  type RevocationRequest,
  type SignerStatus,
} from '../transport/index.ts';
import { heartbeatRecord, newDescriptorRecord, revocationRecord } from './descriptorRecords.ts';
import { AgentNotRegisteredError, AgentRevokedError, RegistryInputError, RegistryUnavailableError } from './errors.ts';
import type { RegistryOptions } from './MemoryCapabilityRegistry.ts';
import { rankCandidates } from './rankCandidates.ts';
import { RecordBook } from './RecordBook.ts';

const DID = /^did:key:z[1-9A-HJ-NP-Za-km-z]{40,60}$/;

/**
 * {@link CapabilityRegistry} in NATS KV, shared by every runtime node on one NATS. Values are signed records
 * (docs/protocol.md §9) read through a verifying {@link RecordBook}: a value some client put without the
 * agent's key is ignored and reported, whatever the bucket permissions. Descriptors live in a bucket whose max
 * age is the heartbeat expiry; revocations in a bucket without TTL. Both are mirrored into the book by KV
 * watchers, so `lookup` (on every inbound envelope) is a map read; a miss falls back to a direct read, so a
 * just-registered agent is never refused.
 */
export class NatsKvCapabilityRegistry implements CapabilityRegistry {
  readonly #agents: KV;
  readonly #revocations: KV;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #ttlMs: number;
  readonly #book: RecordBook;
  /** Dids just found absent: not fetched again for a second, so floods from unknown signers cost no KV reads (the watcher still adds them when they register). */
  readonly #misses = new Map<string, number>();
  readonly #stops: Array<() => void> = [];

  private constructor(agents: KV, revocations: KV, options: RegistryOptions & { ttlMs: number }) {
    this.#agents = agents;
    this.#revocations = revocations;
    this.#clock = options.clock ?? systemClock;
    this.#ttlMs = options.ttlMs;
    this.#book = new RecordBook({
      clock: this.#clock,
      ttlMs: options.ttlMs,
      ...(options.revocationAuthorities === undefined ? {} : { authorities: options.revocationAuthorities }),
      ...(options.onRecordProblem === undefined ? {} : { onProblem: options.onRecordProblem }),
    });
  }

  /** Opens (creating if needed) the buckets and starts the watchers; resolves once the book holds the current state. */
  static async open(
    nc: NatsConnection,
    options: RegistryOptions & {
      bucket?: string;
      revocationBucket?: string;
      inboxPrefix?: string;
      /** JetStream replicas of both buckets (3 on a three-server cluster, so one server may die); default 1. */
      replicas?: number;
    } = {},
  ): Promise<NatsKvCapabilityRegistry> {
    const ttlMs = options.ttlMs ?? 30_000;
    let reg: NatsKvCapabilityRegistry;
    try {
      // Watchers deliver to inboxes under the connection's prefix (what the node may subscribe to).
      const kvm = new Kvm(
        jetstream(nc, options.inboxPrefix === undefined ? {} : { watcherPrefix: options.inboxPrefix }),
      );
      const replicas = options.replicas ?? 1;
      const agents = await kvm.create(options.bucket ?? REGISTRY_BUCKET, { ttl: ttlMs, history: 1, replicas });
      const revocations = await kvm.create(options.revocationBucket ?? REVOCATION_BUCKET, { history: 1, replicas });
      reg = new NatsKvCapabilityRegistry(agents, revocations, { ...options, ttlMs });
    } catch (cause) {
      throw new RegistryUnavailableError(
        `Cannot open the registry buckets in NATS KV: ${(cause as Error).message}. Start nats-server with -js.`,
        { cause },
      );
    }
    await reg.#watch();
    return reg;
  }

  async register(signer: RecordSigner, input: DescriptorInput): Promise<AgentDescriptor> {
    const status = await this.lookup(signer.did);
    if (status.state === 'revoked') throw new AgentRevokedError(signer.did, status.revocation.reason);
    const now = this.#clock.now();
    const last = status.state === 'active' ? status.descriptor.heartbeatAt : -1;
    const { descriptor, record } = newDescriptorRecord(signer, input, {
      registeredAt: now,
      heartbeatAt: Math.max(now, last + 1),
    });
    await this.#put(signer.did, encodeRecord(record));
    return descriptor;
  }

  async heartbeat(
    signer: RecordSigner,
    patch: Partial<Pick<AgentDescriptor, 'status' | 'reputation'>> = {},
  ): Promise<void> {
    const status = await this.lookup(signer.did);
    if (status.state !== 'active') throw new AgentNotRegisteredError(signer.did);
    const { record } = heartbeatRecord(signer, status.descriptor, { ...patch, at: this.#clock.now() });
    await this.#put(signer.did, encodeRecord(record));
  }

  async #put(did: string, bytes: Uint8Array): Promise<void> {
    await this.#agents.put(didSuffix(did), bytes);
    this.#book.putDescriptor(didSuffix(did), bytes, Date.now());
  }

  async deregister(did: string): Promise<void> {
    this.#book.deleteDescriptor(didSuffix(did));
    await this.#agents.delete(didSuffix(did));
  }

  async revoke(signer: RecordSigner, { did, reason, by = signer.did }: RevocationRequest): Promise<void> {
    const record = encodeRecord(
      revocationRecord(signer, { did, reason, by, at: this.#clock.now() }, this.#book.record(did)),
    );
    if (this.#book.putRevocation(didSuffix(did), record) === undefined)
      throw new RegistryInputError(
        `${signer.did} may not revoke ${did}: only the agent, the node its descriptor names, or a configured authority (MANDATE_REVOCATION_AUTHORITIES) may.`,
        { details: { did, signer: signer.did } },
      );
    await this.#revocations.put(didSuffix(did), record);
    await this.deregister(did);
  }

  async lookup(did: string): Promise<SignerStatus> {
    const status = this.#book.lookup(did, this.#ttlMs);
    if (status.state !== 'unknown') return status;
    await this.#fetch(did);
    return this.#book.lookup(did, this.#ttlMs);
  }

  async discover(capability: string, requirements: Requirements = {}): Promise<AgentDescriptor[]> {
    const req = parseOrThrow(RequirementsSchema, requirements, {
      what: 'discovery requirements',
      error: RegistryInputError,
    });
    return rankCandidates(this.#book.descriptors(this.#ttlMs), capability, req);
  }

  async close(): Promise<void> {
    for (const stop of this.#stops.splice(0)) stop();
  }

  async #fetch(did: string): Promise<void> {
    const now = Date.now();
    if ((this.#misses.get(did) ?? 0) > now || !DID.test(did)) return;
    const e = await this.#agents.get(didSuffix(did)).catch(() => null);
    if (e === null || e.operation !== 'PUT' || now - e.created.getTime() > this.#ttlMs) {
      if (this.#misses.size > 10_000) this.#misses.clear();
      this.#misses.set(did, now + 1_000);
      return;
    }
    this.#book.putDescriptor(e.key, e.value, e.created.getTime());
  }

  async #watch(): Promise<void> {
    const agents = await this.#agents.watch();
    const revocations = await this.#revocations.watch();
    this.#stops.push(
      () => agents.stop(),
      () => revocations.stop(),
    );
    let agentsReady!: () => void;
    let revReady!: () => void;
    const ready = Promise.all([new Promise<void>((r) => (agentsReady = r)), new Promise<void>((r) => (revReady = r))]);
    void (async () => {
      for await (const e of agents) {
        if (e.operation === 'PUT') this.#book.putDescriptor(e.key, e.value, e.created.getTime());
        else this.#book.deleteDescriptor(e.key);
        if (e.delta === 0 || e.isUpdate) agentsReady();
      }
    })();
    void (async () => {
      for await (const e of revocations) {
        // A delete never un-revokes: revocation is permanent for this reader.
        if (e.operation === 'PUT') this.#book.putRevocation(e.key, e.value);
        if (e.delta === 0 || e.isUpdate) revReady();
      }
    })();
    // An empty bucket yields no initial entries: do not wait for them.
    const [na, nr] = await Promise.all([this.#agents.status(), this.#revocations.status()]);
    if (na.values === 0) agentsReady();
    if (nr.values === 0) revReady();
    await ready;
  }
}
