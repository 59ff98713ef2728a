/**
 * A KYB provider behind HTTP: `GET <baseUrl>/v1/counterparties/<id>` with a bearer key, answering
 * `200 { "status", "jurisdiction"?, "verifiedAt"?, "expiresAt"?, "reference"?, "sanctions": [
 * { "list", "name", "matched" } ] }` or `404` for a counterparty it does not know (docs/compliance.md).
 * 429, 5xx and network failures are retried once; anything else is {@link KybUnavailableError}.
 */
import { z } from 'zod';
import { KybUnavailableError } from './errors.ts';
import { kybRecordSchema, type KybAnswer, type KybProvider } from './KybProvider.ts';

/** Options of {@link HttpKybProvider}. */
export interface HttpKybProviderOptions {
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>`; read it from the environment. */
  readonly apiKey?: string;
  readonly name?: string;
  /** Per attempt; default 5 s. */
  readonly timeoutMs?: number;
  readonly retries?: number;
  readonly fetch?: typeof fetch;
}

const answerSchema = kybRecordSchema.extend({
  sanctions: z
    .array(z.object({ list: z.string().min(1), name: z.string().min(1), matched: z.string().min(1) }).strict())
    .default([]),
});

/** A {@link KybProvider} over the HTTP format above. */
export class HttpKybProvider implements KybProvider {
  readonly name: string;
  readonly #o: HttpKybProviderOptions;

  constructor(options: HttpKybProviderOptions) {
    this.#o = options;
    this.name = options.name ?? `http:${new URL(options.baseUrl).host}`;
  }

  async lookup(counterparty: string): Promise<KybAnswer> {
    const base = this.#o.baseUrl.endsWith('/') ? this.#o.baseUrl : `${this.#o.baseUrl}/`;
    const url = new URL(`v1/counterparties/${encodeURIComponent(counterparty)}`, base);
    const res = await this.#get(url);
    if (res.status === 404) {
      await res.body?.cancel();
      return { sanctions: [] };
    }
    const text = await res.text();
    if (!res.ok)
      throw new KybUnavailableError(
        `${this.name} answered HTTP ${res.status} for ${counterparty} (${text.slice(0, 200)})`,
        {
          details: { provider: this.name, status: res.status },
        },
      );
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (cause) {
      throw new KybUnavailableError(`${this.name} answered a body that is not JSON for ${counterparty}`, { cause });
    }
    const parsed = answerSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new KybUnavailableError(
        `${this.name} answered a record for ${counterparty} that is not valid: ${issue.path.join('.')}: ${issue.message}`,
        { details: { provider: this.name, field: issue.path.join('.') } },
      );
    }
    const { sanctions, ...record } = parsed.data;
    return { record, sanctions };
  }

  async #get(url: URL): Promise<Response> {
    const retries = this.#o.retries ?? 1;
    let failure = '';
    for (let attempt = 0; attempt <= retries; attempt += 1) {
      try {
        const res = await (this.#o.fetch ?? fetch)(url, {
          headers: {
            accept: 'application/json',
            ...(this.#o.apiKey === undefined ? {} : { authorization: `Bearer ${this.#o.apiKey}` }),
          },
          signal: AbortSignal.timeout(this.#o.timeoutMs ?? 5_000),
        });
        if (res.status !== 429 && res.status < 500) return res;
        failure = `HTTP ${res.status}`;
        await res.body?.cancel();
      } catch (cause) {
        failure = (cause as Error).message;
      }
      if (attempt < retries) await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
    }
    throw new KybUnavailableError(`${this.name} could not be read after ${retries + 1} attempts (${failure})`, {
      details: { provider: this.name },
    });
  }
}
