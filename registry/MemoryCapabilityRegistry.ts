import { parseOrThrow, systemClock, type Clock } from '../kernel/index.ts';
import {
  didSuffix,
  encodeRecord,
  RequirementsSchema,
  type AgentDescriptor,
  type CapabilityRegistry,
  type DescriptorInput,
  type RecordSigner,
  type Requirements,
  type RevocationRequest,
  type SignerStatus,
} from '../transport/index.ts';
import { heartbeatRecord, newDescriptorRecord, revocationRecord } from './descriptorRecords.ts';
import { AgentNotRegisteredError, AgentRevokedError, RegistryInputError } from './errors.ts';
import { rankCandidates } from './rankCandidates.ts';
import { RecordBook, type RecordProblem } from './RecordBook.ts';

/** Options of both registries. */
export interface RegistryOptions {
  clock?: Pick<Clock, 'now'>;
  /** Heartbeat expiry; default 30 s. */
  ttlMs?: number;
  /** Dids whose revocations are accepted for any agent (`MANDATE_REVOCATION_AUTHORITIES`). */
  revocationAuthorities?: Iterable<string>;
  /** Records ignored because they are unsigned, wrongly signed or malformed (the runtime alerts them). */
  onRecordProblem?: (problem: RecordProblem) => void;
}

/**
 * In-process {@link CapabilityRegistry}: the embedded default. It keeps the same signed records a NATS KV
 * bucket would (bytes by key) and reads them through the same verifying {@link RecordBook}, so what any writer
 * puts in ({@link MemoryCapabilityRegistry.putRaw}) is checked exactly as on NATS. Descriptors expire `ttlMs`
 * after their signed heartbeat (judged by the injected clock); revocations last as long as the instance.
 */
export class MemoryCapabilityRegistry implements CapabilityRegistry {
  readonly #book: RecordBook;
  readonly #clock: Pick<Clock, 'now'>;

  constructor(options: RegistryOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#book = new RecordBook({
      clock: this.#clock,
      ttlMs: options.ttlMs ?? 30_000,
      // One clock for writer and reader here: no skew to allow for.
      clockSkewMs: 0,
      ...(options.revocationAuthorities === undefined ? {} : { authorities: options.revocationAuthorities }),
      ...(options.onRecordProblem === undefined ? {} : { onProblem: options.onRecordProblem }),
    });
  }

  /** Stores raw bytes under a key of the agents or revocations "bucket", as any client of a shared store could; they are verified like every record. */
  putRaw(bucket: 'agents' | 'revocations', key: string, bytes: Uint8Array): void {
    if (bucket === 'agents') this.#book.putDescriptor(key, bytes, Date.now());
    else this.#book.putRevocation(key, bytes);
  }

  async register(signer: RecordSigner, input: DescriptorInput): Promise<AgentDescriptor> {
    const revoked = this.#book.revoked(signer.did);
    if (revoked !== undefined) throw new AgentRevokedError(signer.did, revoked.reason);
    const now = this.#clock.now();
    const last = this.#book.live(signer.did)?.descriptor.heartbeatAt ?? -1;
    const { descriptor, record } = newDescriptorRecord(signer, input, {
      registeredAt: now,
      heartbeatAt: Math.max(now, last + 1),
    });
    this.putRaw('agents', didSuffix(signer.did), encodeRecord(record));
    return descriptor;
  }

  async heartbeat(
    signer: RecordSigner,
    patch: Partial<Pick<AgentDescriptor, 'status' | 'reputation'>> = {},
  ): Promise<void> {
    const current = this.#book.live(signer.did);
    if (current === undefined) throw new AgentNotRegisteredError(signer.did);
    const { record } = heartbeatRecord(signer, current.descriptor, { ...patch, at: this.#clock.now() });
    this.putRaw('agents', didSuffix(signer.did), encodeRecord(record));
  }

  async deregister(did: string): Promise<void> {
    this.#book.deleteDescriptor(didSuffix(did));
  }

  async revoke(signer: RecordSigner, { did, reason, by = signer.did }: RevocationRequest): Promise<void> {
    const record = revocationRecord(signer, { did, reason, by, at: this.#clock.now() }, this.#book.record(did));
    this.putRaw('revocations', didSuffix(did), encodeRecord(record));
    if (this.#book.revoked(did) === undefined)
      throw new RegistryInputError(
        `${signer.did} may not revoke ${did}: only the agent, the node its descriptor names, or a configured authority (MANDATE_REVOCATION_AUTHORITIES) may.`,
        { details: { did, signer: signer.did } },
      );
  }

  async lookup(did: string): Promise<SignerStatus> {
    return this.#book.lookup(did);
  }

  async discover(capability: string, requirements: Requirements = {}): Promise<AgentDescriptor[]> {
    const req = parseOrThrow(RequirementsSchema, requirements, {
      what: 'discovery requirements',
      error: RegistryInputError,
    });
    return rankCandidates(this.#book.descriptors(), capability, req);
  }

  async close(): Promise<void> {}
}
