import { randomBytes } from 'node:crypto';
import type { SqlExecutor } from '../audit/SqlExecutor.ts';
import type { SecretBox } from './SecretBox.ts';

/**
 * The node's wallet seed (32 random bytes, hex) from which every agent's EVM account is derived:
 * created on first use and kept sealed in `mandate_node_key` (row `wallet-seed`), so every process
 * on the database derives the same addresses.
 */
export async function loadWalletSeed(db: SqlExecutor, box: SecretBox, clock: () => number): Promise<string> {
  const seed = `0x${randomBytes(32).toString('hex')}`;
  await db.execute(
    `insert into mandate_node_key (id, did, sealed, created_at) values ('wallet-seed', '-', ?, ?) on conflict (id) do nothing`,
    [box.seal(seed, 'node:wallet-seed'), clock()],
  );
  const rows = (await db.execute(`select sealed from mandate_node_key where id = 'wallet-seed'`)) as {
    sealed: string;
  }[];
  return box.open(rows[0]!.sealed, 'node:wallet-seed');
}
