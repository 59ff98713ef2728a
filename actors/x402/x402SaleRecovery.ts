/**
 * Recovering a sale whose process crashed while its task ran. Its claim stays `working`, and nobody
 * touches it any more. Whether the task ran is not known, so what the sale becomes is derived from
 * what is known for certain:
 * - the authorization is used on chain: it was cancelled or spent outside this sale (a `working`
 *   sale is never settled), so nothing more can be charged with it: `void`;
 * - `validBefore` has passed and it is unused: it can never settle, nothing was charged: `expired`;
 * - its offer is `resumable` (running the task again is harmless): the buyer's retry of the same
 *   payment runs it again and settles once: `resumable`;
 * - otherwise `interrupted`: a retry answers 409 until an operator resumes or releases it, or until
 *   `validBefore` passes and it expires by itself.
 * An `interrupted` sale is re-derived the same way each time it is looked at. Its operator alert is
 * raised once per sale (marked in the sale, so not again after a restart).
 */
import { ErrorCode, type Principal } from '../../kernel/index.ts';
import { X402SaleInterruptedError } from './errors.ts';
import type { StoredSale, X402SaleBook } from './X402SaleBook.ts';

/** An operator's answer to an interrupted sale: which sale, resume or release, who and why. */
export interface SaleResolutionRequest {
  readonly id: string;
  readonly action: 'resume' | 'release';
  readonly by: Principal;
  readonly reason: string;
}

/** What an operator's {@link resolveSale} came to. */
export type SaleResolution =
  { kind: 'missing' } | { kind: 'not-interrupted'; sale: StoredSale } | { kind: 'resolved'; sale: StoredSale };

/** What {@link recoverSale} needs. */
export interface SaleRecoveryEnv {
  readonly book: X402SaleBook;
  /** The token's `authorizationState(payer, nonce)`; without it, only expiry is derived. */
  authorizationUsed?(payer: string, nonce: string): Promise<boolean>;
  /** Whether the offer of `capability` is `resumable`. */
  resumable(capability: string): boolean;
  now(): Date;
  /** A `working` sale not touched for this long lost its holder. */
  readonly staleAfterMs: number;
  /** Audits a recovery step (`x402.sale.void|expired|resumable|interrupted|released`), by the payer unless `who` says. */
  audit(sale: StoredSale, step: { action: string; why: string; who?: Principal }): Promise<void>;
  /** Raises an operator alert: a sale that became `interrupted` waits for one. */
  alert?(alert: { severity: 'warning'; code: ErrorCode; message: string }): void;
}

/** Whether `sale` is a `working` claim its holder stopped touching. */
export function isStale(sale: StoredSale, now: Date, staleAfterMs: number): boolean {
  return sale.status === 'working' && now.getTime() - sale.updatedAt.getTime() >= staleAfterMs;
}

async function verdictOf(env: SaleRecoveryEnv, sale: StoredSale): Promise<{ status: string; why: string }> {
  if ((await env.authorizationUsed?.(sale.payer, sale.nonce)) === true)
    return {
      status: 'void',
      why: `authorization ${sale.nonce} is used on chain, not by this sale (cancelled or spent elsewhere); nothing more can be charged with it`,
    };
  const now = Math.floor(env.now().getTime() / 1000);
  if (sale.validBefore !== null && now >= sale.validBefore)
    return {
      status: 'expired',
      why: `authorization ${sale.nonce} expired at ${new Date(sale.validBefore * 1000).toISOString()} unused; nothing was charged`,
    };
  if (env.resumable(sale.capability))
    return { status: 'resumable', why: `${sale.capability} is resumable: a retry of the same payment runs it again` };
  return {
    status: 'interrupted',
    why: `the task of ${sale.capability} may or may not have run; an operator resumes or releases the sale`,
  };
}

/**
 * Recovers `sale` if it is a stale `working` claim, or re-derives an `interrupted` one; returns the
 * sale as it now stands (unchanged when neither, or when another process moved it first).
 */
export async function recoverSale(env: SaleRecoveryEnv, sale: StoredSale): Promise<StoredSale> {
  const now = env.now();
  const stale = isStale(sale, now, env.staleAfterMs);
  if (!stale && sale.status !== 'interrupted') return sale;
  const verdict = await verdictOf(env, sale);
  if (verdict.status === sale.status) return alertOnce(env, sale);
  const moved = await env.book.move(
    sale.id,
    {
      status: verdict.status,
      result: { status: sale.result?.status ?? null, recovery: verdict.why },
      from: sale.status,
      ...(stale ? { staleBefore: new Date(now.getTime() - env.staleAfterMs) } : {}),
    },
    now,
  );
  if (moved) await env.audit(sale, { action: `x402.sale.${verdict.status}`, why: verdict.why });
  return alertOnce(env, (await env.book.get(sale.id)) ?? sale);
}

/**
 * Raises the operator alert of an `interrupted` sale once: by the one process whose mark
 * (`result.alertedAt`, see {@link X402SaleBook.markAlerted}) wins, so neither a restart nor a second
 * process raises it again, and a process that crashed between the move and the alert is made up for
 * by the next one that looks (or scans at start). Without an alert sink nothing is marked.
 */
async function alertOnce(env: SaleRecoveryEnv, sale: StoredSale): Promise<StoredSale> {
  if (env.alert === undefined || sale.status !== 'interrupted' || sale.result?.alertedAt !== undefined) return sale;
  if (!(await env.book.markAlerted(sale.id, env.now()))) return sale;
  env.alert({
    severity: 'warning',
    code: ErrorCode.MANDATE_ERR_X402_SALE_INTERRUPTED,
    message: `x402 sale ${sale.id} of ${sale.capability} (payer ${sale.payer}) was interrupted by a crash while its task ran: ${interruptedError(sale).message}`,
  });
  return (await env.book.get(sale.id)) ?? sale;
}

/**
 * An operator's answer to an interrupted sale (recovered first): `resume` lets the buyer's retry of
 * the same payment run the task again (settled once), `release` ends it unsettled (the buyer signs a
 * new payment). Audited with `by` and `reason` before it applies.
 */
export async function resolveSale(env: SaleRecoveryEnv, r: SaleResolutionRequest): Promise<SaleResolution> {
  const stored = await env.book.get(r.id);
  if (stored === undefined) return { kind: 'missing' };
  const sale = await recoverSale(env, stored);
  if (sale.status !== 'interrupted') return { kind: 'not-interrupted', sale };
  const status = r.action === 'resume' ? 'resumable' : 'released';
  await env.audit(sale, { action: `x402.sale.${status}`, why: r.reason, who: r.by });
  const moved = await env.book.move(
    r.id,
    { status, result: { status: null, recovery: `${r.reason} (${r.by.kind} ${r.by.id})` }, from: 'interrupted' },
    env.now(),
  );
  const now = (await env.book.get(r.id)) ?? sale;
  return moved ? { kind: 'resolved', sale: now } : { kind: 'not-interrupted', sale: now };
}

/** The coded answer to a retry of an `interrupted` sale: what happened, and who or what ends it. */
export function interruptedError(sale: StoredSale): X402SaleInterruptedError {
  const until = sale.validBefore === null ? 'the authorization end' : new Date(sale.validBefore * 1000).toISOString();
  const why = (sale.result as { recovery?: string } | null)?.recovery ?? '';
  return new X402SaleInterruptedError(
    `The sale of authorization ${sale.nonce} was interrupted while its task ran (${why}); it is not run again by itself. An operator resolves it (mandate x402 resolve ${sale.id} --resume|--release), or it expires unsettled at ${until}.`,
    { details: { sale: sale.id, nonce: sale.nonce, payer: sale.payer } },
  );
}
