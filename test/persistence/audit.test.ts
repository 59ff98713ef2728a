import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditInput, PostgresStore } from '../../runtime/persistence/index.ts';
import { STORE_DRIVERS, openTestStore, type TestStore } from '../support/db.ts';

const T0 = 1_790_000_000_000;

const entry = (i: number, over: Partial<AuditInput> = {}): AuditInput => ({
  who: { kind: 'agent', id: 'did:key:z6MkpayAgent' },
  action: i % 3 === 0 ? 'agent.act.succeeded' : 'agent.decide.done',
  subject: i % 2 === 0 ? 'payer-a' : 'payer-b',
  where: 'node-1/governance',
  why: `cycle ${i}`,
  data: { status: i % 3 === 0 ? 'succeeded' : 'proposed', currency: i % 4 === 0 ? 'EUR' : 'USDC', amount: String(i) },
  at: T0 + i * 1000,
  ...over,
});

describe.each(STORE_DRIVERS)('audit on %s', (driver) => {
  let t: TestStore;
  let store: PostgresStore;
  beforeAll(async () => {
    t = await openTestStore(driver);
    store = t.store;
    await Promise.all(Array.from({ length: 40 }, (_, i) => store.appendAudit(entry(i + 1))));
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('audit - the chain verifies and carries checkpoints signed by the store signer', async () => {
    const result = await store.audit.verify();
    expect(result).toMatchObject({ ok: true, entries: 40, breaks: [], head: { seq: 40 } });
    expect(result.latestCheckpoint).toMatchObject({ seq: 40, signer: store.audit.signer });
    expect(result.checkpoints).toBeGreaterThanOrEqual(1);
  });

  it('audit - the database refuses UPDATE, DELETE and TRUNCATE of audit rows, even for the owner', async () => {
    const su = await t.superuser();
    for (const sql of [
      `update mandate_audit_entry set why = 'rewritten' where seq = 3`,
      'delete from mandate_audit_entry where seq = 40',
      'truncate mandate_audit_entry',
      'delete from mandate_audit_checkpoint',
    ]) {
      await expect(su.query(sql), sql).rejects.toThrow(/MANDATE_ERR_AUDIT_APPEND_ONLY/);
    }
    expect((await store.audit.verify()).ok).toBe(true);
  });

  it('audit - personal data inlined in an entry is refused with a code', async () => {
    await expect(
      store.appendAudit(entry(0, { data: { payee: { iban: 'DE89370400440532013000' } } })),
    ).rejects.toMatchObject({
      code: 'MANDATE_ERR_AUDIT_INPUT',
      message: expect.stringContaining('data.payee.iban'),
    });
    await expect(store.appendAudit(entry(0, { data: { counterparty: { name: 'Jane Doe' } } }))).rejects.toMatchObject({
      code: 'MANDATE_ERR_AUDIT_INPUT',
    });
    await expect(store.appendAudit(entry(0, { action: 'no-dots' }))).rejects.toMatchObject({
      code: 'MANDATE_ERR_AUDIT_INPUT',
    });
  });

  it('audit - queries filter on columns and page with a stable cursor', async () => {
    const all: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.audit.query({
        agent: 'payer-a',
        currency: 'USDC',
        limit: 3,
        ...(cursor === undefined ? {} : { cursor }),
      });
      all.push(...page.entries.map((e) => e.seq));
      for (const e of page.entries) expect(e).toMatchObject({ agentId: 'payer-a', currency: 'USDC' });
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    const expected = Array.from({ length: 40 }, (_, i) => i + 1).filter((s) => s % 2 === 0 && s % 4 !== 0);
    expect(all).toEqual(expected.reverse());
    const window = await store.audit.query({
      from: T0 + 10_000,
      to: T0 + 13_000,
      action: 'agent.act.*',
      status: 'succeeded',
      limit: 10,
    });
    expect(window.entries.map((e) => e.seq)).toEqual([12]);
    expect(window.nextCursor).toBeNull();
    await expect(store.audit.query({ limit: 0 })).rejects.toMatchObject({ code: 'MANDATE_ERR_AUDIT_QUERY' });
    await expect(store.audit.query({ limit: 5, cursor: '1; drop table x' })).rejects.toMatchObject({
      code: 'MANDATE_ERR_AUDIT_QUERY',
    });
  });

  it('audit - match "prefix" makes the text filters case-insensitive prefixes; wildcards match themselves', async () => {
    const exact = await store.audit.query({ currency: 'usdc', limit: 100 });
    expect(exact.entries).toEqual([]);
    const usd = await store.audit.query({ currency: 'usd', agent: 'PAYER', match: 'prefix', limit: 100 });
    expect(usd.entries.length).toBe(30);
    for (const e of usd.entries) expect(e.currency).toBe('USDC');
    const succeeded = await store.audit.query({ action: 'AGENT.ACT', status: 'succ', match: 'prefix', limit: 100 });
    expect(succeeded.entries.map((e) => e.seq)).toEqual(
      Array.from({ length: 13 }, (_, i) => 39 - i * 3).filter((s) => s > 0),
    );
    expect((await store.audit.query({ agent: 'payer%', match: 'prefix', limit: 10 })).entries).toEqual([]);
    expect((await store.audit.query({ agent: 'payer_', match: 'prefix', limit: 10 })).entries).toEqual([]);
    await expect(store.audit.query({ match: 'fuzzy' as 'prefix', limit: 1 })).rejects.toMatchObject({
      code: 'MANDATE_ERR_AUDIT_QUERY',
    });
  });

  it('gdpr - erasing a subject removes their personal data and the chain still verifies', async () => {
    const iban = 'GB33BUKB20201555555555';
    const id = await store.vault.put({ name: 'Jane Doe', iban, email: 'jane@example.org' });
    expect(id).toMatch(/^subj_/);
    expect(await store.vault.put({ name: 'J. Doe', iban: 'GB33 BUKB 2020 1555 5555 55' })).toBe(id);
    await store.appendAudit(
      entry(100, {
        action: 'agent.act.succeeded',
        data: { counterparty: id, currency: 'GBP', amount: '25.00', status: 'succeeded' },
      }),
    );
    expect((await store.audit.query({ counterparty: id, limit: 10 })).entries).toHaveLength(1);
    expect(await store.vault.get(id)).toMatchObject({ erased: false, data: { name: 'Jane Doe', iban } });

    await store.eraseSubject(id, { kind: 'human', id: 'dpo' }, 'request #42');
    expect(await store.vault.get(id)).toMatchObject({ erased: true });
    expect((await store.audit.query({ action: 'gdpr.subject.erased', limit: 5 })).entries).toMatchObject([
      { subject: id, who: { kind: 'human', id: 'dpo' }, counterparty: id },
    ]);
    const su = await t.superuser();
    expect((await su.query('select sealed, lookup_hash from mandate_vault_subject where id = $1', [id])).rows).toEqual([
      { sealed: null, lookup_hash: null },
    ]);
    for (const table of ['mandate_vault_subject', 'mandate_audit_entry']) {
      const dump = JSON.stringify((await su.query(`select * from ${table}`)).rows);
      expect(dump).not.toContain('Jane');
      expect(dump).not.toContain('BUKB');
    }
    expect((await store.audit.verify()).ok).toBe(true);
    expect((await store.audit.query({ counterparty: id, limit: 10 })).entries).toHaveLength(2);
    await expect(store.vault.get('subj_unknown')).rejects.toMatchObject({ code: 'MANDATE_ERR_VAULT_SUBJECT_UNKNOWN' });
  });
});

describe('audit with several runtime nodes on one PostgreSQL', () => {
  it('audit - two stores appending concurrently extend one chain, never fork it', async () => {
    await using t = await openTestStore('postgresql');
    const other = await t.reopen();
    await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        (i % 2 === 0 ? t.store : other).appendAudit(entry(i + 1, { where: i % 2 === 0 ? 'node-a' : 'node-b' })),
      ),
    );
    for (const s of [t.store, other])
      expect(await s.audit.verify()).toMatchObject({ ok: true, entries: 60, head: { seq: 60 } });
  });
});

describe('audit checkpoints on demand', () => {
  it('audit - an explicit checkpoint re-checks the entries since the last one and refuses to sign altered rows', async () => {
    await using t = await openTestStore('postgresql', { checkpointEvery: 1000 });
    for (let i = 1; i <= 5; i++) await t.store.appendAudit(entry(i));
    expect((await t.store.audit.verify()).checkpoints).toBe(0);
    const su = await t.superuser();
    await su.query('set session_replication_role = replica');
    await su.query(`update mandate_audit_entry set why = 'edited before any checkpoint' where seq = 3`);
    expect(await t.store.audit.checkpoint()).toBeUndefined();
    const original = entry(3);
    await su.query('update mandate_audit_entry set why = $1 where seq = 3', [original.why]);
    await su.query('set session_replication_role = origin');
    expect(await t.store.audit.checkpoint()).toMatchObject({ seq: 5, signer: t.store.audit.signer });
    expect(await t.store.audit.verify()).toMatchObject({ ok: true, checkpoints: 1 });
  });

  it('audit - close() reports a final checkpoint it refused to sign with a code, and still closes the database', async () => {
    await using t = await openTestStore('postgresql', { checkpointEvery: 1000 });
    for (let i = 1; i <= 3; i++) await t.store.appendAudit(entry(i));
    const su = await t.superuser();
    await su.query('set session_replication_role = replica');
    await su.query(`update mandate_audit_entry set why = 'edited behind the store' where seq = 2`);
    await su.query('set session_replication_role = origin');
    await expect(t.store.close()).rejects.toMatchObject({
      code: 'MANDATE_ERR_AUDIT_CHECKPOINT',
      details: { seq: 2 },
      message: expect.stringContaining('audit entry 2 does not verify'),
    });
    await expect(t.store.appendAudit(entry(4))).rejects.toMatchObject({ code: 'MANDATE_ERR_STORE_CLOSED' });
    await expect(t.store.close()).resolves.toBeUndefined();
    const checkpoints = await su.query('select count(*)::int as n from mandate_audit_checkpoint');
    expect(checkpoints.rows[0].n).toBe(0);
  });

  it('audit - close() with nothing new to sign resolves', async () => {
    await using t = await openTestStore('postgresql');
    await t.store.appendAudit(entry(1));
    await expect(t.store.close()).resolves.toBeUndefined();
  });
});
