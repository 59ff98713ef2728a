import type { SqlExecutor } from '../audit/SqlExecutor.ts';
import type { ReputationEvent, ReputationStore } from './ReputationEvent.ts';
import * as records from './recordStatements.ts';
import { reputationFromRow, type ReputationDbRow } from './rowMappers.ts';
import { parseInput, storeSchemas } from './storeSchemas.ts';

/** How the store's reputation history reaches the database: writes through its writer, reads with its retry. */
export interface ReputationSql {
  write(run: (tx: SqlExecutor) => Promise<unknown>): Promise<unknown>;
  read<R>(sql: string, params?: unknown[]): Promise<R[]>;
}

/** The reputation history on PostgreSQL (or the embedded database): the `mandate_reputation_event` table. */
export class PostgresReputationStore implements ReputationStore {
  readonly #sql: ReputationSql;

  constructor(sql: ReputationSql) {
    this.#sql = sql;
  }

  async append(event: ReputationEvent): Promise<void> {
    const e = parseInput(storeSchemas.reputation, event, 'reputation event');
    await this.#sql.write((tx) => records.insertReputationEvent(tx, e));
  }

  async list(agentId: string, limit = 100): Promise<ReputationEvent[]> {
    const sql = 'select * from mandate_reputation_event where agent_id = ? order by id desc limit ?';
    return (await this.#sql.read<ReputationDbRow>(sql, [agentId, limit])).map(reputationFromRow);
  }

  async latest(): Promise<ReputationEvent[]> {
    const sql = 'select distinct on (agent_id) * from mandate_reputation_event order by agent_id, id desc';
    return (await this.#sql.read<ReputationDbRow>(sql)).map(reputationFromRow);
  }
}
