import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentIdentity } from '../../transport/index.ts';
import pg from 'pg';
import { EmbeddedPostgres, allEntities, openStore } from '../../runtime/persistence/index.ts';
import { STORE_DRIVERS, openTestStore, type TestStore } from '../support/db.ts';

const T0 = 1_790_000_000_000;

describe.each(STORE_DRIVERS)('schema and restart on %s', (driver) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(driver);
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('migrations - the checked-in migrations create exactly the schema the entities describe', async () => {
    const orm = await MikroORM.init({
      clientUrl: t.store.databaseUrl,
      entities: [...allEntities],
      debug: false,
      pool: { min: 0, max: 1 },
    });
    try {
      const diff = await orm.schema.getUpdateSchemaSQL({ wrap: false });
      // The append-only audit triggers are created by a migration on purpose; the generator does not know them.
      const statements = diff
        .split('\n')
        .filter((l) => l.trim() !== '' && !/trigger|function/i.test(l) && !l.includes('"mandate_migrations"'));
      expect(statements).toEqual([]);
    } finally {
      await orm.close(true);
    }
  });

  it('persistence - everything committed survives close and reopen', async () => {
    const id = AgentIdentity.generate();
    await t.store.upsertAgent({
      id: 'keeper',
      did: id.did,
      version: '1',
      supervisorId: 'gov',
      definition: {},
      identitySeed: id.toJSON().privateKey,
    });
    await t.store.saveSnapshot({
      agentId: 'keeper',
      supervisorId: 'gov',
      snapshot: { status: 'active', value: 'idle', context: { n: 1 } },
      state: 'idle',
      seq: 4,
      at: T0,
    });
    await t.store.appendAudit({
      who: { kind: 'system', id: 'runtime' },
      action: 'config.agent.registered',
      subject: 'keeper',
      where: 'node-1',
      why: 'start',
      data: {},
      at: T0,
    });
    await t.store.saveKillSwitch({ all: true, agents: [], groups: [], capabilities: [] });
    await t.store.close();
    const again = await t.reopen();
    expect((await again.listAgents()).map((a) => [a.id, a.identitySeed])).toEqual([['keeper', id.toJSON().privateKey]]);
    expect(await again.loadSnapshots()).toMatchObject([{ agentId: 'keeper', seq: 4 }]);
    expect(await again.loadKillSwitch()).toMatchObject({ all: true });
    expect(await again.audit.verify()).toMatchObject({ ok: true, entries: 1 });
    t.store = again;
  });

  it('secrets - a store opened with another key refuses to open sealed seeds', async () => {
    await t.store.close();
    // The audit signer's seed is sealed too: the store refuses to open rather than sign with a new key.
    await expect(t.reopen({ secretKey: Buffer.alloc(32, 7).toString('base64') })).rejects.toMatchObject({
      code: 'MANDATE_ERR_STORE_SECRET',
    });
    await expect(t.reopen({ secretKey: 'too-short' })).rejects.toMatchObject({ code: 'MANDATE_ERR_STORE_CONFIG' });
    t.store = await t.reopen();
  });

  it('schema - a database migrated by a newer Mandate, or missing a table, is refused with a code', async () => {
    // Tamper while the store is open (the embedded server only runs with it), then reopen.
    let su = await t.superuser();
    await su.query(
      `insert into mandate_migrations (name, executed_at) values ('Migration20991231000000FromTheFuture', now())`,
    );
    await t.store.close();
    await expect(t.reopen()).rejects.toMatchObject({
      code: 'MANDATE_ERR_STORE_SCHEMA',
      message: expect.stringContaining('Migration20991231000000FromTheFuture'),
    });
    const embedded = driver === 'embedded' ? await EmbeddedPostgres.start({ dataDir: t.dataDir }) : undefined;
    try {
      su = new pg.Client({ connectionString: embedded?.url ?? t.store.databaseUrl });
      await su.connect();
      await su.query(`delete from mandate_migrations where name = 'Migration20991231000000FromTheFuture'`);
      await su.query('drop table mandate_reputation_event');
      await su.end();
    } finally {
      await embedded?.stop();
    }
    await expect(t.reopen()).rejects.toMatchObject({
      code: 'MANDATE_ERR_STORE_SCHEMA',
      message: expect.stringContaining('mandate_reputation_event'),
    });
  });
});

describe('store startup', () => {
  it('startup - PostgreSQL that is down gives MANDATE_ERR_STORE_UNAVAILABLE saying how to fix it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mandate-down-'));
    try {
      await expect(
        openStore({
          databaseUrl: 'postgresql://postgres@127.0.0.1:1/nowhere',
          keyFile: join(dir, 'k'),
          env: {},
          retry: { attempts: 2, baseDelayMs: 5 },
        }),
      ).rejects.toMatchObject({
        code: 'MANDATE_ERR_STORE_UNAVAILABLE',
        message: expect.stringMatching(/127\.0\.0\.1:1.*unset DATABASE_URL/),
      });
      await expect(openStore({ databaseUrl: 'mysql://x', keyFile: join(dir, 'k'), env: {} })).rejects.toMatchObject({
        code: 'MANDATE_ERR_STORE_CONFIG',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('startup - an embedded data directory that is not a usable cluster gives MANDATE_ERR_STORE_UNAVAILABLE and releases its lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mandate-corrupt-'));
    try {
      const dataDir = join(dir, 'data');
      mkdirSync(dataDir);
      writeFileSync(join(dataDir, 'PG_VERSION'), '99\n');
      await expect(openStore({ dataDir, env: {} })).rejects.toMatchObject({
        code: 'MANDATE_ERR_STORE_UNAVAILABLE',
        message: expect.stringContaining(dataDir),
      });
      expect(existsSync(`${dataDir}.lock`)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('startup - an embedded data directory held by a live process is refused; a dead holder’s lock is taken over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mandate-lock-'));
    try {
      const dataDir = join(dir, 'data');
      writeFileSync(`${dataDir}.lock`, String(process.ppid));
      await expect(openStore({ dataDir, env: {} })).rejects.toMatchObject({
        code: 'MANDATE_ERR_STORE_LOCKED',
        details: { pid: process.ppid },
      });
      writeFileSync(`${dataDir}.lock`, '2147483646');
      const store = await openStore({ dataDir, env: {} });
      expect(store.embedded).toBe(true);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
