import { pgExecutor } from './PgExecutor.ts';
import type { PostgresStoreParts } from './PostgresStoreParts.ts';
import type { SnapshotDbRow } from './rowMappers.ts';
import { SnapshotReader } from './SnapshotReader.ts';
import { withDbRetry } from './withDbRetry.ts';

/** The newest snapshot of every agent. */
export const ALL_SNAPSHOTS = 'select distinct on (agent_id) * from mandate_snapshot order by agent_id, seq desc';

/**
 * The store's group reader of single-agent snapshots, on its read pool (the main pool when it has none);
 * a load sees every snapshot whose save resolved before it. `close` waits for the loads queued, then ends the read pool.
 */
export function storeSnapshotReader(parts: PostgresStoreParts): Pick<SnapshotReader<SnapshotDbRow>, 'load' | 'close'> {
  const reads = pgExecutor(parts.readPool ?? parts.pool);
  const reader = new SnapshotReader<SnapshotDbRow>({
    query: (ids) =>
      withDbRetry(
        () =>
          reads.execute(
            'select distinct on (agent_id) * from mandate_snapshot where agent_id = any(?) order by agent_id, seq desc',
            [ids],
          ) as Promise<SnapshotDbRow[]>,
        parts.retry,
        'a snapshot read',
      ),
    agentOf: (row) => row.agent_id,
    maxBatch: parts.maxBatch,
  });
  return {
    load: (agentId) => reader.load(agentId),
    async close() {
      await reader.close();
      await parts.readPool?.end();
    },
  };
}
