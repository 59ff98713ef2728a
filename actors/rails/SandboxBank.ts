/**
 * A sandbox payment-initiation bank: real rules (balances, idempotency by end-to-end id,
 * settlement lag, rejections, returns) in memory, on an injected clock. Used for dry-run
 * and tests; the production adapter speaks the same {@link PaymentInitiationApi}.
 */
import { parseUnits } from 'ethers';
import type { CreditTransferRequest, PaymentInitiationApi, PaymentInitiationResponse } from './PaymentInitiationApi.ts';

/** Options of {@link SandboxBank}. */
export interface SandboxBankOptions {
  /** Opening balances by IBAN, decimal strings in the currency (one currency per account). */
  readonly balances: Readonly<Record<string, string>>;
  /** Time between acceptance and settlement. */
  readonly settlementLagMs: number;
  /** Creditor IBANs whose bank returns every payment after settlement. */
  readonly returningIbans?: readonly string[];
  /** Fee per payment in minor units. Default 0. */
  readonly feeMinor?: bigint;
  readonly now: () => Date;
}

interface SandboxPayment {
  readonly id: string;
  readonly request: CreditTransferRequest;
  readonly acceptedAt: number;
  status: PaymentInitiationResponse['status'];
  reason?: string;
}

/** An in-memory PSD2-style bank with settlement lag. */
export class SandboxBank implements PaymentInitiationApi {
  readonly name = 'sandbox-bank';
  readonly #o: SandboxBankOptions;
  /** Balances in minor units (cents). */
  readonly #balances = new Map<string, bigint>();
  readonly #byE2e = new Map<string, SandboxPayment>();
  readonly #byId = new Map<string, SandboxPayment>();
  /** How many initiation calls the bank received (tests assert idempotency with it). */
  initiations = 0;

  constructor(options: SandboxBankOptions) {
    this.#o = options;
    for (const [iban, amount] of Object.entries(options.balances)) this.#balances.set(iban, parseUnits(amount, 2));
  }

  /** Balance of an account in minor units. */
  balance(iban: string): bigint {
    return this.#balances.get(iban) ?? 0n;
  }

  async initiate(request: CreditTransferRequest): Promise<unknown> {
    this.initiations += 1;
    const existing = this.#byE2e.get(request.endToEndId);
    if (existing !== undefined) return this.#view(existing);
    const payment: SandboxPayment = {
      id: `sbx-${this.#byId.size + 1}`,
      request,
      acceptedAt: this.#o.now().getTime(),
      status: 'ACSP',
    };
    const amount = parseUnits(request.amount, 2) + (this.#o.feeMinor ?? 0n);
    const available = this.balance(request.debtorIban);
    if (available < amount) {
      payment.status = 'RJCT';
      payment.reason = `AM04 insufficient funds: ${available} < ${amount} minor units`;
    } else {
      this.#balances.set(request.debtorIban, available - amount);
    }
    this.#byE2e.set(request.endToEndId, payment);
    this.#byId.set(payment.id, payment);
    return this.#view(payment);
  }

  async status(paymentId: string): Promise<unknown> {
    const payment = this.#byId.get(paymentId);
    if (payment === undefined) throw new Error(`sandbox bank: unknown payment id "${paymentId}"`);
    this.#advance(payment);
    return this.#view(payment);
  }

  #advance(p: SandboxPayment): void {
    if (p.status !== 'ACSP' || this.#o.now().getTime() < p.acceptedAt + this.#o.settlementLagMs) return;
    const amount = parseUnits(p.request.amount, 2);
    if (this.#o.returningIbans?.includes(p.request.creditor.iban)) {
      p.status = 'RTND';
      p.reason = 'AC04 closed account number';
      this.#balances.set(p.request.debtorIban, this.balance(p.request.debtorIban) + amount);
    } else {
      p.status = 'ACSC';
      this.#balances.set(p.request.creditor.iban, this.balance(p.request.creditor.iban) + amount);
    }
  }

  #view(p: SandboxPayment): PaymentInitiationResponse {
    return {
      paymentId: p.id,
      status: p.status,
      fee: (this.#o.feeMinor ?? 0n).toString(),
      ...(p.reason ? { reason: p.reason } : {}),
    };
  }
}
