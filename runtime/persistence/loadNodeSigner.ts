import { AgentIdentity } from '../../transport/index.ts';
import type { SqlExecutor } from '../audit/SqlExecutor.ts';
import type { SecretBox } from './SecretBox.ts';

/**
 * The identity that signs audit checkpoints: created on first open, stored sealed in
 * `mandate_node_key`, so every process on the database signs with the same did.
 */
export async function loadNodeSigner(db: SqlExecutor, box: SecretBox, clock: () => number): Promise<AgentIdentity> {
  const candidate = AgentIdentity.generate();
  await db.execute(
    `insert into mandate_node_key (id, did, sealed, created_at) values ('audit-signer', ?, ?, ?) on conflict (id) do nothing`,
    [candidate.did, box.seal(candidate.toJSON().privateKey, 'node:audit-signer'), clock()],
  );
  const rows = (await db.execute(`select did, sealed from mandate_node_key where id = 'audit-signer'`)) as {
    did: string;
    sealed: string;
  }[];
  const row = rows[0]!;
  return AgentIdentity.fromJSON({ did: row.did, privateKey: box.open(row.sealed, 'node:audit-signer') });
}
