/**
 * Signed Solana transactions (`rail_solana_attempts`): the wire bytes, their signature and the
 * blockhash window they are valid in, stored in the same commit as the intent before anything
 * is sent. A stored attempt is rebroadcast as is (same signature: the chain processes a
 * signature at most once) until its blockhash is provably expired.
 */
import type { RailSql } from '../RailSql.ts';

/** One signed transaction of a Solana payment. */
export interface SolanaAttempt {
  readonly signature: string;
  readonly idempotencyKey: string;
  /** Base64 wire transaction. */
  readonly wireTx: string;
  readonly blockhash: string;
  readonly lastValidBlockHeight: bigint;
  /**
   * `signed` (stored, maybe not sent), `broadcast` (a node accepted it once), `rejected` (a node's
   * preflight refused it; `reason` says why), `expired` (its blockhash passed and it never landed).
   */
  readonly status: 'signed' | 'broadcast' | 'rejected' | 'expired';
  readonly reason: string | null;
  readonly createdAt: Date;
}

interface Row extends Record<string, unknown> {
  signature: string;
  idempotency_key: string;
  wire_tx: string;
  blockhash: string;
  last_valid_block_height: string;
  status: SolanaAttempt['status'];
  reason: string | null;
  created_at: Date;
}

const toAttempt = (r: Row): SolanaAttempt => ({
  signature: r.signature,
  idempotencyKey: r.idempotency_key,
  wireTx: r.wire_tx,
  blockhash: r.blockhash,
  lastValidBlockHeight: BigInt(r.last_valid_block_height),
  status: r.status,
  reason: r.reason,
  createdAt: new Date(r.created_at),
});

/** SQL access to the attempts of one (cluster, payer). */
export class SolanaAttemptStore {
  readonly #sql: RailSql;
  readonly #cluster: string;
  readonly #from: string;

  constructor(sql: RailSql, cluster: string, from: string) {
    this.#sql = sql;
    this.#cluster = cluster;
    this.#from = from;
  }

  /** Stores a signed transaction (inside the caller's transaction). */
  async record(tx: RailSql, attempt: Omit<SolanaAttempt, 'status' | 'reason' | 'createdAt'>, now: Date): Promise<void> {
    await tx.query(
      `INSERT INTO rail_solana_attempts (signature, idempotency_key, cluster, from_address, wire_tx, blockhash, last_valid_block_height, status, reason, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'signed', NULL, $8) ON CONFLICT (signature) DO NOTHING`,
      [
        attempt.signature,
        attempt.idempotencyKey,
        this.#cluster,
        this.#from,
        attempt.wireTx,
        attempt.blockhash,
        attempt.lastValidBlockHeight.toString(),
        now,
      ],
    );
  }

  /** Every attempt of a payment, oldest first. */
  async forKey(key: string, tx: RailSql = this.#sql): Promise<SolanaAttempt[]> {
    const rows = await tx.query<Row>(
      'SELECT * FROM rail_solana_attempts WHERE idempotency_key = $1 ORDER BY created_at, last_valid_block_height',
      [key],
    );
    return rows.map(toAttempt);
  }

  /** Marks an attempt; an `expired` one never changes again. */
  async mark(signature: string, status: SolanaAttempt['status'], reason: string | null = null): Promise<void> {
    await this.#sql.query(
      `UPDATE rail_solana_attempts SET status = $2, reason = COALESCE($3, reason) WHERE signature = $1 AND status <> 'expired'`,
      [signature, status, reason],
    );
  }

  /** Marks every attempt of a payment expired (inside the transaction that stores the next one). */
  async expireAll(tx: RailSql, key: string): Promise<void> {
    await tx.query(`UPDATE rail_solana_attempts SET status = 'expired' WHERE idempotency_key = $1`, [key]);
  }
}
