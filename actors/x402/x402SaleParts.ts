/**
 * The parts of a sale that need no state: the paid authorization read from `PAYMENT-SIGNATURE` and
 * checked against the offer's requirement, and coded answers.
 */
import { decodePaymentSignatureHeader, encodePaymentRequiredHeader } from '@x402/core/http';
import type { FacilitatorClient } from '@x402/core/server';
import type { PaymentPayload, PaymentRequired, PaymentRequirements } from '@x402/core/types';
import { parseUnits } from 'ethers';
import { z } from 'zod';
import type { ErrorCode, MandateError, Principal } from '../../kernel/index.ts';
import type { RailSql } from '../rails/RailSql.ts';
import { X402PaymentRequiredError } from './errors.ts';
import type { X402Asset } from './x402Quote.ts';

/** One capability on sale: its price per call in the asset's units, the payee and the token's EIP-712 domain. */
export interface X402Offer {
  readonly capability: string;
  /** Decimal price per call, e.g. `"0.05"`. */
  readonly price: string;
  readonly asset: X402Asset & { readonly name: string; readonly version: string };
  readonly payTo: string;
  readonly description?: string;
  /** How long a payment for it stays valid (default 300 s). */
  readonly maxTimeoutSeconds?: number;
  /**
   * Its task may run twice for one payment without harm (it only reads, or is idempotent): a sale
   * interrupted by a crash mid-task is then resumed by the buyer's retry of the same payment,
   * instead of waiting for an operator (default false).
   */
  readonly resumable?: boolean;
}

/** A paid request: the capability's offer, the resource URL, the `PAYMENT-SIGNATURE` header and the work to sell. */
export interface SaleRequest {
  readonly offer: X402Offer;
  readonly url: string;
  readonly header: string | undefined;
  /** Runs the task for `payer`; throws only when nothing ran (the claim is then released for a retry). */
  work(payer: string): Promise<SaleWork>;
  /**
   * What a task held for approval came to, from `held` (the body `work` answered 202 with), when the
   * process that held it is gone: undefined while it still waits. Without it such a sale answers 202.
   */
  heldOutcome?(held: unknown): Promise<SaleWork | undefined>;
}

/** What the task of a paid request came to: delivered (then settled), refused (nothing settled), or held for approval. */
export type SaleWork =
  | { kind: 'delivered'; body: unknown }
  | { kind: 'refused'; error: MandateError; body: unknown }
  | { kind: 'held'; body: unknown; later: Promise<SaleWork> };

/** One audit entry of a sale (the runtime's `AuditInput` shape). */
export interface SaleAudit {
  who: Principal;
  action: string;
  subject: string;
  where: string;
  why: string;
  data: Record<string, unknown>;
  at: number;
}

/** What a sold request answers: status, headers (`PAYMENT-REQUIRED`, `PAYMENT-RESPONSE`) and a JSON body. */
export interface SaleAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** A payment that matches an offer: its payload, the requirement, and the authorization that keys the sale. */
export interface PaidAuthorization {
  /** `<network>:<payer>:<nonce>`, lower-case. */
  id: string;
  payload: PaymentPayload;
  requirements: PaymentRequirements;
  payer: string;
  payTo: string;
  nonce: string;
  value: string;
  signature: string;
  /** The authorization's `validBefore`, Unix seconds: after it, it can never settle. */
  validBefore: number;
}

const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/);
const exactPayload = z.object({
  signature: z.string().regex(/^0x[0-9a-fA-F]+$/),
  authorization: z.object({
    from: address,
    to: address,
    value: z.string().regex(/^\d+$/),
    validAfter: z.string().regex(/^\d+$/),
    validBefore: z.string().regex(/^\d+$/),
    nonce: z.string().regex(/^0x[0-9a-fA-F]{64}$/),
  }),
});

/** The payment in a `PAYMENT-SIGNATURE` header, if it pays `requirements` with an EIP-3009 authorization; else why not. */
export function paymentOf(header: string, requirements: PaymentRequirements): PaidAuthorization | string {
  let payload: PaymentPayload;
  try {
    payload = decodePaymentSignatureHeader(header);
  } catch (cause) {
    return `the PAYMENT-SIGNATURE header does not decode: ${(cause as Error).message}`;
  }
  const accepted = payload.accepted as Partial<PaymentRequirements> | undefined;
  if (
    payload.x402Version !== 2 ||
    accepted?.scheme !== requirements.scheme ||
    accepted.network !== requirements.network ||
    accepted.asset?.toLowerCase() !== requirements.asset.toLowerCase() ||
    accepted.amount !== requirements.amount ||
    accepted.payTo?.toLowerCase() !== requirements.payTo.toLowerCase()
  )
    return `the payment accepts ${accepted?.amount ?? '?'} of ${accepted?.asset ?? '?'} to ${accepted?.payTo ?? '?'} on ${accepted?.network ?? '?'} (x402 version ${String(payload.x402Version)}), not this offer`;
  const exact = exactPayload.safeParse(payload.payload);
  if (!exact.success) return `the payment carries no EIP-3009 authorization: ${exact.error.issues[0]?.message ?? ''}`;
  const a = exact.data.authorization;
  return {
    id: `${requirements.network}:${a.from}:${a.nonce}`.toLowerCase(),
    payload,
    requirements,
    payer: a.from,
    payTo: a.to,
    nonce: a.nonce.toLowerCase(),
    value: a.value,
    signature: exact.data.signature,
    validBefore: Number(a.validBefore),
  };
}

/** A coded answer with the error's status; `body` adds what the task returned (a verdict, an outcome). */
export function saleAnswer(error: MandateError, body?: unknown): SaleAnswer {
  return {
    status: error.status,
    headers: {},
    body: body === undefined ? { error: error.toJSON() } : { error: error.toJSON(), task: body },
  };
}

/** The error code an answer carries, if any. */
export function answerCode(answer: SaleAnswer): string | undefined {
  return (answer.body as { error?: { code?: string } } | null | undefined)?.error?.code;
}

/** The one `exact` requirement of an offer. */
export function requirementsOf(offer: X402Offer): PaymentRequirements {
  return {
    scheme: 'exact',
    network: `eip155:${offer.asset.chainId}`,
    asset: offer.asset.address,
    amount: parseUnits(offer.price, offer.asset.decimals).toString(),
    payTo: offer.payTo,
    maxTimeoutSeconds: offer.maxTimeoutSeconds ?? 300,
    extra: { name: offer.asset.name, version: offer.asset.version },
  };
}

/** The 402 answer: `PAYMENT-REQUIRED` with the offer, and a coded body saying why. */
export function paymentRequiredAnswer(offer: X402Offer, url: string, why?: string): SaleAnswer {
  const required: PaymentRequired = {
    x402Version: 2,
    ...(why === undefined ? {} : { error: why }),
    resource: {
      url,
      description: offer.description ?? `Mandate capability ${offer.capability}`,
      mimeType: 'application/json',
    },
    accepts: [requirementsOf(offer)],
  };
  const error = new X402PaymentRequiredError(
    why ??
      `${offer.capability} costs ${offer.price} ${offer.asset.symbol}; pay with the PAYMENT-REQUIRED header's requirements`,
    { details: { capability: offer.capability, price: offer.price, asset: offer.asset.symbol } },
  );
  return {
    status: 402,
    headers: { 'payment-required': encodePaymentRequiredHeader(required) },
    body: { error: error.toJSON() },
  };
}

/** The audit entry of one step of a sale of `offer` (undefined when the offer was withdrawn since). */
export function saleAuditEntry(
  sale: { capability: string; payer: string; payTo: string; nonce: string },
  offer: X402Offer | undefined,
  e: { action: string; why: string; who: Principal; at: number; data?: Record<string, unknown> },
): SaleAudit {
  return {
    who: e.who,
    action: e.action,
    subject: sale.capability,
    where: offer === undefined ? 'x402' : `eip155:${offer.asset.chainId}`,
    why: e.why,
    data: {
      amount: offer?.price ?? null,
      currency: offer?.asset.symbol ?? null,
      payer: sale.payer,
      payTo: sale.payTo,
      nonce: sale.nonce,
      ...e.data,
    },
    at: e.at,
  };
}

/** Options of `X402Seller`. */
export interface X402SellerOptions {
  readonly sql: RailSql;
  /** Verifies and settles payments: `HTTPFacilitatorClient` of `@x402/core/server`, or any `FacilitatorClient`. */
  readonly facilitator: FacilitatorClient;
  readonly offers: readonly X402Offer[];
  /** Every step of a sale (`x402.sale.verified|held|refused|settled|unsettled|expired`, and the recovery's), before it is answered. */
  audit(entry: SaleAudit): Promise<void>;
  /**
   * The token's `authorizationState(payer, nonce)`: resolves an unanswered or refused settle on
   * chain; without it, the scan at start does not settle a sale by itself (a takeover must know
   * whether an earlier settle went through), and the buyer's retry does.
   */
  authorizationUsed?(payer: string, nonce: string): Promise<boolean>;
  readonly now?: () => Date;
  /** How often a sale's holder touches its claim while the task runs (default 5 s). */
  readonly heartbeatMs?: number;
  /** A claim not touched for this long lost its holder and is recovered (default 30 s; keep it ≥ 3 heartbeats). */
  readonly staleAfterMs?: number;
  /** Raises an operator alert (pass the runtime's `alert`): a sale found interrupted by a crash needs an operator. */
  alert?(alert: { severity: 'warning'; code: ErrorCode; message: string }): void;
}
