/**
 * A bank FX reference-rate feed (ECB-style daily rates as JSON): `GET /latest?base=EUR`
 * answering `{ "base": "EUR", "date": "2026-03-02", "rates": { "USD": "1.0842" } }`
 * (rates as strings or numbers). The rate's time is the end of its business day, UTC.
 */
import { z } from 'zod';
import { decimalToScaled } from './decimalToScaled.ts';
import { OracleDataError } from './errors.ts';
import { fetchJson } from './fetchJson.ts';
import type { Oracle, PriceObservation } from './Oracle.ts';

/** Options of {@link BankFxOracle}. */
export interface BankFxOracleOptions {
  readonly baseUrl: string;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

const FxBody = z.object({
  base: z.string().regex(/^[A-Z]{3}$/),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  rates: z.record(
    z.string().regex(/^[A-Z]{3}$/),
    z.union([z.string().regex(/^\d+(\.\d+)?$/), z.number().positive().finite()]),
  ),
});

/** An {@link Oracle} for fiat pairs such as `EUR/USD`. */
export class BankFxOracle implements Oracle {
  readonly name = 'bank-fx';
  readonly #o: BankFxOracleOptions;

  constructor(options: BankFxOracleOptions) {
    this.#o = options;
  }

  async read(pair: string): Promise<PriceObservation> {
    const [base, quote] = pair.split('/');
    const url = new URL('latest', this.#o.baseUrl.endsWith('/') ? this.#o.baseUrl : `${this.#o.baseUrl}/`);
    url.search = new URLSearchParams({ base: base ?? '' }).toString();
    const body = await fetchJson(url, { source: this.name, timeoutMs: this.#o.timeoutMs, fetch: this.#o.fetch });
    const parsed = FxBody.safeParse(body);
    if (!parsed.success)
      throw new OracleDataError(
        `${this.name} answered with a malformed body: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    const rate = quote === undefined ? undefined : parsed.data.rates[quote];
    if (parsed.data.base !== base || rate === undefined)
      throw new OracleDataError(
        `${this.name} has no ${pair} rate (base ${parsed.data.base}, quotes ${Object.keys(parsed.data.rates).join(', ')}); ask for a pair it quotes, or use another source for ${pair}`,
      );
    const price = decimalToScaled(rate);
    if (price === 0n)
      throw new OracleDataError(
        `${this.name} ${pair} rate is zero; the source is broken, check it or drop it from the feed`,
      );
    return { pair, price, updatedAt: new Date(`${parsed.data.date}T23:59:59Z`), source: this.name };
  }
}
