/**
 * A PSD2 payment-initiation client in the Berlin Group NextGenPSD2 format (the API most EU
 * banks expose): `POST /v1/payments/sepa-credit-transfers` and `GET …/{paymentId}/status`.
 * The end-to-end id is also sent as `X-Request-ID`, so re-initiating after a crash is
 * recognised by the bank as the same request. Every answer is parsed with zod.
 */
import { parseUnits } from 'ethers';
import { z } from 'zod';
import { BroadcastError } from './errors.ts';
import type { CreditTransferRequest, PaymentInitiationApi, PaymentInitiationResponse } from './PaymentInitiationApi.ts';

/** Options of {@link BerlinGroupPisClient}. */
export interface BerlinGroupPisClientOptions {
  /** The bank's (ASPSP's) API base URL. */
  readonly baseUrl: string;
  /** Name for receipts, e.g. `bank-xs2a`. */
  readonly name: string;
  /** Returns a current OAuth access token for the PSU's consent. */
  readonly accessToken: () => Promise<string>;
  /** PSU-IP-Address header (required by most banks). */
  readonly psuIpAddress: string;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

const Amount = z.object({ currency: z.string().regex(/^[A-Z]{3}$/), amount: z.string().regex(/^\d+(\.\d{1,2})?$/) });
const InitiationBody = z.object({
  transactionStatus: z.string().min(3),
  paymentId: z.string().min(1),
  transactionFees: Amount.optional(),
  tppMessages: z.array(z.object({ text: z.string().optional() })).optional(),
});
const StatusBody = z.object({
  transactionStatus: z.string().min(3),
  tppMessages: z.array(z.object({ text: z.string().optional() })).optional(),
});

/** ISO 20022 statuses the banks send, folded onto the rail's six. */
const STATUS: Record<string, PaymentInitiationResponse['status']> = {
  RCVD: 'RCVD',
  PDNG: 'ACTC',
  ACTC: 'ACTC',
  ACCP: 'ACSP',
  ACWC: 'ACSP',
  ACFC: 'ACSP',
  PATC: 'ACSP',
  PART: 'ACSP',
  ACSP: 'ACSP',
  ACSC: 'ACSC',
  ACCC: 'ACSC',
  RJCT: 'RJCT',
  CANC: 'RJCT',
};

/** One call's body (none for a GET) and its `X-Request-ID`. */
interface PisRequest {
  body?: unknown;
  requestId: string;
}

/** A {@link PaymentInitiationApi} over a Berlin Group NextGenPSD2 bank API. */
export class BerlinGroupPisClient implements PaymentInitiationApi {
  readonly name: string;
  readonly #o: BerlinGroupPisClientOptions;
  /** Fees reported at initiation, kept so status answers carry them too. */
  readonly #fees = new Map<string, string>();

  constructor(options: BerlinGroupPisClientOptions) {
    this.#o = options;
    this.name = options.name;
  }

  async initiate(request: CreditTransferRequest): Promise<unknown> {
    const body = {
      endToEndIdentification: request.endToEndId,
      debtorAccount: { iban: request.debtorIban },
      instructedAmount: { currency: request.currency, amount: request.amount },
      creditorAccount: { iban: request.creditor.iban },
      creditorName: request.creditor.name,
      ...(request.remittance === undefined ? {} : { remittanceInformationUnstructured: request.remittance }),
    };
    const raw = await this.#call('POST', 'v1/payments/sepa-credit-transfers', { body, requestId: request.endToEndId });
    const parsed = this.#parse(InitiationBody, raw);
    const fee = parsed.transactionFees === undefined ? '0' : parseUnits(parsed.transactionFees.amount, 2).toString();
    this.#fees.set(parsed.paymentId, fee);
    return {
      paymentId: parsed.paymentId,
      status: this.#status(parsed.transactionStatus),
      fee,
      ...(reason(parsed.tppMessages) ?? {}),
    };
  }

  async status(paymentId: string): Promise<unknown> {
    const raw = await this.#call('GET', `v1/payments/sepa-credit-transfers/${encodeURIComponent(paymentId)}/status`, {
      requestId: crypto.randomUUID(),
    });
    const parsed = this.#parse(StatusBody, raw);
    return {
      paymentId,
      status: this.#status(parsed.transactionStatus),
      fee: this.#fees.get(paymentId) ?? '0',
      ...(reason(parsed.tppMessages) ?? {}),
    };
  }

  #status(code: string): PaymentInitiationResponse['status'] {
    const status = STATUS[code];
    if (status === undefined)
      throw new BroadcastError(
        `bank "${this.name}" sent unknown transaction status "${code}"; extend the status map if the bank documents it`,
      );
    return status;
  }

  #parse<T>(schema: z.ZodType<T>, raw: unknown): T {
    const parsed = schema.safeParse(raw);
    if (!parsed.success)
      throw new BroadcastError(
        `bank "${this.name}" answered with an unexpected body (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`,
      );
    return parsed.data;
  }

  async #call(method: 'GET' | 'POST', path: string, { body, requestId }: PisRequest): Promise<unknown> {
    const url = new URL(path, this.#o.baseUrl.endsWith('/') ? this.#o.baseUrl : `${this.#o.baseUrl}/`);
    let res: Response;
    try {
      res = await (this.#o.fetch ?? fetch)(url, {
        method,
        headers: {
          'content-type': 'application/json',
          'x-request-id': requestId,
          'psu-ip-address': this.#o.psuIpAddress,
          authorization: `Bearer ${await this.#o.accessToken()}`,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#o.timeoutMs ?? 15_000),
      });
    } catch (cause) {
      throw new BroadcastError(
        `bank "${this.name}" at ${url.origin} could not be reached (${(cause as Error).message}); the payment stays recorded and is retried`,
        { cause },
      );
    }
    const json: unknown = await res.json().catch(() => undefined);
    if (!res.ok) {
      const text = JSON.stringify(json ?? {}).slice(0, 300);
      throw new BroadcastError(
        `bank "${this.name}" refused ${method} ${url.pathname} with HTTP ${res.status}: ${text}; check the consent, token and account`,
        { details: { status: res.status } },
      );
    }
    return json;
  }
}

function reason(messages: { text?: string }[] | undefined): { reason: string } | undefined {
  const text = messages
    ?.map((m) => m.text)
    .filter(Boolean)
    .join('; ');
  return text ? { reason: text } : undefined;
}
