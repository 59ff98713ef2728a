import { z } from 'zod';
import type { AuditInput } from '../audit/AuditInput.ts';
import type { SqlExecutor } from '../audit/SqlExecutor.ts';
import type { BehaviourEvent, BehaviourStore } from './BehaviourStore.ts';
import { parseInput } from './storeSchemas.ts';

/**
 * How the behaviour history (and the stake ledger) reach the database: writes through the store's writer, reads
 * with its retry. A write given `audit` entries appends them to the audit chain in the same transaction.
 */
export interface BehaviourSql {
  write(run: (tx: SqlExecutor) => Promise<unknown>, audit?: readonly AuditInput[]): Promise<unknown>;
  read<R>(sql: string, params?: unknown[]): Promise<R[]>;
}

const eventSchema = z.object({
  agentId: z.string().min(1),
  kind: z.enum(['proposed', 'executed']),
  at: z.number().int().nonnegative(),
  amount: z.number().finite().optional(),
  counterparty: z.string().min(1).max(64).optional(),
});

interface BehaviourDbRow {
  agent_id: string;
  kind: 'proposed' | 'executed';
  at: string | number;
  amount: number | null;
  counterparty: string | null;
}

/** The zero-trust behaviour history on PostgreSQL (or the embedded database): `mandate_behaviour_event`. */
export class PostgresBehaviourStore implements BehaviourStore {
  readonly #sql: BehaviourSql;

  constructor(sql: BehaviourSql) {
    this.#sql = sql;
  }

  async append(event: BehaviourEvent): Promise<void> {
    const e = parseInput(eventSchema, event, 'behaviour event');
    await this.#sql.write((tx) =>
      tx.execute(
        'insert into mandate_behaviour_event (agent_id, kind, at, amount, counterparty) values (?, ?, ?, ?, ?)',
        [e.agentId, e.kind, e.at, e.amount ?? null, e.counterparty ?? null],
      ),
    );
  }

  async load(perKind: number): Promise<BehaviourEvent[]> {
    const ranked =
      'select id, row_number() over (partition by agent_id, kind order by id desc) as rn from mandate_behaviour_event';
    await this.#sql.write((tx) =>
      tx.execute(`delete from mandate_behaviour_event where id in (select id from (${ranked}) r where r.rn > ?)`, [
        perKind,
      ]),
    );
    const rows = await this.#sql.read<BehaviourDbRow>(
      'select agent_id, kind, at, amount, counterparty from mandate_behaviour_event order by id',
    );
    return rows.map((r) => ({
      agentId: r.agent_id,
      kind: r.kind,
      at: Number(r.at),
      ...(r.amount === null ? {} : { amount: Number(r.amount) }),
      ...(r.counterparty === null ? {} : { counterparty: r.counterparty }),
    }));
  }
}
