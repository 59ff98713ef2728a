import type { AuditInput } from '../audit/AuditInput.ts';
import type { SqlExecutor } from '../audit/SqlExecutor.ts';
import type { ReputationEffects, ReputationEvent, ReputationStore } from './ReputationEvent.ts';
import { insertStakeEntry, parseStakeEntry } from './PostgresStakeStore.ts';
import type { StakeEntry } from './StakeStore.ts';
import * as records from './recordStatements.ts';
import { reputationFromRow, type ReputationDbRow } from './rowMappers.ts';
import { parseInput, storeSchemas } from './storeSchemas.ts';

/**
 * How the store's reputation history reaches the database: writes through its writer (with `audit`, those
 * entries join the audit chain in the write's transaction), reads with its retry.
 */
export interface ReputationSql {
  write(run: (tx: SqlExecutor) => Promise<unknown>, audit?: readonly AuditInput[]): Promise<unknown>;
  read<R>(sql: string, params?: unknown[]): Promise<R[]>;
}

/** The reputation history on PostgreSQL (or the embedded database): the `mandate_reputation_event` table. */
export class PostgresReputationStore implements ReputationStore {
  readonly #sql: ReputationSql;

  constructor(sql: ReputationSql) {
    this.#sql = sql;
  }

  async append(event: ReputationEvent, effects: ReputationEffects = {}): Promise<void> {
    const e = parseInput(storeSchemas.reputation, event, 'reputation event');
    const stake: StakeEntry | undefined = effects.stake === undefined ? undefined : parseStakeEntry(effects.stake);
    // One transaction: the score's slash, the stake's slash and their audit entries commit together or not at all.
    await this.#sql.write(async (tx) => {
      await records.insertReputationEvent(tx, e);
      if (stake !== undefined) await insertStakeEntry(tx, stake);
    }, effects.audit);
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
