import { GENESIS_HASH, auditColumns, auditEntryHash, type AuditEntry } from './auditEntry.ts';
import { checkpointSignatureValid, type AuditCheckpoint } from './AuditCheckpoint.ts';
import { rowToAuditEntry, type AuditEntryRow } from './auditRows.ts';
import type { SqlExecutor } from './SqlExecutor.ts';

/** Why the chain is broken at a place. */
export type AuditBreakReason =
  | 'missing'
  | 'hash-mismatch'
  | 'prev-hash-mismatch'
  | 'column-mismatch'
  | 'unparseable'
  | 'truncated'
  | 'checkpoint-mismatch'
  | 'checkpoint-signature'
  | 'checkpoint-untrusted'
  | 'checkpoint-missing';

/** One place where the chain does not verify. */
export interface AuditBreak {
  /** The entry sequence number where the break is (for truncation: the first missing seq). */
  seq: number;
  reason: AuditBreakReason;
  message: string;
}

/** Result of {@link verifyAuditChain}. */
export interface AuditVerifyResult {
  ok: boolean;
  /** Entries read. */
  entries: number;
  head: { seq: number; hash: string } | null;
  checkpoints: number;
  latestCheckpoint: AuditCheckpoint | null;
  /** Every break found, in seq order (capped by `maxBreaks`). */
  breaks: AuditBreak[];
}

/** Options of {@link verifyAuditChain}. */
export interface VerifyAuditOptions {
  /** dids whose checkpoint signatures are accepted; when omitted any valid signature is accepted. */
  trustedSigners?: readonly string[];
  pageSize?: number;
  maxBreaks?: number;
  /**
   * A checkpoint kept outside the database (the witness file): it catches a truncation that also
   * deleted the checkpoints inside the database.
   */
  witness?: AuditCheckpoint;
}

/**
 * Re-reads the whole audit log and checks it: consecutive seqs from 1, each entry's hash equals the
 * sha-256 of its canonical form, each `prevHash` equals the previous entry's hash, filter columns
 * match the data, and every signed checkpoint matches the entry at its seq — a checkpoint past the
 * last entry means the log was truncated. Edits, deletions, reorders and truncations are all
 * reported with the seq where the chain breaks.
 */
export async function verifyAuditChain(db: SqlExecutor, options: VerifyAuditOptions = {}): Promise<AuditVerifyResult> {
  const pageSize = options.pageSize ?? 2000;
  const maxBreaks = options.maxBreaks ?? 100;
  const breaks: AuditBreak[] = [];
  const report = (b: AuditBreak): void => {
    if (breaks.length < maxBreaks) breaks.push(b);
  };

  const checkpoints = (
    (await db.execute('select seq, hash, at, signer, signature from mandate_audit_checkpoint order by seq')) as Record<
      string,
      unknown
    >[]
  ).map((r): AuditCheckpoint => ({
    seq: Number(r.seq),
    hash: String(r.hash),
    at: Number(r.at),
    signer: String(r.signer),
    signature: String(r.signature),
  }));
  const checkpointAt = new Map(checkpoints.map((c) => [c.seq, c]));
  const trusted = options.trustedSigners === undefined ? undefined : new Set(options.trustedSigners);

  let expected = 1;
  let prevHash = GENESIS_HASH;
  let entries = 0;
  let head: { seq: number; hash: string } | null = null;
  for (;;) {
    const rows = (await db.execute(`select * from mandate_audit_entry where seq >= ? order by seq limit ${pageSize}`, [
      expected,
    ])) as AuditEntryRow[];
    for (const row of rows) {
      entries++;
      const seq = Number(row.seq);
      const gap = seq !== expected;
      if (gap)
        report({
          seq: expected,
          reason: 'missing',
          message: `entries ${expected}..${seq - 1} are missing (deleted), the chain resumes at ${seq}`,
        });
      let entry: AuditEntry;
      try {
        entry = rowToAuditEntry(row);
      } catch (error) {
        report({ seq, reason: 'unparseable', message: `entry ${seq} does not parse: ${(error as Error).message}` });
        prevHash = String(row.hash);
        expected = seq + 1;
        continue;
      }
      const recomputed = auditEntryHash(entry);
      const columns = auditColumns(entry);
      if (recomputed !== entry.hash) {
        report({
          seq,
          reason: 'hash-mismatch',
          message: `entry ${seq} was altered: its content hashes to ${recomputed.slice(0, 16)}…, the chain recorded ${entry.hash.slice(0, 16)}…`,
        });
      } else if (!gap && entry.prevHash !== prevHash) {
        report({
          seq,
          reason: 'prev-hash-mismatch',
          message: `entry ${seq} does not follow entry ${seq - 1}: entries were reordered, or entry ${seq - 1} was replaced and re-hashed`,
        });
      } else if (
        columns.agentId !== entry.agentId ||
        columns.currency !== entry.currency ||
        columns.counterparty !== entry.counterparty ||
        columns.status !== entry.status
      ) {
        report({
          seq,
          reason: 'column-mismatch',
          message: `entry ${seq} has filter columns that do not match its data (agent/currency/counterparty/status were edited)`,
        });
      }
      const cp = checkpointAt.get(seq);
      if (cp !== undefined && cp.hash !== entry.hash) {
        report({
          seq,
          reason: 'checkpoint-mismatch',
          message: `entry ${seq} has hash ${entry.hash.slice(0, 16)}…, but the checkpoint signed at ${new Date(cp.at).toISOString()} says ${cp.hash.slice(0, 16)}…`,
        });
      }
      prevHash = entry.hash;
      expected = seq + 1;
      head = { seq, hash: entry.hash };
    }
    if (rows.length < pageSize) break;
  }

  for (const cp of checkpoints) {
    if (!checkpointSignatureValid(cp)) {
      report({
        seq: cp.seq,
        reason: 'checkpoint-signature',
        message: `the checkpoint at seq ${cp.seq} has an invalid signature (checkpoint forged or edited)`,
      });
    } else if (trusted !== undefined && !trusted.has(cp.signer)) {
      report({
        seq: cp.seq,
        reason: 'checkpoint-untrusted',
        message: `the checkpoint at seq ${cp.seq} is signed by ${cp.signer}, which is not a trusted signer`,
      });
    }
  }
  const headSeq = head?.seq ?? 0;
  const witness = options.witness;
  if (witness !== undefined) {
    const stored = checkpointAt.get(witness.seq);
    if (!checkpointSignatureValid(witness) || (trusted !== undefined && !trusted.has(witness.signer))) {
      report({
        seq: witness.seq,
        reason: 'checkpoint-signature',
        message: `the witness checkpoint at seq ${witness.seq} is not validly signed by a trusted signer`,
      });
    } else if (witness.seq > headSeq) {
      report({
        seq: headSeq + 1,
        reason: 'truncated',
        message: `the log ends at seq ${headSeq}, but the witness checkpoint kept outside the database covers entries up to ${witness.seq}: entries ${headSeq + 1}..${witness.seq} (and their checkpoints) were removed`,
      });
    } else if (stored === undefined || stored.signature !== witness.signature) {
      report({
        seq: witness.seq,
        reason: 'checkpoint-missing',
        message: `the checkpoint at seq ${witness.seq} recorded in the witness file is missing from the database (checkpoints were deleted or replaced)`,
      });
    }
  }
  const latest = checkpoints.at(-1) ?? null;
  if (latest !== null && latest.seq > headSeq) {
    report({
      seq: headSeq + 1,
      reason: 'truncated',
      message: `the log ends at seq ${headSeq}, but a checkpoint signed at ${new Date(latest.at).toISOString()} covers entries up to ${latest.seq}: entries ${headSeq + 1}..${latest.seq} were removed`,
    });
  }
  breaks.sort((a, b) => a.seq - b.seq);
  return { ok: breaks.length === 0, entries, head, checkpoints: checkpoints.length, latestCheckpoint: latest, breaks };
}
