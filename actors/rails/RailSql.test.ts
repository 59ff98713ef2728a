import { MikroORM } from '@mikro-orm/postgresql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRailTestDatabase, type RailTestDatabase } from '../../test/support/evmDatabase.ts';
import { railEntities } from './entities.ts';
import { mikroOrmRailSql, pgRailSql, type RailSql } from './RailSql.ts';

let db: RailTestDatabase;
let orm: MikroORM;
beforeAll(async () => {
  db = await createRailTestDatabase('mandate_railsql');
  orm = await MikroORM.init({ clientUrl: db.url, entities: [...railEntities] });
});
afterAll(async () => {
  await orm?.close();
  await db?.close();
});

const adapters: [string, () => RailSql][] = [
  ['pg', () => pgRailSql(db.pool)],
  ['mikro-orm', () => mikroOrmRailSql(orm.em.fork())],
];

describe.each(adapters)('RailSql over %s', (name, make) => {
  it(`rails sql - ${name} commits a transaction and rolls it back on error`, async () => {
    const sql = make();
    const insert = (tx: RailSql, address: string) =>
      tx.query(`INSERT INTO rail_nonces (chain_id, address, next_nonce, updated_at) VALUES ($1, $2, $3, now())`, [
        1,
        address,
        '5',
      ]);
    await sql.transaction((tx) => insert(tx, `${name}-kept`));
    await expect(
      sql.transaction(async (tx) => {
        await insert(tx, `${name}-lost`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const rows = await sql.query<{ address: string; next_nonce: string }>(
      `SELECT address, next_nonce FROM rail_nonces WHERE address LIKE $1 ORDER BY address`,
      [`${name}-%`],
    );
    expect(rows.map((r) => r.address)).toEqual([`${name}-kept`]);
    expect(String(rows[0]!.next_nonce)).toBe('5');
  });
});
