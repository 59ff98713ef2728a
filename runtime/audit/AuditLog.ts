import { AgentIdentity } from '../../transport/index.ts';
import type { AuditInput } from './AuditInput.ts';
import { GENESIS_HASH, auditEntryHash, chainEntries, type AuditEntry } from './auditEntry.ts';
import { rowToAuditEntry, type AuditEntryRow } from './auditRows.ts';
import { checkpointPayload, type AuditCheckpoint } from './AuditCheckpoint.ts';
import { valuesPlaceholders, type SqlExecutor } from './SqlExecutor.ts';

/** Advisory lock key that serialises appends to the chain across every process sharing the database. */
const CHAIN_LOCK = 0x4d414e44; // "MAND"

/** Options of {@link AuditLog}. */
export interface AuditLogOptions {
  /** Signs checkpoints of the chain head. */
  signer: AgentIdentity;
  /** Write a signed checkpoint once at least this many entries follow the last one (1 = after every commit). */
  checkpointEvery: number;
}

/** Options of {@link AuditLog.append}. */
export interface AuditAppendOptions {
  now: number;
  /** Rows of {@link AuditLog.LOCK_AND_HEAD_SQL} when it already ran with BEGIN. */
  lockedHead?: unknown[];
  /**
   * An earlier transaction failed in a way that leaves its commit in doubt (the connection was lost
   * around COMMIT): skip the writes that did make it in before appending.
   */
  inDoubt: boolean;
}

/** What one {@link AuditLog.append} did inside its transaction; the caller acts on it once that transaction has committed. */
export interface AuditAppendResult {
  /** The entries written, in chain order. */
  entries: AuditEntry[];
  /** The checkpoint signed together with the entries, when one was due: publish it (witness file) after commit. */
  signed: AuditCheckpoint | undefined;
  /** The append checked which writes an in-doubt commit had stored: once this transaction commits, the doubt is resolved. */
  resolvedDoubt: boolean;
}

/** What one {@link AuditLog.checkpoint} found: signed, nothing new to sign, or a segment that does not verify (nothing signed). */
export type AuditCheckpointResult =
  { status: 'signed'; checkpoint: AuditCheckpoint } | { status: 'up-to-date' } | { status: 'broken'; seq: number };

/**
 * Appends to the hash-chained audit log inside a caller's transaction and signs checkpoints of
 * the head. The head is read under a transaction-scoped advisory lock, so several runtime nodes
 * on one PostgreSQL extend one chain instead of forking it. Each call returns what it did in its
 * transaction; the caller (the store) decides from that once the transaction has committed.
 */
export class AuditLog {
  readonly #signer: AgentIdentity;
  readonly #checkpointEvery: number;
  #lastCheckpointSeq = -1;

  constructor(options: AuditLogOptions) {
    this.#signer = options.signer;
    this.#checkpointEvery = options.checkpointEvery;
  }

  /** Takes the chain lock and reads the head (parameterless, so it can ride along with BEGIN; see `append`'s `lockedHead`). */
  static readonly LOCK_AND_HEAD_SQL = `select pg_advisory_xact_lock(${CHAIN_LOCK}); select seq, hash from mandate_audit_entry order by seq desc limit 1`;

  /** The did that signs this node's checkpoints. */
  get signerDid(): string {
    return this.#signer.did;
  }

  /**
   * Appends validated inputs in order, each under the store-assigned id of its write. Must run
   * inside a transaction.
   */
  async append(
    tx: SqlExecutor,
    writes: { entryId: string; input: AuditInput }[],
    options: AuditAppendOptions,
  ): Promise<AuditAppendResult> {
    if (writes.length === 0) return { entries: [], signed: undefined, resolvedDoubt: false };
    let head: { seq: number; hash: string };
    if (!options.inDoubt) {
      // One round trip, two statements: each gets its own snapshot, so the head is read after the lock is held.
      head = headFromRows(
        (options.lockedHead ?? (await tx.execute(AuditLog.LOCK_AND_HEAD_SQL))) as { seq: string; hash: string }[],
      );
    } else {
      await tx.execute('select pg_advisory_xact_lock(?)', [CHAIN_LOCK]);
      const present = (await tx.execute(
        `select entry_id from mandate_audit_entry where entry_id in (${writes.map(() => '?').join(', ')})`,
        writes.map((w) => w.entryId),
      )) as { entry_id: string }[];
      const done = new Set(present.map((r) => r.entry_id));
      writes = writes.filter((w) => !done.has(w.entryId));
      if (writes.length === 0) return { entries: [], signed: undefined, resolvedDoubt: true };
      head = await readHead(tx);
    }
    const entries = chainEntries(
      head,
      writes.map((w) => w.input),
    );
    const params: unknown[] = [];
    entries.forEach((e, i) => {
      params.push(
        e.seq,
        e.at,
        e.who.kind,
        e.who.id,
        e.action,
        e.subject,
        e.where,
        e.why,
        e.agentId,
        e.currency,
        e.counterparty,
        e.status,
        JSON.stringify(e.data),
        e.prevHash,
        e.hash,
        writes[i]!.entryId,
      );
    });
    const insert = `insert into mandate_audit_entry (seq, at, who_kind, who_id, action, subject, location, why, agent_id, currency, counterparty, status, data, prev_hash, hash, entry_id) values ${valuesPlaceholders(entries.length, 16, { 12: 'jsonb' })}`;
    const last = entries[entries.length - 1]!;
    if (this.#lastCheckpointSeq < 0) this.#lastCheckpointSeq = await readLastCheckpointSeq(tx);
    let signed: AuditCheckpoint | undefined;
    if (last.seq - this.#lastCheckpointSeq >= this.#checkpointEvery) {
      // The entries and the checkpoint of their head in one statement (a data-modifying CTE runs to completion).
      signed = this.#sign(last, options.now);
      await tx.execute(`with appended as (${insert} returning seq) ${CHECKPOINT_SQL}`, [
        ...params,
        signed.seq,
        signed.hash,
        signed.at,
        signed.signer,
        signed.signature,
      ]);
      this.#lastCheckpointSeq = signed.seq;
    } else {
      await tx.execute(insert, params);
    }
    return { entries, signed, resolvedDoubt: options.inDoubt };
  }

  /**
   * Signs the current head now — only after re-checking every entry since the last checkpoint
   * (hashes and links), so a checkpoint never blesses rows altered behind the store's back.
   */
  async checkpoint(tx: SqlExecutor, now: number): Promise<AuditCheckpointResult> {
    await tx.execute('select pg_advisory_xact_lock(?)', [CHAIN_LOCK]);
    const last = (await tx.execute('select seq, hash from mandate_audit_checkpoint order by seq desc limit 1')) as {
      seq: string | number;
      hash: string;
    }[];
    let expected =
      last[0] === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: Number(last[0].seq), hash: last[0].hash };
    const rows = (await tx.execute('select * from mandate_audit_entry where seq >= ? order by seq', [
      Math.max(expected.seq, 1),
    ])) as AuditEntryRow[];
    let head: { seq: number; hash: string } | undefined;
    for (const row of rows) {
      const entry = rowToAuditEntry(row);
      if (entry.seq === expected.seq) {
        if (entry.hash !== expected.hash) return { status: 'broken', seq: entry.seq };
        continue;
      }
      if (entry.seq !== expected.seq + 1 || entry.prevHash !== expected.hash || auditEntryHash(entry) !== entry.hash)
        return { status: 'broken', seq: entry.seq };
      expected = { seq: entry.seq, hash: entry.hash };
      head = expected;
    }
    if (head === undefined) return { status: 'up-to-date' };
    const cp = this.#sign(head, now);
    await tx.execute(CHECKPOINT_SQL, [cp.seq, cp.hash, cp.at, cp.signer, cp.signature]);
    this.#lastCheckpointSeq = cp.seq;
    return { status: 'signed', checkpoint: cp };
  }

  #sign(head: { seq: number; hash: string }, now: number): AuditCheckpoint {
    const unsigned = { seq: head.seq, hash: head.hash, at: now, signer: this.#signer.did };
    return {
      ...unsigned,
      signature: Buffer.from(this.#signer.sign(checkpointPayload(unsigned))).toString('base64url'),
    };
  }
}

const HEAD_SQL = 'select seq, hash from mandate_audit_entry order by seq desc limit 1';
const CHECKPOINT_SQL =
  'insert into mandate_audit_checkpoint (seq, hash, at, signer, signature) values (?, ?, ?, ?, ?) on conflict (seq) do nothing';

function headFromRows(rows: { seq: string | number; hash: string }[]): { seq: number; hash: string } {
  const row = rows[0];
  return row === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: Number(row.seq), hash: row.hash };
}

async function readHead(tx: SqlExecutor): Promise<{ seq: number; hash: string }> {
  return headFromRows((await tx.execute(HEAD_SQL)) as { seq: string; hash: string }[]);
}

async function readLastCheckpointSeq(tx: SqlExecutor): Promise<number> {
  const rows = (await tx.execute('select coalesce(max(seq), 0) as seq from mandate_audit_checkpoint')) as {
    seq: string | number;
  }[];
  return Number(rows[0]?.seq ?? 0);
}
