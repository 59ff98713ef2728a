import { jetstream } from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { parseOrThrow, systemClock, type Clock } from '../kernel/index.ts';
import {
  AgentDescriptorInputSchema,
  AgentDescriptorSchema,
  didSuffix,
  REGISTRY_BUCKET,
  RequirementsSchema,
  REVOCATION_BUCKET,
  RevocationSchema,
  type AgentDescriptor,
  type AgentDescriptorInput,
  type CapabilityRegistry,
  type Requirements,
  type Revocation,
  type SignerStatus,
} from '../transport/index.ts';
import { AgentNotRegisteredError, AgentRevokedError, RegistryInputError, RegistryUnavailableError } from './errors.ts';
import { rankCandidates } from './rankCandidates.ts';

interface Cached {
  descriptor: AgentDescriptor;
  /** Server time of the last put. */
  storedAt: number;
}

/**
 * {@link CapabilityRegistry} in NATS KV, shared by every runtime node on one NATS.
 * Descriptors live in a bucket whose max age is the heartbeat expiry (NATS 2.9 has bucket TTL, not per-key
 * TTL): an agent that stops heartbeating disappears. Revocations live in a bucket without TTL.
 * Both are mirrored into a local cache by KV watchers, so `lookup` (on every inbound envelope) is a map read;
 * a miss falls back to a direct read, so a just-registered agent is never refused.
 */
export class NatsKvCapabilityRegistry implements CapabilityRegistry {
  readonly #agents: KV;
  readonly #revocations: KV;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #ttlMs: number;
  readonly #cache = new Map<string, Cached>();
  readonly #revoked = new Map<string, Revocation>();
  /** Dids just found absent: not fetched again for a second, so floods from unknown signers cost no KV reads (the watcher still adds them when they register). */
  readonly #misses = new Map<string, number>();
  readonly #stops: Array<() => void> = [];

  private constructor(agents: KV, revocations: KV, clock: Pick<Clock, 'now'>, ttlMs: number) {
    this.#agents = agents;
    this.#revocations = revocations;
    this.#clock = clock;
    this.#ttlMs = ttlMs;
  }

  /** Opens (creating if needed) the buckets and starts the watchers; resolves once the cache holds the current state. */
  static async open(
    nc: NatsConnection,
    options: {
      clock?: Pick<Clock, 'now'>;
      ttlMs?: number;
      bucket?: string;
      revocationBucket?: string;
      inboxPrefix?: string;
    } = {},
  ): Promise<NatsKvCapabilityRegistry> {
    const ttlMs = options.ttlMs ?? 30_000;
    let reg: NatsKvCapabilityRegistry;
    try {
      // Watchers deliver to inboxes under the connection's prefix (what the node may subscribe to).
      const kvm = new Kvm(
        jetstream(nc, options.inboxPrefix === undefined ? {} : { watcherPrefix: options.inboxPrefix }),
      );
      const agents = await kvm.create(options.bucket ?? REGISTRY_BUCKET, { ttl: ttlMs, history: 1 });
      const revocations = await kvm.create(options.revocationBucket ?? REVOCATION_BUCKET, { history: 1 });
      reg = new NatsKvCapabilityRegistry(agents, revocations, options.clock ?? systemClock, ttlMs);
    } catch (cause) {
      throw new RegistryUnavailableError(
        `Cannot open the registry buckets in NATS KV: ${(cause as Error).message}. Start nats-server with -js.`,
        { cause },
      );
    }
    await reg.#watch();
    return reg;
  }

  async register(input: AgentDescriptorInput): Promise<AgentDescriptor> {
    const parsed = parseOrThrow(AgentDescriptorInputSchema, input, {
      what: 'agent descriptor',
      error: RegistryInputError,
    });
    const status = await this.lookup(parsed.did);
    if (status.state === 'revoked') throw new AgentRevokedError(parsed.did, status.revocation.reason);
    const now = this.#clock.now();
    const descriptor: AgentDescriptor = { ...parsed, registeredAt: now, heartbeatAt: now };
    await this.#agents.put(didSuffix(parsed.did), JSON.stringify(descriptor));
    this.#cache.set(parsed.did, { descriptor, storedAt: Date.now() });
    return descriptor;
  }

  async heartbeat(did: string, patch: Partial<Pick<AgentDescriptor, 'status' | 'reputation'>> = {}): Promise<void> {
    const status = await this.lookup(did);
    if (status.state !== 'active') throw new AgentNotRegisteredError(did);
    const descriptor = { ...status.descriptor, ...patch, heartbeatAt: this.#clock.now() };
    await this.#agents.put(didSuffix(did), JSON.stringify(descriptor));
    this.#cache.set(did, { descriptor, storedAt: Date.now() });
  }

  async deregister(did: string): Promise<void> {
    this.#cache.delete(did);
    await this.#agents.delete(didSuffix(did));
  }

  async revoke(did: string, reason: string, by: string): Promise<void> {
    const revocation = parseOrThrow(
      RevocationSchema,
      { did, reason, by, at: this.#clock.now() },
      { what: 'revocation', error: RegistryInputError },
    );
    await this.#revocations.put(didSuffix(did), JSON.stringify(revocation));
    this.#revoked.set(did, revocation);
    await this.deregister(did);
  }

  async lookup(did: string): Promise<SignerStatus> {
    const revocation = this.#revoked.get(did);
    if (revocation !== undefined) return { state: 'revoked', revocation };
    const cached = this.#live(did) ?? (await this.#fetch(did));
    return cached === undefined ? { state: 'unknown' } : { state: 'active', descriptor: cached.descriptor };
  }

  async discover(capability: string, requirements: Requirements = {}): Promise<AgentDescriptor[]> {
    const req = parseOrThrow(RequirementsSchema, requirements, {
      what: 'discovery requirements',
      error: RegistryInputError,
    });
    const live = [...this.#cache.keys()]
      .map((d) => this.#live(d)?.descriptor)
      .filter((d): d is AgentDescriptor => d !== undefined && !this.#revoked.has(d.did));
    return rankCandidates(live, capability, req);
  }

  async close(): Promise<void> {
    for (const stop of this.#stops.splice(0)) stop();
  }

  #live(did: string): Cached | undefined {
    const c = this.#cache.get(did);
    if (c === undefined) return undefined;
    // Max-age expiry is silent (watchers get no delete), so judge it here from the server's store time.
    if (Date.now() - c.storedAt > this.#ttlMs) {
      this.#cache.delete(did);
      return undefined;
    }
    return c;
  }

  async #fetch(did: string): Promise<Cached | undefined> {
    const now = Date.now();
    if ((this.#misses.get(did) ?? 0) > now) return undefined;
    if (!/^did:key:z[1-9A-HJ-NP-Za-km-z]{40,60}$/.test(did)) return undefined;
    const e = await this.#agents.get(didSuffix(did)).catch(() => null);
    if (e === null || e.operation !== 'PUT') {
      if (this.#misses.size > 10_000) this.#misses.clear();
      this.#misses.set(did, now + 1_000);
      return undefined;
    }
    const c = this.#decode(e.value, e.created.getTime());
    if (c !== undefined && c.descriptor.did === did && Date.now() - c.storedAt <= this.#ttlMs) {
      this.#cache.set(did, c);
      return c;
    }
    return undefined;
  }

  #decode(value: Uint8Array, storedAt: number): Cached | undefined {
    try {
      const r = AgentDescriptorSchema.safeParse(JSON.parse(Buffer.from(value).toString('utf8')));
      return r.success ? { descriptor: r.data, storedAt } : undefined;
    } catch {
      return undefined;
    }
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
        const did = `did:key:${e.key}`;
        if (e.operation === 'PUT') {
          const c = this.#decode(e.value, e.created.getTime());
          if (c !== undefined && c.descriptor.did === did) this.#cache.set(did, c);
        } else this.#cache.delete(did);
        if (e.delta === 0 || e.isUpdate) agentsReady();
      }
    })();
    void (async () => {
      for await (const e of revocations) {
        if (e.operation === 'PUT') {
          const r = RevocationSchema.safeParse(JSON.parse(e.string()));
          if (r.success) this.#revoked.set(r.data.did, r.data);
        }
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
