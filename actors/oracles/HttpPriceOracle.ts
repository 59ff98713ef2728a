/**
 * A CoinGecko-style HTTP price API: `GET /api/v3/simple/price?ids=…&vs_currencies=…&include_last_updated_at=true`
 * answering `{ "<id>": { "<vs>": 3012.55, "last_updated_at": 1700000000 } }`.
 */
import { z } from 'zod';
import { decimalToScaled } from './decimalToScaled.ts';
import { OracleDataError, OracleUnavailableError } from './errors.ts';
import { fetchJson } from './fetchJson.ts';
import type { Oracle, PriceObservation } from './Oracle.ts';

/** Options of {@link HttpPriceOracle}. */
export interface HttpPriceOracleOptions {
  readonly baseUrl: string;
  /** Coin id per base symbol, e.g. `{ ETH: 'ethereum', USDC: 'usd-coin' }`. */
  readonly ids: Readonly<Record<string, string>>;
  readonly apiKey?: string;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

const Entry = z.record(z.string(), z.number().nonnegative().finite());

/** An {@link Oracle} over a CoinGecko-style simple price endpoint. */
export class HttpPriceOracle implements Oracle {
  readonly name = 'coingecko';
  readonly #o: HttpPriceOracleOptions;

  constructor(options: HttpPriceOracleOptions) {
    this.#o = options;
  }

  async read(pair: string): Promise<PriceObservation> {
    const [base, quote] = pair.split('/');
    const id = base === undefined ? undefined : this.#o.ids[base];
    if (id === undefined || quote === undefined)
      throw new OracleUnavailableError(`no coin id configured for "${pair}"; add the base symbol to ids`);
    const vs = quote.toLowerCase();
    const url = new URL('api/v3/simple/price', this.#o.baseUrl.endsWith('/') ? this.#o.baseUrl : `${this.#o.baseUrl}/`);
    url.search = new URLSearchParams({ ids: id, vs_currencies: vs, include_last_updated_at: 'true' }).toString();
    const body = await fetchJson(url, {
      source: this.name,
      timeoutMs: this.#o.timeoutMs,
      fetch: this.#o.fetch,
      headers: this.#o.apiKey ? { 'x-cg-pro-api-key': this.#o.apiKey } : {},
    });
    const parsed = z.record(z.string(), Entry).safeParse(body);
    const entry = parsed.success ? parsed.data[id] : undefined;
    const value = entry?.[vs];
    const updated = entry?.['last_updated_at'];
    if (value === undefined || updated === undefined || value === 0) {
      throw new OracleDataError(
        `${this.name} answer for ${pair} lacks a positive "${vs}" price or "last_updated_at" (got ${JSON.stringify(body).slice(0, 200)})`,
      );
    }
    return { pair, price: decimalToScaled(value), updatedAt: new Date(updated * 1000), source: this.name };
  }
}
