/**
 * Stored history written by the three canonical-JSON encoders that existed before kernel/canonicalJson.ts
 * (fixture: test/fixtures/canonical-history.json) must still verify with the one encoder left.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { intentFingerprint, type PaymentIntent } from '../actors/rails/index.ts';
import { canonicalJson } from '../kernel/index.ts';
import {
  GENESIS_HASH,
  auditColumns,
  auditEntryHash,
  checkpointPayload,
  checkpointSignatureValid,
  type AuditCheckpoint,
} from '../runtime/audit/index.ts';
import { rowToAuditEntry, type AuditEntryRow } from '../runtime/audit/auditRows.ts';
import { paramsHash } from '../runtime/index.ts';
import { openTestStore } from './support/db.ts';

interface StoredEntry extends Omit<AuditEntryRow, 'data'> {
  /** The jsonb column as PostgreSQL printed it. */
  data_text: string;
  /** The exact text the old encoder hashed for this entry. */
  hashed: string;
}
interface StoredCheckpoint {
  seq: string;
  hash: string;
  at: string;
  signer: string;
  signature: string;
  /** The exact text the old encoder signed. */
  signed: string;
}
interface History {
  audit: { entries: StoredEntry[]; checkpoints: StoredCheckpoint[] };
  railFingerprints: { intent: PaymentIntent; fingerprint: string }[];
  intentParamsHashes: { params: unknown; hash: string }[];
}

const history = JSON.parse(
  readFileSync(new URL('./fixtures/canonical-history.json', import.meta.url), 'utf8'),
) as History;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const entryOf = (row: StoredEntry) => rowToAuditEntry({ ...row, data: JSON.parse(row.data_text) });
const checkpointOf = (c: StoredCheckpoint): AuditCheckpoint => ({
  seq: Number(c.seq),
  hash: c.hash,
  at: Number(c.at),
  signer: c.signer,
  signature: c.signature,
});

describe('canonical history', () => {
  it('canonical history - the fixture covers the inputs where encoders usually disagree', () => {
    const texts = history.audit.entries.map((e) => e.hashed).join('\n');
    for (const needle of [
      '1e+21',
      '5e-324',
      '1.7976931348623157e+308',
      '0.30000000000000004',
      '😀',
      '\\u0007',
      '\\u001f',
      '"":10',
      '[]',
      '{}',
    ])
      expect(texts).toContain(needle);
    expect(history.audit.entries.length).toBeGreaterThanOrEqual(8);
    expect(history.audit.checkpoints.length).toBeGreaterThanOrEqual(5);
  });

  it('canonical history - every audit entry re-hashes byte for byte and the chain links from genesis', () => {
    let prev = GENESIS_HASH;
    for (const row of history.audit.entries) {
      const entry = entryOf(row);
      const { seq, at, who, action, subject, where, why, data, prevHash } = entry;
      expect(
        canonicalJson({
          v: 1,
          seq,
          at,
          who: { kind: who.kind, id: who.id },
          action,
          subject,
          where,
          why,
          data,
          prevHash,
        }),
        `seq ${seq}`,
      ).toBe(row.hashed);
      expect(sha256(row.hashed)).toBe(row.hash);
      expect(auditEntryHash(entry)).toBe(row.hash);
      expect(entry.prevHash).toBe(prev);
      expect(auditColumns(entry)).toEqual({
        agentId: entry.agentId,
        currency: entry.currency,
        counterparty: entry.counterparty,
        status: entry.status,
      });
      prev = row.hash;
    }
  });

  it('canonical history - every signed checkpoint has the same payload bytes and a valid signature', () => {
    const hashes = new Map(history.audit.entries.map((e) => [Number(e.seq), e.hash]));
    for (const stored of history.audit.checkpoints) {
      const c = checkpointOf(stored);
      expect(new TextDecoder().decode(checkpointPayload(c))).toBe(stored.signed);
      expect(checkpointSignatureValid(c)).toBe(true);
      expect(hashes.get(c.seq)).toBe(c.hash);
    }
  });

  it('canonical history - the stored chain verifies in a real database with the store of today', async () => {
    await using t = await openTestStore('postgresql');
    const su = await t.superuser();
    for (const [i, row] of history.audit.entries.entries()) {
      await su.query(
        `insert into mandate_audit_entry (seq, at, who_kind, who_id, action, subject, location, why, agent_id, currency, counterparty, status, data, prev_hash, hash, entry_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15, $16)`,
        [
          row.seq,
          row.at,
          row.who_kind,
          row.who_id,
          row.action,
          row.subject,
          row.location,
          row.why,
          row.agent_id,
          row.currency,
          row.counterparty,
          row.status,
          row.data_text,
          row.prev_hash,
          row.hash,
          `history-${i}`,
        ],
      );
    }
    for (const c of history.audit.checkpoints) {
      await su.query(
        'insert into mandate_audit_checkpoint (seq, hash, at, signer, signature) values ($1, $2, $3, $4, $5)',
        [c.seq, c.hash, c.at, c.signer, c.signature],
      );
    }
    const signer = history.audit.checkpoints[0]!.signer;
    const result = await t.store.audit.verify({ trustedSigners: [signer] });
    expect(result).toMatchObject({
      ok: true,
      entries: history.audit.entries.length,
      checkpoints: history.audit.checkpoints.length,
      breaks: [],
    });
  });

  it('canonical history - rail intent fingerprints and runtime intent params hashes are unchanged', () => {
    for (const { intent, fingerprint } of history.railFingerprints)
      expect(intentFingerprint(intent), intent.idempotencyKey).toBe(fingerprint);
    for (const { params, hash } of history.intentParamsHashes) expect(paramsHash(params)).toBe(hash);
  });
});
