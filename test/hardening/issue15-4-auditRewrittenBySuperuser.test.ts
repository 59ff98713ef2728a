import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntryHash } from '../../runtime/audit/index.ts';
import { rowToAuditEntry, type AuditEntryRow } from '../../runtime/audit/auditRows.ts';
import { witnessFileName } from '../../runtime/persistence/openStore.ts';
import { openTestStore, STORE_DRIVERS, type TestStore } from '../support/db.ts';

const N = 24;

// The store is opened with no witness option and an empty environment: what a default deployment gets.
describe.each(STORE_DRIVERS)(
  'issue 15 #4 - the audit log can be rewritten undetected by a superuser (%s)',
  (driver) => {
    let t: TestStore;
    let su: pg.Client;
    const problems: string[] = [];
    let original: { entries: Record<string, unknown>[]; checkpoints: Record<string, unknown>[] };

    beforeAll(async () => {
      t = await openTestStore(driver, { onProblem: (e) => void problems.push(e.code) });
      for (let batch = 0; batch < 4; batch++)
        await Promise.all(
          Array.from({ length: N / 4 }, (_, i) =>
            t.store.appendAudit({
              who: { kind: 'human', id: 'ops' },
              action: 'operator.approve',
              subject: `approval-${batch * 6 + i}`,
              where: 'node-1',
              why: `step ${batch * 6 + i}`,
              data: { amount: String(i), currency: 'USDC' },
              at: 1_700_000_000_000 + batch * 6 + i,
            }),
          ),
        );
      await t.store.flush();
      su = await t.superuser();
      original = {
        entries: (await su.query('select * from mandate_audit_entry order by seq')).rows,
        checkpoints: (await su.query('select * from mandate_audit_checkpoint order by seq')).rows,
      };
    });
    afterAll(async () => {
      await t?.[Symbol.asyncDispose]();
    });

    async function tampered(rewrite: () => Promise<void>): Promise<{ ok: boolean; reason?: string }> {
      await su.query('set session_replication_role = replica'); // past the append-only trigger, as a superuser can
      try {
        await rewrite();
        const result = await t.store.audit.verify();
        return { ok: result.ok, reason: result.breaks[0]?.reason };
      } finally {
        await su.query('delete from mandate_audit_entry');
        await su.query('delete from mandate_audit_checkpoint');
        for (const rows of [original.entries, original.checkpoints]) {
          for (const r of rows) {
            const cols = Object.keys(r);
            const table = 'prev_hash' in r ? 'mandate_audit_entry' : 'mandate_audit_checkpoint';
            await su.query(
              `insert into ${table} (${cols.join(', ')}) values (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
              cols.map((c) => (c === 'data' ? JSON.stringify(r[c]) : r[c])),
            );
          }
        }
        await su.query('set session_replication_role = origin');
      }
    }

    it('audit - the outside witness is on by default, in a file beside the data directory', async () => {
      const name = witnessFileName(driver === 'embedded' ? undefined : t.store.databaseUrl);
      expect(existsSync(join(dirname(t.dataDir), name))).toBe(true);
      expect((await t.store.audit.verify()).ok).toBe(true);
    });

    it('audit - truncating the tail together with its checkpoints is detected', async () => {
      const result = await tampered(async () => {
        await su.query('delete from mandate_audit_entry where seq > 10');
        await su.query('delete from mandate_audit_checkpoint where seq > 10');
      });
      expect(result.ok).toBe(false);
      expect((await t.store.audit.verify()).ok).toBe(true);
    });

    it('audit - deleting every checkpoint is detected', async () => {
      const result = await tampered(async () => {
        await su.query('delete from mandate_audit_checkpoint');
      });
      expect(result.ok).toBe(false);
    });

    it('audit - editing an entry, re-hashing the rest and dropping the later checkpoints is detected', async () => {
      const result = await tampered(async () => {
        await su.query(`update mandate_audit_entry set why = 'nothing to see' where seq = 5`);
        const rows = (await su.query('select * from mandate_audit_entry where seq >= 5 order by seq'))
          .rows as AuditEntryRow[];
        let prevHash = rows[0]!.prev_hash;
        for (const row of rows) {
          const hash = auditEntryHash({ ...rowToAuditEntry(row), prevHash });
          await su.query('update mandate_audit_entry set prev_hash = $1, hash = $2 where seq = $3', [
            prevHash,
            hash,
            row.seq,
          ]);
          prevHash = hash;
        }
        await su.query('delete from mandate_audit_checkpoint where seq >= 5');
        // The chain inside the database is consistent again: only what lives outside it can tell.
      });
      expect(result.ok).toBe(false);
    });

    it('audit - a store opened over a cut log reports it, and later checkpoints do not move the witness past the cut', async () => {
      const result = await tampered(async () => {
        await su.query('delete from mandate_audit_entry where seq > 10');
        await su.query('delete from mandate_audit_checkpoint where seq > 10');
        await t.store.open();
        expect(problems).toContain('MANDATE_ERR_AUDIT_CHECKPOINT');
        // The runtime carries on past the old head: honest new checkpoints must not bury the evidence.
        for (let i = 0; i < N; i++)
          await t.store.appendAudit({
            who: { kind: 'system', id: 'runtime' },
            action: 'agent.cycle.done',
            subject: 'a',
            where: 'node-1',
            why: 'after the cut',
            data: {},
            at: 1_800_000_000_000 + i,
          });
      });
      expect(result.ok).toBe(false);
    });
  },
);
