import { z } from 'zod';
import type { AuditInput } from '../audit/AuditInput.ts';
import type { SqlExecutor } from '../audit/SqlExecutor.ts';
import type { StakeEntry, StakeStore } from './StakeStore.ts';
import type { BehaviourSql } from './PostgresBehaviourStore.ts';
import { parseInput } from './storeSchemas.ts';

const decimal = z.string().regex(/^\d{1,30}(\.\d{1,18})?$/, 'a non-negative decimal string');
const account = z.string().min(1).max(200);
const entrySchema = z.object({
  agentId: z.string().min(1),
  kind: z.enum(['posted', 'slashed']),
  asset: z.string().min(1).max(32),
  amount: decimal,
  from: account,
  to: account,
  balance: decimal,
  reason: z.string().max(2_000),
  at: z.number().int().nonnegative(),
});

interface StakeDbRow {
  agent_id: string;
  kind: 'posted' | 'slashed';
  asset: string;
  amount: string;
  from_account: string;
  to_account: string;
  balance: string;
  reason: string;
  at: string | number;
}

/** A stake entry checked before it is queued for the database (a `StoreInputError` naming the field). */
export function parseStakeEntry(entry: StakeEntry): StakeEntry {
  return parseInput(entrySchema, entry, 'stake entry');
}

/** Inserts a parsed stake entry in `tx`: alone, or in the transaction of the reputation change that slashed it. */
export function insertStakeEntry(tx: SqlExecutor, e: StakeEntry): Promise<unknown> {
  return tx.execute(
    'insert into mandate_stake_entry (agent_id, kind, asset, amount, from_account, to_account, balance, reason, at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [e.agentId, e.kind, e.asset, e.amount, e.from, e.to, e.balance, e.reason, e.at],
  );
}

/** The stake ledger on PostgreSQL (or the embedded database): `mandate_stake_entry`, append-only by trigger. */
export class PostgresStakeStore implements StakeStore {
  readonly #sql: BehaviourSql;

  constructor(sql: BehaviourSql) {
    this.#sql = sql;
  }

  async append(entry: StakeEntry, audit?: AuditInput): Promise<void> {
    const e = parseStakeEntry(entry);
    await this.#sql.write((tx) => insertStakeEntry(tx, e), audit === undefined ? [] : [audit]);
  }

  async list(): Promise<StakeEntry[]> {
    const rows = await this.#sql.read<StakeDbRow>('select * from mandate_stake_entry order by id');
    return rows.map((r) => ({
      agentId: r.agent_id,
      kind: r.kind,
      asset: r.asset,
      amount: r.amount,
      from: r.from_account,
      to: r.to_account,
      balance: r.balance,
      reason: r.reason,
      at: Number(r.at),
    }));
  }
}
