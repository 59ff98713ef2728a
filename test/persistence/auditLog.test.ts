import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../runtime/audit/index.ts';
import { pgTransaction } from '../../runtime/persistence/PgExecutor.ts';
import { AgentIdentity } from '../../transport/index.ts';
import { openTestStore } from '../support/db.ts';

const T0 = 1_790_000_000_000;
const write = (i: number) => ({
  entryId: `e-${i}`,
  input: {
    who: { kind: 'system' as const, id: 'runtime' },
    action: 'agent.act.succeeded',
    subject: 'a',
    where: 'n',
    why: `w${i}`,
    data: {},
    at: T0 + i,
  },
});

describe('audit log', () => {
  it('audit log - append and checkpoint return what they did in their transaction; nothing is kept in public flags', async () => {
    await using t = await openTestStore('postgresql', { checkpointEvery: 1000 });
    const pool = new pg.Pool({ connectionString: t.store.databaseUrl, max: 2 });
    try {
      const log = new AuditLog({ signer: AgentIdentity.generate(), checkpointEvery: 2 });
      const first = await pgTransaction(pool, (tx) => log.append(tx, [write(1)], { now: T0, inDoubt: false }));
      expect(first).toMatchObject({ entries: [{ seq: 1 }], signed: undefined, resolvedDoubt: false });
      const second = await pgTransaction(pool, (tx) => log.append(tx, [write(2)], { now: T0, inDoubt: false }));
      expect(second).toMatchObject({ entries: [{ seq: 2 }], signed: { seq: 2 }, resolvedDoubt: false });
      // In doubt: a retry of writes that did commit appends nothing and says the doubt is resolved.
      const retried = await pgTransaction(pool, (tx) =>
        log.append(tx, [write(2), write(3)], { now: T0, inDoubt: true }),
      );
      expect(retried).toMatchObject({ entries: [{ seq: 3, why: 'w3' }], resolvedDoubt: true });
      expect(await pgTransaction(pool, (tx) => log.append(tx, [write(3)], { now: T0, inDoubt: true }))).toEqual({
        entries: [],
        signed: undefined,
        resolvedDoubt: true,
      });
      expect(await pgTransaction(pool, (tx) => log.checkpoint(tx, T0))).toMatchObject({
        status: 'signed',
        checkpoint: { seq: 3 },
      });
      expect(await pgTransaction(pool, (tx) => log.checkpoint(tx, T0))).toEqual({ status: 'up-to-date' });
      expect(Object.keys(log)).toEqual([]);
    } finally {
      await pool.end();
    }
  });
});
