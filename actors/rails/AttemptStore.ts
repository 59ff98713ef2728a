/**
 * Signed transactions (`rail_attempts`) and the persisted nonce counter (`rail_nonces`).
 *
 * The counter only advances in the same database transaction that stores a signed
 * transaction for that nonce, so every nonce handed out has signed bytes on disk that can be
 * (re)broadcast after a crash: no gap can open on chain.
 */
import type { RailSql } from './RailSql.ts';

/** One signed transaction of a payment. */
export interface Attempt {
  readonly txHash: string;
  readonly idempotencyKey: string;
  readonly nonce: bigint;
  /** `payment`, `replacement` (same payment, higher fees) or `cancel` (0-value self-transfer). */
  readonly purpose: 'payment' | 'replacement' | 'cancel';
  readonly rawTx: string;
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
  /** `signed` (on disk, maybe not sent), `broadcast` (accepted by the node once). */
  readonly status: 'signed' | 'broadcast';
  readonly createdAt: Date;
}

interface Row extends Record<string, unknown> {
  tx_hash: string;
  idempotency_key: string;
  nonce: string;
  purpose: Attempt['purpose'];
  raw_tx: string;
  max_fee_per_gas: string;
  max_priority_fee_per_gas: string;
  status: Attempt['status'];
  created_at: Date;
}

const toAttempt = (r: Row): Attempt => ({
  txHash: r.tx_hash,
  idempotencyKey: r.idempotency_key,
  nonce: BigInt(r.nonce),
  purpose: r.purpose,
  rawTx: r.raw_tx,
  maxFeePerGas: BigInt(r.max_fee_per_gas),
  maxPriorityFeePerGas: BigInt(r.max_priority_fee_per_gas),
  status: r.status,
  createdAt: new Date(r.created_at),
});

/** SQL access to attempts and nonces for one (chain, sender). */
export class AttemptStore {
  readonly #sql: RailSql;
  readonly #chainId: number;
  readonly #from: string;

  constructor(sql: RailSql, chainId: number, from: string) {
    this.#sql = sql;
    this.#chainId = chainId;
    this.#from = from.toLowerCase();
  }

  /**
   * Locks the nonce row and returns the next nonce: the stored counter, or the chain's
   * transaction count (`pending`) when that is higher (the key was used outside this rail — skipping ahead
   * cannot open a gap, reusing a consumed nonce would fail). Must run inside a transaction;
   * pair with {@link record} in the same transaction.
   */
  async lockNextNonce(tx: RailSql, chainNext: bigint): Promise<bigint> {
    // One round trip: create the row on first use, otherwise lock it (DO UPDATE takes the row lock) and read it.
    const rows = await tx.query<{ next_nonce: string }>(
      `INSERT INTO rail_nonces (chain_id, address, next_nonce, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (chain_id, address) DO UPDATE SET updated_at = rail_nonces.updated_at RETURNING next_nonce`,
      [this.#chainId, this.#from, chainNext.toString()],
    );
    const stored = BigInt(rows[0]!.next_nonce);
    return stored > chainNext ? stored : chainNext;
  }

  /** Peeks at the next nonce without locking (dry-run). */
  async peekNextNonce(): Promise<bigint | undefined> {
    const rows = await this.#sql.query<{ next_nonce: string }>(
      'SELECT next_nonce FROM rail_nonces WHERE chain_id = $1 AND address = $2',
      [this.#chainId, this.#from],
    );
    return rows[0] === undefined ? undefined : BigInt(rows[0].next_nonce);
  }

  /** Stores a signed transaction (made at `createdAt`); for a fresh nonce also advances the counter past it. */
  async record(tx: RailSql, attempt: Omit<Attempt, 'status'>, advanceNonce: boolean): Promise<void> {
    const now = attempt.createdAt;
    await tx.query(
      `INSERT INTO rail_attempts (tx_hash, idempotency_key, chain_id, from_address, nonce, purpose, raw_tx, max_fee_per_gas, max_priority_fee_per_gas, status, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'signed', $10) ON CONFLICT (tx_hash) DO NOTHING`,
      [
        attempt.txHash,
        attempt.idempotencyKey,
        this.#chainId,
        this.#from,
        attempt.nonce.toString(),
        attempt.purpose,
        attempt.rawTx,
        attempt.maxFeePerGas.toString(),
        attempt.maxPriorityFeePerGas.toString(),
        now,
      ],
    );
    if (advanceNonce) {
      await tx.query('UPDATE rail_nonces SET next_nonce = $3, updated_at = $4 WHERE chain_id = $1 AND address = $2', [
        this.#chainId,
        this.#from,
        (attempt.nonce + 1n).toString(),
        now,
      ]);
    }
  }

  /**
   * A new payment's first attempt, in ONE statement inside the signing transaction `tx`: stores the attempt,
   * advances the nonce past it and moves the intent to `signed` with `receipt` (three writes, one round trip,
   * all dated `createdAt`).
   */
  async recordPayment(tx: RailSql, attempt: Omit<Attempt, 'status' | 'purpose'>, receipt: unknown): Promise<void> {
    const now = attempt.createdAt;
    await tx.query(
      `WITH attempt AS (
         INSERT INTO rail_attempts (tx_hash, idempotency_key, chain_id, from_address, nonce, purpose, raw_tx, max_fee_per_gas, max_priority_fee_per_gas, status, created_at)
         VALUES ($1, $2, $3, $4, $5, 'payment', $6, $7, $8, 'signed', $9) ON CONFLICT (tx_hash) DO NOTHING
       ), nonce AS (
         UPDATE rail_nonces SET next_nonce = $10, updated_at = $9 WHERE chain_id = $3 AND address = $4
       )
       UPDATE rail_intents SET status = 'signed', receipt = $11, updated_at = $9
       WHERE idempotency_key = $2 AND status = 'pending'`,
      [
        attempt.txHash,
        attempt.idempotencyKey,
        this.#chainId,
        this.#from,
        attempt.nonce.toString(),
        attempt.rawTx,
        attempt.maxFeePerGas.toString(),
        attempt.maxPriorityFeePerGas.toString(),
        now,
        (attempt.nonce + 1n).toString(),
        JSON.stringify(receipt),
      ],
    );
  }

  /** Marks an attempt as accepted by the node. */
  async markBroadcast(txHash: string): Promise<void> {
    // An asynchronous commit on purpose (no WAL flush waited for): if a crash loses this mark, the attempt
    // reads as unsent again and recover()/reconcile send the very same signed bytes once more, which the
    // node answers "known" or "nonce too low". Nothing is re-signed, so nothing can be paid twice.
    await this.#sql.transaction(async (tx) => {
      await tx.query('SET LOCAL synchronous_commit = off');
      await this.markBroadcastIn(tx, [txHash]);
    });
  }

  /** Marks attempts as accepted by the node inside the caller's transaction. */
  async markBroadcastIn(tx: RailSql, txHashes: readonly string[]): Promise<void> {
    for (const h of txHashes) await tx.query(`UPDATE rail_attempts SET status = 'broadcast' WHERE tx_hash = $1`, [h]);
  }

  async forKey(key: string, tx: RailSql = this.#sql): Promise<Attempt[]> {
    const rows = await tx.query<Row>(
      'SELECT * FROM rail_attempts WHERE idempotency_key = $1 ORDER BY created_at, tx_hash',
      [key],
    );
    return rows.map(toAttempt);
  }

  /** Attempts signed but never acknowledged by the node, in nonce order (crash recovery). */
  async unsent(): Promise<Attempt[]> {
    const rows = await this.#sql.query<Row>(
      `SELECT * FROM rail_attempts WHERE chain_id = $1 AND from_address = $2 AND status = 'signed' ORDER BY nonce, created_at`,
      [this.#chainId, this.#from],
    );
    return rows.map(toAttempt);
  }
}
