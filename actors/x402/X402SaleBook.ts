/**
 * The sales of `rail_x402_sales` as the seller reads and moves them: claim an authorization (kept
 * whole, with its requirement, so the sale can be settled without the buyer), touch a claim while
 * its task or settle runs (the holder's heartbeat), take over a settle (compare-and-set: one taker
 * wins), move a sale from one status to another only from the status it was read in (so two
 * processes recovering one sale agree).
 */
import type { RailSql } from '../rails/RailSql.ts';
import type { RailX402SaleRow } from './entities.ts';
import type { PaidAuthorization } from './x402SaleParts.ts';

/** One sale as stored. */
export type StoredSale = Pick<
  RailX402SaleRow,
  | 'id'
  | 'status'
  | 'capability'
  | 'payer'
  | 'payTo'
  | 'nonce'
  | 'value'
  | 'signature'
  | 'payment'
  | 'requirements'
  | 'result'
  | 'settlement'
> & { validBefore: number | null; updatedAt: Date; createdAt: Date };

const COLUMNS = `id, status, capability, payer, pay_to, nonce, value::text AS value, signature, valid_before::text AS valid_before, payment, requirements, result, settlement, created_at, updated_at`;

function saleOf(row: Record<string, unknown>): StoredSale {
  return {
    id: row.id as string,
    status: row.status as string,
    capability: row.capability as string,
    payer: row.payer as string,
    payTo: row.pay_to as string,
    nonce: row.nonce as string,
    value: row.value as string,
    signature: row.signature as string,
    validBefore: row.valid_before === null ? null : Number(row.valid_before),
    payment: (row.payment ?? null) as StoredSale['payment'],
    requirements: (row.requirements ?? null) as StoredSale['requirements'],
    result: row.result as Record<string, unknown> | null,
    settlement: row.settlement as Record<string, unknown> | null,
    createdAt: new Date(row.created_at as string | Date),
    updatedAt: new Date(row.updated_at as string | Date),
  };
}

/** See the file comment. */
export class X402SaleBook {
  readonly #sql: RailSql;

  constructor(sql: RailSql) {
    this.#sql = sql;
  }

  /** Claims `paid` for `capability` as `working`; false when the authorization was claimed before. */
  async claim(paid: PaidAuthorization, capability: string, at: Date): Promise<boolean> {
    const rows = await this.#sql.query(
      `INSERT INTO rail_x402_sales (id, capability, payer, pay_to, nonce, value, signature, valid_before, payment, requirements, status, result, settlement, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, 'working', NULL, NULL, $11, $11) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        paid.id,
        capability,
        paid.payer,
        paid.payTo,
        paid.nonce,
        paid.value,
        paid.signature,
        paid.validBefore,
        JSON.stringify(paid.payload),
        JSON.stringify(paid.requirements),
        at,
      ],
    );
    return rows.length > 0;
  }

  /** Drops a `working` claim whose task did not run. */
  async unclaim(id: string): Promise<void> {
    await this.#sql.query(`DELETE FROM rail_x402_sales WHERE id = $1 AND status = 'working'`, [id]);
  }

  /** The holder's heartbeat: a `working` or `settling` sale touched recently is not taken over by anyone else. */
  async touch(id: string, at: Date): Promise<void> {
    await this.#sql.query(
      `UPDATE rail_x402_sales SET updated_at = $2 WHERE id = $1 AND status IN ('working', 'settling')`,
      [id, at],
    );
  }

  /**
   * Takes over the settle of a sale: from `delivered` (a settle that failed, or none was made), or
   * from a `settling` not touched since `staleBefore` (its holder died mid-settle). True for the one
   * caller whose move won; the others must not settle.
   */
  async takeOver(id: string, at: Date, staleBefore: Date): Promise<boolean> {
    const rows = await this.#sql.query(
      `UPDATE rail_x402_sales SET status = 'settling', updated_at = $2
       WHERE id = $1 AND (status = 'delivered' OR (status = 'settling' AND updated_at < $3)) RETURNING id`,
      [id, at, staleBefore],
    );
    return rows.length > 0;
  }

  async get(id: string): Promise<StoredSale | undefined> {
    const rows = await this.#sql.query(`SELECT ${COLUMNS} FROM rail_x402_sales WHERE id = $1`, [id]);
    return rows[0] === undefined ? undefined : saleOf(rows[0]);
  }

  /**
   * Marks an `interrupted` sale's operator alert as raised (`result.alertedAt`), once: true only for
   * the one caller whose mark won, so the alert is raised once per sale across processes and restarts.
   */
  async markAlerted(id: string, at: Date): Promise<boolean> {
    const rows = await this.#sql.query(
      `UPDATE rail_x402_sales SET result = COALESCE(result, '{}'::jsonb) || jsonb_build_object('alertedAt', $2::text)
       WHERE id = $1 AND status = 'interrupted' AND result->>'alertedAt' IS NULL RETURNING id`,
      [id, at.toISOString()],
    );
    return rows.length > 0;
  }

  /** Sales in one of `statuses`, oldest first (at most `limit`; `after` continues from the last one of a page). */
  async list(statuses: readonly string[], limit = 100, after?: StoredSale): Promise<StoredSale[]> {
    const rows = await this.#sql.query(
      `SELECT ${COLUMNS} FROM rail_x402_sales WHERE status = ANY($1::text[])
       AND ($3::timestamptz IS NULL OR (created_at, id) > ($3::timestamptz, $4::text)) ORDER BY created_at, id LIMIT $2`,
      [statuses, limit, after?.createdAt ?? null, after?.id ?? null],
    );
    return rows.map(saleOf);
  }

  /**
   * Sets status (and result or settlement); with `from`, only if the sale is still in that status,
   * with `staleBefore` only if it was last touched before then. True when it moved.
   */
  async move(
    id: string,
    set: { status: string; result?: unknown; settlement?: unknown; from?: string; staleBefore?: Date },
    at: Date,
  ): Promise<boolean> {
    const rows = await this.#sql.query(
      `UPDATE rail_x402_sales SET status = $2, result = COALESCE($3::jsonb, result), settlement = COALESCE($4::jsonb, settlement), updated_at = $5
       WHERE id = $1 AND ($6::text IS NULL OR status = $6) AND ($7::timestamptz IS NULL OR updated_at < $7) RETURNING id`,
      [
        id,
        set.status,
        set.result === undefined ? null : JSON.stringify(set.result),
        set.settlement === undefined ? null : JSON.stringify(set.settlement),
        at,
        set.from ?? null,
        set.staleBefore ?? null,
      ],
    );
    return rows.length > 0;
  }
}
