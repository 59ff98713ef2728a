/**
 * A PSD2 / Open Banking payment-initiation service as the fiat rail sees it (Berlin Group
 * NextGenPSD2 and UK Open Banking shapes reduce to this), with ISO 20022 status codes.
 */
import { z } from 'zod';

/** ISO 20022 payment statuses (plus `RTND`, a settled payment returned by the creditor bank). */
export const PaymentInitiationStatus = z.enum(['RCVD', 'ACTC', 'ACSP', 'ACSC', 'RJCT', 'RTND']);
/** A payment-initiation status code. */
export type PaymentInitiationStatus = z.infer<typeof PaymentInitiationStatus>;

/** A credit transfer to initiate. Amounts are decimal strings. */
export interface CreditTransferRequest {
  /** End-to-end id (UETR-style UUID), also the idempotency key towards the bank. */
  readonly endToEndId: string;
  readonly debtorIban: string;
  readonly creditor: { readonly name: string; readonly iban: string };
  readonly amount: string;
  readonly currency: string;
  readonly remittance?: string;
}

/** The bank's answer about one payment, validated with zod at the boundary. */
export const PaymentInitiationResponse = z.object({
  paymentId: z.string().min(1),
  status: PaymentInitiationStatus,
  /** Bank fee in minor units of the currency, as an integer string. */
  fee: z.string().regex(/^\d+$/).default('0'),
  reason: z.string().optional(),
});
/** A parsed bank response. */
export type PaymentInitiationResponse = z.infer<typeof PaymentInitiationResponse>;

/** A payment-initiation service provider. Initiating twice with one end-to-end id returns the first payment. */
export interface PaymentInitiationApi {
  /** Human-readable name for receipts, e.g. `sandbox-bank`. */
  readonly name: string;
  initiate(request: CreditTransferRequest): Promise<unknown>;
  status(paymentId: string): Promise<unknown>;
}
