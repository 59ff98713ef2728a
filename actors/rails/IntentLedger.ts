/**
 * The rails' write-ahead record of payment intents (`rail_intents`): an intent is recorded before
 * anything is broadcast (by the EVM rail in the same commit as its signed bytes), its receipt evolves with every step, and the idempotency key decides
 * whether a call is new, a repeat (first result returned) or a conflict.
 *
 * It owns what happens to a payment on the rail (receipt lifecycle, with nonces and signed bytes
 * beside it) and works with or without the runtime. Whether an agent's approved act already ran is
 * the runtime intent log's job (`mandate_intent`, runtime/host/IntentLog.ts); README.md, "Two
 * write-ahead records, two jobs", says who owns what.
 */
import { IdempotencyConflictError, type ErrorCode } from '../../kernel/index.ts';
import { concealPayee, isConcealed, revealPayee, type StoredIntent } from './concealPayee.ts';
import type { PayeeVault } from './PayeeVault.ts';
import { intentFingerprint, type PaymentIntent } from './PaymentIntent.ts';
import type { PaymentReceipt, PaymentStatus } from './PaymentReceipt.ts';
import type { RailSql } from './RailSql.ts';

/** A recorded intent. */
export interface LedgerEntry {
  readonly intent: PaymentIntent;
  readonly status: PaymentStatus | 'signed';
  readonly receipt: PaymentReceipt;
}

interface Row extends Record<string, unknown> {
  idempotency_key: string;
  fingerprint: string;
  params: StoredIntent;
  status: PaymentStatus | 'signed';
  receipt: PaymentReceipt;
}

/** Builds the first receipt of an intent: pending, nothing sent yet. */
export function pendingReceipt(intent: PaymentIntent, rail: string, now: Date): PaymentReceipt {
  return {
    idempotencyKey: intent.idempotencyKey,
    kind: intent.kind,
    rail,
    reference: null,
    status: 'pending',
    confirmations: 0,
    fees: [],
    attempts: [],
    reorgs: 0,
    createdAt: now.toISOString(),
    submittedAt: null,
    finalizedAt: null,
    failure: null,
    details: {},
  };
}

/** Where and when an intent is recorded: its ledger partition `rail`, the name receipts show (`receiptRail`, default `rail`), and the transaction to record it in (`lockIn`). */
export interface LedgerBegin {
  rail: string;
  now: Date;
  receiptRail?: string;
  lockIn?: RailSql;
}

/** A new status and receipt for a ledger entry, as of `now`. */
export interface LedgerUpdate {
  status: LedgerEntry['status'];
  receipt: PaymentReceipt;
  now: Date;
}

/**
 * Idempotent, write-ahead storage of intents and their receipts. With a {@link PayeeVault}, a fiat
 * creditor's name and IBAN are kept in the vault and `rail_intents` holds only the pseudonym (and a
 * fingerprint over that form, so nothing personal can be guessed back from it either).
 */
export class IntentLedger {
  readonly #sql: RailSql;
  readonly #vault: PayeeVault | undefined;

  constructor(sql: RailSql, vault?: PayeeVault) {
    this.#sql = sql;
    this.#vault = vault;
  }

  /**
   * Records `intent` for `rail` if its key is new; otherwise returns the existing entry, or
   * throws {@link IdempotencyConflictError} when the key was used with other parameters.
   * `rail` is the ledger partition (recovery scans it); `receiptRail` the name receipts show.
   * With `lockIn` it runs inside that transaction and row-locks the entry (the EVM rail records the intent
   * in the same commit as its signed transaction).
   */
  async begin(intent: PaymentIntent, { rail, now, receiptRail = rail, lockIn }: LedgerBegin): Promise<LedgerEntry> {
    const stored = await concealPayee(intent, this.#vault);
    const fingerprint = intentFingerprint(stored as PaymentIntent);
    const receipt = pendingReceipt(intent, receiptRail, now);
    const sql = lockIn ?? this.#sql;
    const inserted = await sql.query<Row>(
      `INSERT INTO rail_intents (idempotency_key, kind, rail, agent_id, fingerprint, params, status, receipt, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $8, $8)
       ON CONFLICT (idempotency_key) DO NOTHING RETURNING *`,
      [
        intent.idempotencyKey,
        intent.kind,
        rail,
        intent.agentId,
        fingerprint,
        JSON.stringify(stored),
        JSON.stringify(receipt),
        now,
      ],
    );
    const row = inserted[0] ?? (await this.#row(sql, intent.idempotencyKey, lockIn !== undefined));
    if (row === undefined) throw new Error(`rail_intents row ${intent.idempotencyKey} vanished after insert`);
    return this.#entry(checked(row, intent, fingerprint));
  }

  /** The entry recorded for `intent`'s key, if any (a read, nothing written); throws on a key reused with other parameters. */
  async find(intent: PaymentIntent): Promise<LedgerEntry | undefined> {
    const row = await this.#row(this.#sql, intent.idempotencyKey);
    return row === undefined ? undefined : this.#entry(checked(row, intent, intentFingerprint(intent)));
  }

  async get(key: string, tx: RailSql = this.#sql, lock = false): Promise<LedgerEntry | undefined> {
    const row = await this.#row(tx, key, lock);
    return row === undefined ? undefined : this.#entry(row);
  }

  /**
   * Stores a new status and receipt. A final receipt is never overwritten (another process may
   * have finalized the payment meanwhile): returns false when nothing was written.
   */
  async update(key: string, { status, receipt, now }: LedgerUpdate, tx: RailSql = this.#sql): Promise<boolean> {
    const rows = await tx.query(
      `UPDATE rail_intents SET status = $2, receipt = $3, updated_at = $4
       WHERE idempotency_key = $1 AND status NOT IN ('confirmed', 'settled', 'failed', 'returned', 'cancelled', 'would-have-sent') RETURNING 1`,
      [key, status, JSON.stringify(receipt), now],
    );
    return rows.length > 0;
  }

  /**
   * Marks a payment refused before anything reached the chain as failed, with the error's code and
   * message as its failure; returns the failed receipt (the rail then releases its reservation).
   */
  async fail(
    key: string,
    { error, now }: { error: { code: ErrorCode; message: string }; now: Date },
    tx: RailSql = this.#sql,
  ): Promise<PaymentReceipt> {
    const entry = (await this.get(key, tx))!;
    const receipt: PaymentReceipt = {
      ...entry.receipt,
      status: 'failed',
      finalizedAt: now.toISOString(),
      failure: { code: error.code, message: error.message },
    };
    await this.update(key, { status: 'failed', receipt, now }, tx);
    return receipt;
  }

  /** Keys of the intents of `rail` that are not final yet, oldest first. */
  async openKeys(rail: string): Promise<string[]> {
    const rows = await this.#sql.query<{ idempotency_key: string }>(
      `SELECT idempotency_key FROM rail_intents WHERE rail = $1 AND status IN ('pending', 'signed', 'submitted') ORDER BY created_at, idempotency_key`,
      [rail],
    );
    return rows.map((r) => r.idempotency_key);
  }

  /** The entry of a row, a concealed creditor opened from the vault. */
  async #entry(row: Row): Promise<LedgerEntry> {
    return { intent: await revealPayee(row.params, this.#vault), status: row.status, receipt: row.receipt };
  }

  async #row(tx: RailSql, key: string, lock = false): Promise<Row | undefined> {
    const rows = await tx.query<Row>(
      `SELECT * FROM rail_intents WHERE idempotency_key = $1${lock ? ' FOR UPDATE' : ''}`,
      [key],
    );
    return rows[0];
  }
}

/**
 * The row, if it was recorded for the same parameters. `fingerprint` is over the stored form; a row
 * from before the vault holds its creditor in clear and was fingerprinted over the clear intent.
 */
function checked(row: Row, intent: PaymentIntent, fingerprint: string): Row {
  const expected = intent.kind === 'fiat' && !isConcealed(row.params) ? intentFingerprint(intent) : fingerprint;
  if (row.fingerprint !== expected) {
    throw new IdempotencyConflictError(
      `idempotency key "${intent.idempotencyKey}" was already used for a different payment; use a new key for new parameters, or resend exactly the first parameters to get the first result`,
      { details: { idempotencyKey: intent.idempotencyKey } },
    );
  }
  return row;
}
