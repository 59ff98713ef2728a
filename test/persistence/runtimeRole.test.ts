import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openStore, runtimeRoleGrants } from '../../runtime/persistence/index.ts';
import { TEST_POSTGRES_URL, createTestDatabase } from '../support/db.ts';

describe('restricted runtime role on PostgreSQL', () => {
  it('persistence - a runtime role granted by runtimeRoleGrants writes everything but cannot alter audit rows or the trigger', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mandate-role-'));
    const role = `mandate_t_rt_${randomBytes(4).toString('hex')}`;
    await using db = await createTestDatabase();
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      await admin.query(`create role ${role} login`);
      // The owner migrates; the runtime role is granted afterwards, as an operator would.
      const owner = await openStore({
        databaseUrl: db.url,
        dataDir: join(dir, 'data'),
        keyFile: join(dir, 'key'),
        env: {},
      });
      await owner.close();
      for (const sql of runtimeRoleGrants(role)) await admin.query(sql);
      const runtimeUrl = new URL(db.url);
      runtimeUrl.username = role;
      const store = await openStore({
        databaseUrl: runtimeUrl.toString(),
        migrateUrl: db.url,
        dataDir: join(dir, 'data'),
        keyFile: join(dir, 'key'),
        env: {},
      });
      try {
        await store.appendAudit({
          who: { kind: 'system', id: 'r' },
          action: 'config.agent.registered',
          subject: 'a',
          where: 'n',
          why: 'w',
          data: {},
          at: 1,
        });
        await store.saveKillSwitch({ all: false, agents: ['a'], groups: [], capabilities: [] });
        expect(await store.audit.verify()).toMatchObject({ ok: true, entries: 1 });
        const asRuntime = new pg.Client({ connectionString: runtimeUrl.toString() });
        await asRuntime.connect();
        try {
          await expect(asRuntime.query(`update mandate_audit_entry set why = 'x'`)).rejects.toMatchObject({
            code: '42501',
          });
          await expect(asRuntime.query('delete from mandate_audit_checkpoint')).rejects.toMatchObject({
            code: '42501',
          });
          await expect(asRuntime.query('alter table mandate_audit_entry disable trigger all')).rejects.toMatchObject({
            code: '42501',
          });
          await expect(asRuntime.query('set session_replication_role = replica')).rejects.toMatchObject({
            code: '42501',
          });
        } finally {
          await asRuntime.end();
        }
      } finally {
        await store.close();
      }
      expect(() => runtimeRoleGrants('Robert"); drop table x; --')).toThrowError(
        expect.objectContaining({ code: 'MANDATE_ERR_STORE_CONFIG' }),
      );
    } finally {
      await admin.query(`drop owned by ${role}`).catch(() => undefined);
      await admin.end();
      rmSync(dir, { recursive: true, force: true });
    }
    const server = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await server.connect();
    await server.query(`drop database if exists ${db.name} with (force)`);
    await server.query(`drop role if exists ${role}`);
    await server.end();
  });
});
