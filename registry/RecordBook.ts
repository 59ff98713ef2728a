import { ErrorCode, type Clock } from '../kernel/index.ts';
import {
  AgentDescriptorSchema,
  didSuffix,
  RecordType,
  RevocationSchema,
  verifyRecord,
  verifyRecordObject,
  type AgentDescriptor,
  type Revocation,
  type SignedRecord,
  type SignerStatus,
} from '../transport/index.ts';

/** A stored registry record that was ignored: unsigned, wrongly signed, malformed, or signed by a key without the right. */
export interface RecordProblem {
  code: typeof ErrorCode.MANDATE_ERR_REGISTRY_RECORD;
  message: string;
  bucket: 'agents' | 'revocations';
  key: string;
  /** The did that signed it (or claimed to), when readable. */
  signer?: string;
}

/** A stored record the book ignores: where it was, why, and who signed it (when readable). */
type IgnoredRecord = Pick<RecordProblem, 'bucket' | 'key' | 'signer'> & { reason: string };

/** How a {@link RecordBook} judges records. */
export interface RecordBookOptions {
  clock: Pick<Clock, 'now'>;
  /** A descriptor expires this long after its signed `heartbeatAt` (plus the clock skew). */
  ttlMs: number;
  /** Tolerated difference between the signer's and this reader's clocks. Default 30 s. */
  clockSkewMs?: number;
  /** Dids whose revocations are accepted for any agent (`MANDATE_REVOCATION_AUTHORITIES`). */
  authorities?: Iterable<string>;
  /** Every record ignored, with its code, for alerts. */
  onProblem?: (problem: RecordProblem) => void;
}

interface Entry {
  descriptor: AgentDescriptor;
  record: SignedRecord;
  /** When the backing store accepted it (server time for NATS KV), for bucket max-age expiry. */
  storedAt: number;
}

/**
 * The verified view of the registry buckets, shared by both registries: every descriptor (heartbeats are
 * re-signed descriptors) and revocation is checked before use — size, depth, JSON, shape, the Ed25519
 * signature, that a descriptor is signed by its own did and stored under its key, that a revocation is signed
 * by the agent, its node (with the agent's signed descriptor naming that node as evidence) or an authority.
 * Anything else is ignored and reported. An older heartbeat never replaces a newer one (a replayed record
 * cannot roll an agent back), and a descriptor expires by its signed `heartbeatAt`, so a stale record put
 * back into the bucket lives no longer than its signer allowed.
 */
export class RecordBook {
  readonly #options: RecordBookOptions;
  readonly #authorities: ReadonlySet<string>;
  readonly #agents = new Map<string, Entry>();
  readonly #revoked = new Map<string, Revocation>();
  /** Newest heartbeat seen per did, kept after deletes, so a replayed older record is refused. */
  readonly #newest = new Map<string, number>();

  constructor(options: RecordBookOptions) {
    this.#options = options;
    this.#authorities = new Set(options.authorities ?? []);
  }

  /** Reads one value of the agents bucket; returns the descriptor when it was valid and newest. */
  putDescriptor(key: string, bytes: Uint8Array, storedAt: number): AgentDescriptor | undefined {
    const v = verifyRecord(bytes, RecordType.descriptor);
    if (!v.ok) return this.#problem({ bucket: 'agents', key, reason: v.reason, signer: v.signer });
    const record = v.record;
    const parsed = AgentDescriptorSchema.safeParse(record.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return this.#problem({
        bucket: 'agents',
        key,
        reason: `descriptor field "${issue?.path.join('.')}" ${issue?.message}`,
        signer: record.from,
      });
    }
    const d = parsed.data;
    if (d.did !== record.from)
      return this.#problem({
        bucket: 'agents',
        key,
        reason: `a descriptor of ${d.did} signed by ${record.from}`,
        signer: record.from,
      });
    if (didSuffix(d.did) !== key)
      return this.#problem({
        bucket: 'agents',
        key,
        reason: `the descriptor of ${d.did} under another key`,
        signer: record.from,
      });
    if (this.#revoked.has(d.did)) return undefined;
    const newest = this.#newest.get(d.did) ?? -1;
    if (d.heartbeatAt < newest) return undefined; // an older, replayed record: not a problem of the agent's
    if (d.heartbeatAt === newest && this.#agents.has(d.did)) return this.#agents.get(d.did)!.descriptor;
    if (this.#newest.size > 200_000) this.#newest.clear();
    this.#newest.set(d.did, d.heartbeatAt);
    this.#agents.set(d.did, { descriptor: d, record, storedAt });
    return d;
  }

  /** A delete (or purge) of an agents key. */
  deleteDescriptor(key: string): void {
    this.#agents.delete(`did:key:${key}`);
  }

  /** Reads one value of the revocations bucket; returns the revocation when it was valid. */
  putRevocation(key: string, bytes: Uint8Array): Revocation | undefined {
    const v = verifyRecord(bytes, RecordType.revocation);
    if (!v.ok) return this.#problem({ bucket: 'revocations', key, reason: v.reason, signer: v.signer });
    const record = v.record;
    const parsed = RevocationSchema.safeParse(record.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return this.#problem({
        bucket: 'revocations',
        key,
        reason: `revocation field "${issue?.path.join('.')}" ${issue?.message}`,
        signer: record.from,
      });
    }
    const r = parsed.data;
    if (didSuffix(r.did) !== key)
      return this.#problem({
        bucket: 'revocations',
        key,
        reason: `the revocation of ${r.did} under another key`,
        signer: record.from,
      });
    const why = this.#authority(record.from, r);
    if (why !== undefined) return this.#problem({ bucket: 'revocations', key, reason: why, signer: record.from });
    this.#revoked.set(r.did, r);
    this.#agents.delete(r.did);
    return r;
  }

  /** Who may revoke: the agent itself, an authority, or the node its signed descriptor names. Undefined when allowed. */
  #authority(signer: string, r: Revocation): string | undefined {
    if (signer === r.did || this.#authorities.has(signer)) return undefined;
    if (r.descriptor === undefined)
      return `revocation of ${r.did} signed by ${signer}, which is neither the agent nor an authority, without the agent's descriptor as evidence`;
    const evidence = verifyRecordObject(r.descriptor, RecordType.descriptor);
    if (!evidence.ok) return `revocation evidence is not a valid descriptor record: ${evidence.reason}`;
    const d = AgentDescriptorSchema.safeParse(evidence.record.body);
    if (!d.success || evidence.record.from !== r.did || d.data.did !== r.did)
      return `revocation evidence is not ${r.did}'s own descriptor`;
    if (d.data.nodeDid !== signer)
      return `revocation of ${r.did} signed by ${signer}, but its descriptor names node ${d.data.nodeDid}`;
    return undefined;
  }

  /** The signer's status for admission. */
  lookup(did: string, maxAgeMs?: number): SignerStatus {
    const revocation = this.#revoked.get(did);
    if (revocation !== undefined) return { state: 'revoked', revocation };
    const e = this.live(did, maxAgeMs);
    return e === undefined ? { state: 'unknown' } : { state: 'active', descriptor: e.descriptor };
  }

  /** The entry of a live (unexpired, unrevoked) agent. `maxAgeMs`: also expire by the store's own timestamp. */
  live(did: string, maxAgeMs?: number): Entry | undefined {
    const e = this.#agents.get(did);
    if (e === undefined) return undefined;
    const now = this.#options.clock.now();
    const expired =
      now - e.descriptor.heartbeatAt > this.#options.ttlMs + (this.#options.clockSkewMs ?? 30_000) ||
      (maxAgeMs !== undefined && Date.now() - e.storedAt > maxAgeMs);
    if (expired) {
      this.#agents.delete(did);
      return undefined;
    }
    return e;
  }

  /** Every live descriptor. */
  descriptors(maxAgeMs?: number): AgentDescriptor[] {
    const out: AgentDescriptor[] = [];
    for (const did of [...this.#agents.keys()]) {
      const e = this.live(did, maxAgeMs);
      if (e !== undefined) out.push(e.descriptor);
    }
    return out;
  }

  /** The newest signed descriptor record of `did` (the evidence a node's revocation carries). */
  record(did: string): SignedRecord | undefined {
    return this.#agents.get(did)?.record;
  }

  /** Has `did` been revoked (by a valid record)? */
  revoked(did: string): Revocation | undefined {
    return this.#revoked.get(did);
  }

  #problem({ bucket, key, reason, signer }: IgnoredRecord): undefined {
    this.#options.onProblem?.({
      code: ErrorCode.MANDATE_ERR_REGISTRY_RECORD,
      message: `Ignored the ${bucket === 'agents' ? 'descriptor' : 'revocation'} stored under "${key.slice(0, 80)}": ${reason}. Only records signed as docs/protocol.md §9 says are used; check who writes to the registry (NATS permissions).`,
      bucket,
      key: key.slice(0, 80),
      ...(signer === undefined ? {} : { signer }),
    });
    return undefined;
  }
}
