import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresStore } from '../../runtime/persistence/index.ts';
import { STORE_DRIVERS, openTestStore, type TestStore } from '../support/db.ts';

const N = 24;
const T0 = 1_790_000_000_000;

/** A tampering done with a superuser connection, and where verify must locate the break. */
type Tamper =
  | {
      kind: 'edit';
      seq: number;
      column: 'why' | 'data' | 'at' | 'action' | 'who_id' | 'counterparty' | 'status' | 'hash' | 'prev_hash';
    }
  | { kind: 'edit-rehash'; seq: number }
  | { kind: 'delete'; from: number; count: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'truncate'; keep: number };

const seqArb = fc.integer({ min: 1, max: N });
const tamperArb: fc.Arbitrary<Tamper> = fc.oneof(
  fc.record({
    kind: fc.constant('edit' as const),
    seq: seqArb,
    column: fc.constantFrom('why', 'data', 'at', 'action', 'who_id', 'counterparty', 'status', 'hash', 'prev_hash'),
  }),
  fc.record({ kind: fc.constant('edit-rehash' as const), seq: seqArb }),
  fc.record({ kind: fc.constant('delete' as const), from: seqArb, count: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('swap' as const), a: seqArb, b: seqArb }).filter((t) => t.a !== t.b),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.integer({ min: 0, max: N - 1 }) }),
);

const EDITS: Record<Extract<Tamper, { kind: 'edit' }>['column'], string> = {
  why: `why = why || ' (amended)'`,
  data: `data = jsonb_set(data, '{amount}', '"999999"')`,
  at: 'at = at + 1',
  action: `action = 'operator.override'`,
  who_id: `who_id = 'did:key:z6MkSomeoneElse'`,
  counterparty: `counterparty = 'subj_other'`,
  status: `status = 'failed'`,
  hash: `hash = md5(hash) || md5(hash)`,
  prev_hash: `prev_hash = md5(prev_hash) || md5(prev_hash)`,
};

/** Applies the tampering; returns the seqs at which verify may report the first break. */
async function tamper(su: pg.Client, t: Tamper): Promise<number[]> {
  switch (t.kind) {
    case 'edit':
      await su.query(`update mandate_audit_entry set ${EDITS[t.column]} where seq = $1`, [t.seq]);
      return [t.seq];
    case 'edit-rehash': {
      // A careful forger: alters the entry and recomputes its hash so the row is self-consistent.
      const { rows } = await su.query('select * from mandate_audit_entry where seq = $1', [t.seq]);
      const { auditEntryHash } = await import('../../runtime/audit/index.ts');
      const r = rows[0];
      const why = `${r.why} (forged)`;
      const hash = auditEntryHash({
        seq: t.seq,
        at: Number(r.at),
        who: { kind: r.who_kind, id: r.who_id },
        action: r.action,
        subject: r.subject,
        where: r.location,
        why,
        data: r.data,
        prevHash: r.prev_hash,
      });
      await su.query('update mandate_audit_entry set why = $1, hash = $2 where seq = $3', [why, hash, t.seq]);
      return [t.seq, t.seq + 1];
    }
    case 'delete':
      await su.query('delete from mandate_audit_entry where seq >= $1 and seq < $2', [t.from, t.from + t.count]);
      return [t.from];
    case 'swap':
      await su.query(
        `update mandate_audit_entry e set at = o.at, who_kind = o.who_kind, who_id = o.who_id, action = o.action, subject = o.subject, location = o.location, why = o.why,
           agent_id = o.agent_id, currency = o.currency, counterparty = o.counterparty, status = o.status, data = o.data, prev_hash = o.prev_hash, hash = o.hash
         from mandate_audit_entry o where (e.seq, o.seq) in (($1::bigint, $2::bigint), ($2::bigint, $1::bigint))`,
        [t.a, t.b],
      );
      return [Math.min(t.a, t.b)];
    case 'truncate':
      await su.query('delete from mandate_audit_entry where seq > $1', [t.keep]);
      return [t.keep + 1];
  }
}

describe.each(STORE_DRIVERS)('audit tampering on %s', (driver) => {
  let t: TestStore;
  let store: PostgresStore;
  let su: pg.Client;
  let original: { entries: unknown[]; checkpoints: unknown[] };
  let witnessDir: string;
  beforeAll(async () => {
    witnessDir = mkdtempSync(join(tmpdir(), 'mandate-witness-'));
    t = await openTestStore(driver, { witnessFile: join(witnessDir, 'audit-witness.json') });
    store = t.store;
    // Several commits, so that checkpoints sit at several places in the chain.
    for (let batch = 0; batch < 4; batch++) {
      await Promise.all(
        Array.from({ length: N / 4 }, (_, i) => {
          const n = batch * (N / 4) + i + 1;
          return store.appendAudit({
            who: { kind: n % 5 === 0 ? 'human' : 'agent', id: n % 5 === 0 ? 'ops@treasury' : 'did:key:z6MkAgent' },
            action: n % 5 === 0 ? 'operator.approve' : 'agent.act.succeeded',
            subject: `agent-${n % 3}`,
            where: 'node-1',
            why: `step ${n}`,
            data: {
              amount: String(n * 10),
              currency: 'USDC',
              counterparty: `subj_${n % 4}`,
              status: 'succeeded',
              nested: { b: n, a: [n, null] },
            },
            at: T0 + n,
          });
        }),
      );
    }
    su = await t.superuser();
    original = {
      entries: (await su.query('select * from mandate_audit_entry order by seq')).rows,
      checkpoints: (await su.query('select * from mandate_audit_checkpoint order by seq')).rows,
    };
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
    rmSync(witnessDir, { recursive: true, force: true });
  });

  async function restore(): Promise<void> {
    await su.query('delete from mandate_audit_entry');
    for (const r of original.entries as Record<string, unknown>[]) {
      const cols = Object.keys(r);
      await su.query(
        `insert into mandate_audit_entry (${cols.join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
        cols.map((c) => (c === 'data' ? JSON.stringify(r[c]) : r[c])),
      );
    }
  }

  it('audit - the untampered chain verifies', async () => {
    const result = await store.audit.verify();
    expect(result).toMatchObject({ ok: true, entries: N, head: { seq: N } });
    expect(result.checkpoints).toBeGreaterThanOrEqual(4);
  });

  it('audit - random edits, deletions, reorders and truncations are detected and located', async () => {
    await fc.assert(
      fc.asyncProperty(tamperArb, async (change) => {
        // Superuser session with triggers off: the only way past the append-only trigger.
        await su.query('set session_replication_role = replica');
        try {
          const where = await tamper(su, change);
          const result = await store.audit.verify();
          expect(result.ok, JSON.stringify(change)).toBe(false);
          expect(where, `${JSON.stringify(change)} -> ${JSON.stringify(result.breaks[0])}`).toContain(
            result.breaks[0]!.seq,
          );
        } finally {
          await restore();
          await su.query('set session_replication_role = origin');
        }
        expect((await store.audit.verify()).ok).toBe(true);
      }),
      { numRuns: driver === 'embedded' ? 60 : 120 },
    );
  });

  it('audit - a forged checkpoint signature is detected', async () => {
    await su.query('set session_replication_role = replica');
    try {
      await su.query(
        `update mandate_audit_checkpoint set at = at + 1 where seq = (select max(seq) from mandate_audit_checkpoint)`,
      );
      const result = await store.audit.verify();
      expect(result.ok).toBe(false);
      expect(result.breaks[0]).toMatchObject({ seq: N, reason: 'checkpoint-signature' });
    } finally {
      await su.query('delete from mandate_audit_checkpoint');
      for (const r of original.checkpoints as Record<string, unknown>[]) {
        await su.query(
          'insert into mandate_audit_checkpoint (seq, hash, at, signer, signature) values ($1, $2, $3, $4, $5)',
          [r.seq, r.hash, r.at, r.signer, r.signature],
        );
      }
      await su.query('set session_replication_role = origin');
    }
    expect((await store.audit.verify()).ok).toBe(true);
  });

  it('audit - a truncation that also deletes the checkpoints is caught by the witness file', async () => {
    await su.query('set session_replication_role = replica');
    try {
      await su.query('delete from mandate_audit_entry where seq > 10');
      await su.query('delete from mandate_audit_checkpoint where seq > 10');
      const result = await store.audit.verify();
      expect(result.ok).toBe(false);
      expect(result.breaks[0]).toMatchObject({ seq: 11, reason: 'truncated' });
      expect(result.breaks[0]!.message).toContain('witness');
    } finally {
      await restore();
      await su.query('delete from mandate_audit_checkpoint');
      for (const r of original.checkpoints as Record<string, unknown>[]) {
        await su.query(
          'insert into mandate_audit_checkpoint (seq, hash, at, signer, signature) values ($1, $2, $3, $4, $5)',
          [r.seq, r.hash, r.at, r.signer, r.signature],
        );
      }
      await su.query('set session_replication_role = origin');
    }
    expect((await store.audit.verify()).ok).toBe(true);
  });
});
