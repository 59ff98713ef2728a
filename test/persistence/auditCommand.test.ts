import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAuditCommand } from '../../cli/auditCommand.ts';
import { openTestStore, type TestStore } from '../support/db.ts';

function capture() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (t: string) => (out.stdout += t) },
      stderr: { write: (t: string) => (out.stderr += t) },
      env: {},
    },
  };
}

describe('mandate audit verify', () => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore('postgresql');
    for (let i = 1; i <= 5; i++) {
      await t.store.appendAudit({
        who: { kind: 'human', id: 'ops' },
        action: 'operator.pause',
        subject: `agent-${i}`,
        where: 'gateway',
        why: 'maintenance',
        data: {},
        at: 1_790_000_000_000 + i,
      });
    }
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('audit cli - prints OK and exits 0 on an intact chain', async () => {
    const { out, io } = capture();
    expect(await runAuditCommand(['verify', '--database-url', t.store.databaseUrl, '--key-file', t.keyFile], io)).toBe(
      0,
    );
    expect(out.stdout).toMatch(/audit chain OK: 5 entries, head seq 5/);
  });

  it('audit cli - prints where the chain breaks and exits 1', async () => {
    const su = await t.superuser();
    await su.query('set session_replication_role = replica');
    await su.query(`update mandate_audit_entry set why = 'nothing to see' where seq = 3`);
    await su.query('set session_replication_role = origin');
    const { out, io } = capture();
    expect(await runAuditCommand(['verify', '--database-url', t.store.databaseUrl, '--key-file', t.keyFile], io)).toBe(
      1,
    );
    expect(out.stdout).toMatch(/audit chain BROKEN at seq 3 \(hash-mismatch\)/);
    const json = capture();
    expect(
      await runAuditCommand(
        ['verify', '--json', '--database-url', t.store.databaseUrl, '--key-file', t.keyFile],
        json.io,
      ),
    ).toBe(1);
    expect(JSON.parse(json.out.stdout)).toMatchObject({ ok: false, breaks: [{ seq: 3, reason: 'hash-mismatch' }] });
  });

  it('audit cli - bad usage and an unreachable database exit 1 with a coded message', async () => {
    const usage = capture();
    expect(await runAuditCommand(['repair'], usage.io)).toBe(1);
    expect(usage.out.stderr).toContain('MANDATE_ERR_USAGE');
    const down = capture();
    expect(await runAuditCommand(['verify', '--database-url', 'postgresql://postgres@127.0.0.1:1/x'], down.io)).toBe(1);
    expect(down.out.stderr).toContain('MANDATE_ERR_STORE_UNAVAILABLE');
  });
});
