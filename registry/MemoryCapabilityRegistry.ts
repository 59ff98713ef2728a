import { parseOrThrow, systemClock, type Clock } from '../kernel/index.ts';
import {
  AgentDescriptorInputSchema,
  RequirementsSchema,
  type AgentDescriptor,
  type AgentDescriptorInput,
  type CapabilityRegistry,
  type Requirements,
  type Revocation,
  type SignerStatus,
} from '../transport/index.ts';
import { AgentNotRegisteredError, AgentRevokedError, RegistryInputError } from './errors.ts';
import { rankCandidates } from './rankCandidates.ts';

/**
 * In-process {@link CapabilityRegistry}: the embedded default. Descriptors expire `ttlMs` after their last
 * heartbeat (judged by the injected clock); revocations are kept for the life of the instance.
 */
export class MemoryCapabilityRegistry implements CapabilityRegistry {
  readonly #agents = new Map<string, AgentDescriptor>();
  readonly #revoked = new Map<string, Revocation>();
  readonly #clock: Pick<Clock, 'now'>;
  readonly #ttlMs: number;

  constructor(options: { clock?: Pick<Clock, 'now'>; ttlMs?: number } = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#ttlMs = options.ttlMs ?? 30_000;
  }

  async register(input: AgentDescriptorInput): Promise<AgentDescriptor> {
    const parsed = parseOrThrow(AgentDescriptorInputSchema, input, {
      what: 'agent descriptor',
      error: RegistryInputError,
    });
    const revoked = this.#revoked.get(parsed.did);
    if (revoked !== undefined) throw new AgentRevokedError(parsed.did, revoked.reason);
    const now = this.#clock.now();
    const descriptor: AgentDescriptor = { ...parsed, registeredAt: now, heartbeatAt: now };
    this.#agents.set(parsed.did, descriptor);
    return descriptor;
  }

  async heartbeat(did: string, patch: Partial<Pick<AgentDescriptor, 'status' | 'reputation'>> = {}): Promise<void> {
    const current = this.#live(did);
    if (current === undefined) throw new AgentNotRegisteredError(did);
    this.#agents.set(did, { ...current, ...patch, heartbeatAt: this.#clock.now() });
  }

  async deregister(did: string): Promise<void> {
    this.#agents.delete(did);
  }

  async revoke(did: string, reason: string, by: string): Promise<void> {
    this.#revoked.set(did, { did, reason, by, at: this.#clock.now() });
    this.#agents.delete(did);
  }

  async lookup(did: string): Promise<SignerStatus> {
    const revocation = this.#revoked.get(did);
    if (revocation !== undefined) return { state: 'revoked', revocation };
    const descriptor = this.#live(did);
    return descriptor === undefined ? { state: 'unknown' } : { state: 'active', descriptor };
  }

  async discover(capability: string, requirements: Requirements = {}): Promise<AgentDescriptor[]> {
    const req = parseOrThrow(RequirementsSchema, requirements, {
      what: 'discovery requirements',
      error: RegistryInputError,
    });
    const live = [...this.#agents.keys()]
      .map((d) => this.#live(d))
      .filter((d): d is AgentDescriptor => d !== undefined);
    return rankCandidates(live, capability, req);
  }

  async close(): Promise<void> {}

  #live(did: string): AgentDescriptor | undefined {
    const d = this.#agents.get(did);
    if (d === undefined) return undefined;
    if (this.#clock.now() - d.heartbeatAt > this.#ttlMs) {
      this.#agents.delete(did);
      return undefined;
    }
    return d;
  }
}
