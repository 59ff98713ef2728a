/**
 * Spending limits enforced by an atomic reservation in PostgreSQL before anything is signed.
 *
 * A reservation takes a transaction-scoped advisory lock per budget scope (in sorted order, so
 * concurrent reservers never deadlock), sums the live reservations in the window, and inserts
 * its own rows only if every applicable rule still holds. Several processes racing for one
 * budget therefore serialize on the lock and cannot overshoot; a restart loses nothing because
 * the reservations are rows. Reserving is idempotent per idempotency key.
 */
import { assertLease } from '../rails/leaseFence.ts';
import type { RailSql } from '../rails/RailSql.ts';
import { counterpartyDigest } from './counterpartyDigest.ts';
import { LimitConfigError, LimitExceededError } from './errors.ts';
import { compileLimitRules, type CompiledLimitRule } from './LimitRule.ts';

/** One payment asking for budget. Amounts are base units. */
export interface ReservationRequest {
  readonly idempotencyKey: string;
  readonly agentId: string;
  readonly supervisorIds: readonly string[];
  readonly asset: string;
  readonly counterparty: string;
  readonly amountNative: bigint;
  readonly amountReference: bigint;
  /** The fencing token of the placement lease the paying node holds the agent under (checked with `fenced`). */
  readonly fence?: number | undefined;
}

/** Options of {@link SpendingLimits}. */
export interface SpendingLimitsOptions {
  readonly sql: RailSql;
  /** Limit rules (validated with `LimitRuleSchema`). */
  readonly rules: readonly unknown[];
  /** Decimals of every asset a native limit may name. */
  readonly assetDecimals: Readonly<Record<string, number>>;
  /** Decimals of the reference currency amounts (e.g. 6 for micro-USD). */
  readonly referenceDecimals: number;
  /**
   * Key of the counterparty digest (`store.counterpartyKey`, at least 16 bytes): rows name the
   * payee by its keyed hash, never in clear. Every process sharing the limits must use the same key.
   */
  readonly counterpartyKey: Uint8Array;
  /** Injected clock. */
  readonly now?: () => Date;
  /**
   * Refuse a reservation whose `fence` is not the agent's current lease token in `mandate_fence`
   * (placement across nodes; the table must be in `sql`'s database): `MANDATE_ERR_FENCE_STALE`.
   */
  readonly fenced?: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Per-agent and per-supervisor budgets backed by `limit_reservations`. */
export class SpendingLimits {
  readonly #sql: RailSql;
  readonly #rules: CompiledLimitRule[];
  readonly #now: () => Date;
  readonly #fenced: boolean;
  readonly #key: Uint8Array;

  constructor(options: SpendingLimitsOptions) {
    if (!(options.counterpartyKey instanceof Uint8Array) || options.counterpartyKey.length < 16)
      throw new LimitConfigError(
        'SpendingLimits needs counterpartyKey, a key of at least 16 bytes: give it store.counterpartyKey',
      );
    this.#key = options.counterpartyKey;
    this.#sql = options.sql;
    this.#fenced = options.fenced === true;
    this.#rules = compileLimitRules(options.rules, options.assetDecimals, options.referenceDecimals);
    this.#now = options.now ?? (() => new Date());
  }

  /** True when some rule is in the reference currency: payments then need a reference valuation. */
  get usesReferenceCurrency(): boolean {
    return this.#rules.some((r) => r.unit === 'reference');
  }

  /** Reserves budget for a payment or throws {@link LimitExceededError}; a second call for the same key is a no-op. */
  async reserve(request: ReservationRequest): Promise<void> {
    await this.#sql.transaction((tx) => this.#reserveIn(tx, request, true));
  }

  /** Checks a payment against the limits without reserving anything (dry-run). */
  async check(request: ReservationRequest): Promise<void> {
    await this.#sql.transaction((tx) => this.#reserveIn(tx, request, false));
  }

  /** Reserves inside the caller's transaction `tx` (which must be on this limits' database, see {@link SpendingLimits.shares}). */
  async reserveIn(tx: RailSql, request: ReservationRequest): Promise<void> {
    await this.#reserveIn(tx, request, true);
  }

  /** Is `sql` the database handle these limits use (so their writes can join its transactions)? */
  shares(sql: RailSql): boolean {
    return this.#sql === sql;
  }

  /** Releases a payment's reservation (it failed or was cancelled): the budget is free again. */
  async release(idempotencyKey: string, tx: RailSql = this.#sql): Promise<void> {
    await tx.query(`UPDATE limit_reservations SET status = 'released' WHERE idempotency_key = $1`, [idempotencyKey]);
  }

  /** Marks a payment's reservation as spent (it confirmed). It keeps counting in its window. */
  async commit(idempotencyKey: string, tx: RailSql = this.#sql): Promise<void> {
    await tx.query(
      `UPDATE limit_reservations SET status = 'committed' WHERE idempotency_key = $1 AND status = 'reserved'`,
      [idempotencyKey],
    );
  }

  async #reserveIn(tx: RailSql, req: ReservationRequest, persist: boolean): Promise<void> {
    // Fenced first: a stale owner's reservation must neither be written nor wait for the budget locks.
    if (persist && this.#fenced)
      await assertLease(
        tx,
        { agentId: req.agentId, token: req.fence },
        `the limit reservation of payment "${req.idempotencyKey}"`,
      );
    const scopes = [...new Set([`agent:${req.agentId}`, ...req.supervisorIds.map((s) => `supervisor:${s}`)])].sort();
    // One lock per budget scope, always taken in sorted order so concurrent reservers cannot deadlock.
    await tx.query(
      `SELECT pg_advisory_xact_lock(h) FROM (SELECT hashtextextended(s, 0) AS h, s FROM unnest($1::text[]) AS s ORDER BY s) AS ordered`,
      [scopes.map((s) => `mandate-limit:${s}`)],
    );
    const existing = await tx.query('SELECT 1 FROM limit_reservations WHERE idempotency_key = $1 LIMIT 1', [
      req.idempotencyKey,
    ]);
    if (existing.length > 0) return;
    const now = this.#now();
    const since = new Date(now.getTime() - DAY_MS);
    const counterparty = counterpartyDigest(this.#key, req.counterparty);
    for (const rule of this.#rules) {
      if (!scopes.includes(rule.scope)) continue;
      if (rule.asset !== undefined && rule.asset !== req.asset) continue;
      const column = rule.unit === 'native' ? 'amount_native' : 'amount_reference';
      const amount = rule.unit === 'native' ? req.amountNative : req.amountReference;
      let used = 0n;
      if (rule.window === 'rolling-24h') {
        const params: unknown[] = [rule.scope, since];
        let where = `scope = $1 AND status <> 'released' AND created_at > $2`;
        if (rule.asset !== undefined) where += ` AND asset = $${params.push(rule.asset)}`;
        if (rule.perCounterparty) where += ` AND counterparty = $${params.push(counterparty)}`;
        const rows = await tx.query<{ used: string }>(
          `SELECT COALESCE(SUM(${column}), 0)::text AS used FROM limit_reservations WHERE ${where}`,
          params,
        );
        used = BigInt(rows[0]?.used ?? '0');
      }
      if (used + amount > rule.maxBase) {
        throw new LimitExceededError(
          `payment ${req.idempotencyKey} of ${amount} base units (${rule.unit}${rule.asset ? ` ${rule.asset}` : ''}) would exceed the ${rule.window} limit of ${rule.maxBase} for ${rule.scope}` +
            `${rule.perCounterparty ? ` to counterparty ${counterparty}` : ''} (already used ${used}); lower the amount, wait for the window, or raise the limit through governance`,
          {
            details: {
              scope: rule.scope,
              window: rule.window,
              unit: rule.unit,
              limit: rule.maxBase.toString(),
              used: used.toString(),
              amount: amount.toString(),
            },
          },
        );
      }
    }
    if (!persist) return;
    for (const scope of scopes) {
      await tx.query(
        `INSERT INTO limit_reservations (id, idempotency_key, scope, asset, counterparty, amount_native, amount_reference, status, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'reserved', $8)`,
        [
          `${req.idempotencyKey}|${scope}`,
          req.idempotencyKey,
          scope,
          req.asset,
          counterparty,
          req.amountNative.toString(),
          req.amountReference.toString(),
          now,
        ],
      );
    }
  }
}
