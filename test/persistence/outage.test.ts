import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EmbeddedPostgres,
  openStore,
  type DecisionRecord,
  type PostgresStore,
} from '../../runtime/persistence/index.ts';
import { STORE_DRIVERS, createTestDatabase, type TestDatabase } from '../support/db.ts';
import { startDbProxy, type DbProxy } from '../support/dbProxy.ts';

const T0 = 1_790_000_000_000;
const decision = (id: string): DecisionRecord => ({
  id,
  agentId: 'outage-agent',
  cycle: 1,
  trigger: {},
  facts: {},
  rulesFired: [],
  rationale: 'r',
  confidence: 1,
  model: null,
  action: null,
  verdict: null,
  outcome: { status: 'succeeded' },
  createdAt: T0,
  updatedAt: T0,
});
const audit = (n: number) => ({
  who: { kind: 'system' as const, id: 'runtime' },
  action: 'agent.act.succeeded',
  subject: 'outage-agent',
  where: 'n',
  why: `w${n}`,
  data: {},
  at: T0 + n,
});

describe.each(STORE_DRIVERS)('database outage on %s', (driver) => {
  let dir: string;
  let database: TestDatabase | undefined;
  let embedded: EmbeddedPostgres | undefined;
  let proxy: DbProxy;
  let store: PostgresStore;
  /** Retry sleeps park here while the test holds the database down. */
  let retries = 0;
  let onRetry: () => void = () => undefined;
  let release: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mandate-outage-'));
    if (driver === 'postgresql') database = await createTestDatabase();
    else embedded = await EmbeddedPostgres.start({ dataDir: join(dir, 'data') });
    proxy = await startDbProxy(database?.url ?? embedded!.url);
    store = await openStore({
      databaseUrl: proxy.url,
      dataDir: join(dir, 'store'),
      keyFile: join(dir, 'key'),
      env: {},
      retry: { attempts: 6, baseDelayMs: 1 },
      sleep: async () => {
        retries++;
        onRetry();
        await release;
      },
    });
  });
  afterAll(async () => {
    await store?.close().catch(() => undefined);
    await proxy?.[Symbol.asyncDispose]();
    await embedded?.stop();
    await database?.[Symbol.asyncDispose]();
    rmSync(dir, { recursive: true, force: true });
  });

  it('outage - writes made while the database is away commit once it is back; none is acknowledged early', async () => {
    await store.saveDecision(decision('before'));
    await store.appendAudit(audit(0));
    let open!: () => void;
    release = new Promise<void>((resolve) => (open = resolve));
    const retried = new Promise<void>((resolve) => (onRetry = resolve));
    await proxy.down();
    let settled = 0;
    const writes = Array.from({ length: 10 }, (_, i) => [
      store.saveDecision(decision(`during-${i}`)),
      store.appendAudit(audit(i + 1)),
    ])
      .flat()
      .map((p) => p.finally(() => settled++));
    await retried;
    expect(settled).toBe(0);
    await proxy.up();
    open();
    await Promise.all(writes);
    expect(retries).toBeGreaterThan(0);
    expect(
      (await store.queryOutcomes({ agentId: 'outage-agent', limit: 100 })).map((o) => o.decisionId).sort(),
    ).toEqual(['before', ...Array.from({ length: 10 }, (_, i) => `during-${i}`)].sort());
    expect(await store.audit.verify()).toMatchObject({ ok: true, entries: 11 });
  });

  it('outage - a database away longer than the retry budget fails the write with a code; the store recovers', async () => {
    release = Promise.resolve();
    onRetry = () => undefined;
    await proxy.down();
    await expect(store.saveDecision(decision('lost-cause'))).rejects.toMatchObject({
      code: 'MANDATE_ERR_STORE_UNAVAILABLE',
    });
    await expect(store.appendAudit(audit(99))).rejects.toMatchObject({ code: 'MANDATE_ERR_STORE_UNAVAILABLE' });
    await expect(store.ping()).rejects.toMatchObject({ code: 'MANDATE_ERR_STORE_UNAVAILABLE' });
    await proxy.up();
    await store.saveDecision(decision('after'));
    expect(await store.getDecision('lost-cause')).toBeUndefined();
    expect(await store.getDecision('before')).toBeDefined();
    expect(await store.audit.verify()).toMatchObject({ ok: true, entries: 11 });
  });

  it('outage - a write whose COMMIT answer was lost is retried without appending its audit entry twice', async () => {
    release = Promise.resolve();
    onRetry = () => undefined;
    const before = (await store.audit.verify()).entries;
    proxy.cutAfterCommit();
    await Promise.all([store.appendAudit(audit(200)), store.saveDecision(decision('ambiguous'))]);
    const result = await store.audit.verify();
    expect(result).toMatchObject({ ok: true, entries: before + 1 });
    expect((await store.audit.query({ limit: 1 })).entries[0]).toMatchObject({ why: 'w200' });
    expect(await store.getDecision('ambiguous')).toBeDefined();
  });

  it('outage - a final checkpoint that cannot be written on close() is reported with a code, not swallowed', async () => {
    release = Promise.resolve();
    onRetry = () => undefined;
    await store.appendAudit(audit(300));
    await proxy.down();
    await expect(store.close()).rejects.toMatchObject({
      code: 'MANDATE_ERR_AUDIT_CHECKPOINT',
      message: expect.stringContaining('could not be written'),
    });
    await proxy.up();
    await expect(store.appendAudit(audit(301))).rejects.toMatchObject({ code: 'MANDATE_ERR_STORE_CLOSED' });
  });
});
