import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AuditLog, parseAuditInput } from '../../runtime/audit/index.ts';
import type { PostgresStore } from '../../runtime/persistence/index.ts';
import { planOneStatement } from '../../runtime/persistence/oneStatementBatch.ts';
import { AgentIdentity } from '../../transport/index.ts';
import { STORE_DRIVERS, openTestStore } from '../support/db.ts';
import {
  T0,
  appendByHand,
  clientExecutor,
  decision,
  entry,
  isBegin,
  isOneStatement,
  recordStatements,
  snapshot,
  transition,
} from './oneStatementSupport.ts';

/** One audited decision as the runtime writes it: the record and its entry, submitted together. */
const audited = (store: PostgresStore, i: number): Promise<unknown> =>
  Promise.all([store.saveDecision(decision(`d-${i}`)), store.appendAudit(entry(i))]);

describe.each(STORE_DRIVERS)('one-statement store batches on %s', (driver) => {
  it('persistence - decisions, snapshots, transitions and audit entries commit as one statement with no transaction, and the chain verifies', async () => {
    await using t = await openTestStore(driver);
    await t.store.appendAudit(entry(0)); // the first append reads the head in a transaction
    const rec = recordStatements();
    try {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          Promise.all([
            audited(t.store, i + 1),
            t.store.saveSnapshot(snapshot(`agent-${i % 4}`, i + 1)),
            t.store.appendTransitions([transition(`agent-${i % 4}`, i + 1)]),
          ]),
        ),
      );
    } finally {
      rec.stop();
    }
    expect(rec.sent.filter(isOneStatement).length).toBeGreaterThan(0);
    expect(rec.sent.filter(isOneStatement).every((s) => s.ok === true && s.code === undefined)).toBe(true);
    expect(rec.sent.filter(isBegin)).toEqual([]);
    const su = await t.superuser();
    const count = async (table: string): Promise<number> =>
      (await su.query(`select count(*)::int as n from ${table}`)).rows[0].n;
    expect(await count('mandate_decision')).toBe(20);
    expect(await count('mandate_transition')).toBe(20);
    expect(await count('mandate_snapshot')).toBe(20);
    expect((await t.store.loadSnapshots()).map((s) => [s.agentId, s.seq]).sort()).toEqual([
      ['agent-0', 17],
      ['agent-1', 18],
      ['agent-2', 19],
      ['agent-3', 20],
    ]);
    expect(await t.store.getDecision('d-7')).toEqual(decision('d-7'));
    const verified = await t.store.audit.verify();
    expect(verified).toMatchObject({ ok: true, entries: 21, head: { seq: 21 } });
    expect(verified.checkpoints).toBeGreaterThan(1);
  });

  it('persistence - the statement is atomic: an entry that cannot be inserted leaves the decision, snapshot and transition unwritten; a moved head writes nothing', async () => {
    await using t = await openTestStore(driver, { checkpointEvery: 1000 });
    await t.store.appendAudit(entry(1));
    await t.store.flush();
    const su = await t.superuser();
    const db = clientExecutor(su);
    const log = new AuditLog({ signer: AgentIdentity.generate(), checkpointEvery: 1 });
    await su.query('begin');
    const first = await log.append(db, [{ entryId: 'e-2', input: parseAuditInput(entry(2)) }], {
      now: T0,
      inDoubt: false,
    });
    await su.query('commit');
    const head = { seq: first.entries[0]!.seq, hash: first.entries[0]!.hash };
    const batch = (entryId: string, id: string) => [
      { kind: 'decision' as const, record: decision(id) },
      { kind: 'snapshot' as const, row: snapshot(id, 1) },
      { kind: 'transitions' as const, rows: [transition(id, 1)] },
      { kind: 'audit' as const, entryId, input: parseAuditInput(entry(3)) },
    ];
    const rows = async (id: string): Promise<number[]> =>
      (
        await su.query(
          `select (select count(*)::int from mandate_decision where id = $1) as d, (select count(*)::int from mandate_snapshot where agent_id = $1) as s,
             (select count(*)::int from mandate_transition where actor_id = $1) as t, (select count(*)::int from mandate_audit_entry) as a,
             (select count(*)::int from mandate_audit_checkpoint) as c`,
          [id],
        )
      ).rows.map((r: Record<string, number>) => [r.d!, r.s!, r.t!, r.a!, r.c!])[0]!;
    const before = await rows('x');
    // entry id "e-2" is taken: the entry insert fails, and with it everything the statement wrote.
    const clash = (await planOneStatement(batch('e-2', 'x'), { audit: log, head, now: T0 }))!;
    expect(clash.sql).toContain('mandate_audit_checkpoint');
    await expect(db.execute(clash.sql, clash.params)).rejects.toMatchObject({ code: '23505' });
    expect(await rows('x')).toEqual(before);
    // Chained on a head that is no longer the head: the gate refuses, nothing is written.
    const stale = (await planOneStatement(batch('e-3', 'y'), {
      audit: log,
      head: { seq: 1, hash: 'f'.repeat(64) },
      now: T0,
    }))!;
    expect(await db.execute(stale.sql, stale.params)).toEqual([{ ok: false, stale: [] }]);
    expect(await rows('y')).toEqual([0, 0, 0, before[3], before[4]]);
    // On the real head: all of it.
    const good = (await planOneStatement(batch('e-3', 'z'), { audit: log, head, now: T0 }))!;
    expect(await db.execute(good.sql, good.params)).toEqual([{ ok: true, stale: [] }]);
    expect((await rows('z')).slice(0, 4)).toEqual([1, 1, 1, before[3]! + 1]);
    expect(await t.store.audit.verify({ trustedSigners: [log.signerDid] })).toMatchObject({
      ok: true,
      entries: 3,
    });
  });

  it('persistence - when another writer moved the head, the batch writes nothing in its statement and reruns in a transaction, nothing duplicated', async () => {
    await using t = await openTestStore(driver);
    await audited(t.store, 1);
    const su = await t.superuser();
    await appendByHand(su, [entry(2), entry(3)]);
    const rec = recordStatements();
    try {
      await audited(t.store, 4);
      await audited(t.store, 5); // chained on the head the rerun committed: one statement again
    } finally {
      rec.stop();
    }
    const kinds = rec.sent.filter((s) => isOneStatement(s) || isBegin(s)).map((s) => (isBegin(s) ? 'begin' : s.ok));
    expect(kinds).toEqual([false, 'begin', true]);
    const audit = (await su.query('select seq, entry_id, why from mandate_audit_entry order by seq')).rows;
    expect(audit.map((r: { why: string }) => r.why)).toEqual(['cycle 1', 'cycle 2', 'cycle 3', 'cycle 4', 'cycle 5']);
    expect(new Set(audit.map((r: { entry_id: string }) => r.entry_id)).size).toBe(5);
    expect((await su.query('select count(*)::int as n from mandate_decision')).rows[0].n).toBe(3);
    expect(await t.store.audit.verify()).toMatchObject({ ok: true, entries: 5, head: { seq: 5 } });
  });

  it('persistence - a snapshot refused by its fence in a one-statement batch is not written, the rest of the batch is', async () => {
    await using t = await openTestStore(driver);
    await t.store.appendAudit(entry(0));
    await t.store.raiseFence({ agentId: 'placed', token: 2, nodeId: 'node-b' });
    const rec = recordStatements();
    let results: PromiseSettledResult<unknown>[];
    try {
      results = await Promise.allSettled([
        t.store.saveSnapshot(snapshot('placed', 5, 1)),
        t.store.saveSnapshot(snapshot('placed-ok', 5)),
        audited(t.store, 1),
      ]);
    } finally {
      rec.stop();
    }
    expect(rec.sent.filter(isOneStatement).map((s) => s.ok)).toEqual([true]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'MANDATE_ERR_FENCE_STALE' });
    expect((await t.store.loadSnapshots()).map((s) => s.agentId)).toEqual(['placed-ok']);
    expect(await t.store.audit.verify()).toMatchObject({ ok: true, entries: 2 });
  });

  it("persistence - a row the one statement cannot carry runs the transaction path with today's result: a lone surrogate stored as U+FFFD, a NUL refused alone", async () => {
    await using t = await openTestStore(driver);
    await t.store.appendAudit(entry(0));
    const rec = recordStatements();
    let results: PromiseSettledResult<unknown>[];
    try {
      results = await Promise.allSettled([
        t.store.saveDecision(decision('lone', { rationale: 'cut mid-emoji \ud83d' })),
        t.store.saveDecision(decision('nul', { rationale: 'a\u0000b' })),
        t.store.appendAudit(entry(1)),
      ]);
    } finally {
      rec.stop();
    }
    // The statement failed and wrote nothing; the batch ran the usual way (and was bisected to the bad row).
    expect(rec.sent.filter(isOneStatement)[0]).toMatchObject({ code: expect.stringMatching(/^22/) });
    expect(rec.sent.some(isBegin)).toBe(true);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: '22021' });
    expect((await t.store.getDecision('lone'))?.rationale).toBe('cut mid-emoji \ufffd');
    expect(await t.store.getDecision('nul')).toBeUndefined();
    expect(await t.store.audit.verify()).toMatchObject({ ok: true, entries: 2 });
  });

  it('persistence - concurrent writers (this store, another node appending by hand) keep one chain that verifies', async () => {
    await using t = await openTestStore(driver);
    const su = await t.superuser();
    const other = new AuditLog({ signer: AgentIdentity.generate(), checkpointEvery: 1000 });
    const byHand = async (): Promise<void> => {
      for (let i = 0; i < 10; i++) await appendByHand(su, [entry(100 + i)], { log: other });
    };
    await Promise.all([byHand(), ...Array.from({ length: 40 }, (_, i) => audited(t.store, i + 1))]);
    const verified = await t.store.audit.verify({ trustedSigners: [other.signerDid] });
    expect(verified).toMatchObject({ ok: true, entries: 50, head: { seq: 50 } });
    expect((await su.query('select count(*)::int as n from mandate_decision')).rows[0].n).toBe(40);
  });
});

describe('one-statement store batches racing another node on PostgreSQL', () => {
  it('persistence - a seq taken by a writer that committed after the statement began makes the whole statement fail; the batch reruns in a transaction', async () => {
    await using t = await openTestStore('postgresql');
    await audited(t.store, 1);
    const su = await t.superuser();
    // Another node holds the chain lock with seq 2 written but not committed.
    await appendByHand(su, [entry(2)], { commit: false });
    const rec = recordStatements();
    try {
      const write = audited(t.store, 3);
      // Wait until the store's statement is queued behind the chain lock (its snapshot already taken).
      const watcher = await t.superuser();
      while (
        (await watcher.query(`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`))
          .rows[0].n === 0
      )
        await sleep(5);
      await su.query('commit');
      await write;
    } finally {
      rec.stop();
    }
    const kinds = rec.sent.filter((s) => isOneStatement(s) || isBegin(s)).map((s) => (isBegin(s) ? 'begin' : s.code));
    expect(kinds).toEqual(['23505', 'begin']);
    const audit = (await su.query('select why from mandate_audit_entry order by seq')).rows;
    expect(audit.map((r: { why: string }) => r.why)).toEqual(['cycle 1', 'cycle 2', 'cycle 3']);
    expect((await su.query('select count(*)::int as n from mandate_decision')).rows[0].n).toBe(2);
    expect(await t.store.audit.verify()).toMatchObject({ ok: true, entries: 3 });
  });

  it('persistence - two stores writing audited decisions concurrently extend one chain that verifies', async () => {
    await using t = await openTestStore('postgresql');
    const other = await t.reopen();
    await Promise.all(Array.from({ length: 60 }, (_, i) => audited(i % 2 === 0 ? t.store : other, i + 1)));
    for (const s of [t.store, other])
      expect(await s.audit.verify()).toMatchObject({ ok: true, entries: 60, head: { seq: 60 } });
    const su = await t.superuser();
    expect((await su.query('select count(*)::int as n from mandate_decision')).rows[0].n).toBe(60);
  });
});
