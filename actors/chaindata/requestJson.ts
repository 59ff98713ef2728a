/**
 * One JSON request to an indexer, with a timeout and bounded retries: 429, 5xx and network
 * failures are retried with exponential backoff (honouring a short `Retry-After`), then become
 * {@link ChainDataUnavailableError}; a body that is not JSON is {@link ChainDataInvalidError}.
 */
import { ChainDataInvalidError, ChainDataUnavailableError } from './errors.ts';

/** How an indexer is reached (shared by the subgraph and Covalent-style sources). */
export interface IndexerHttpOptions {
  /** Extra headers (e.g. an API key header). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Per attempt; default 10 s. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt for 429/5xx/network failures; default 2. */
  readonly retries?: number;
  /** First backoff; doubled per retry; default 250 ms. A `Retry-After` up to 5 s replaces it. */
  readonly retryDelayMs?: number;
  readonly fetch?: typeof fetch;
}

/** What one call sends. */
export interface JsonRequest {
  /** Names the source in errors, e.g. `subgraph uniswap-v3`. */
  readonly source: string;
  readonly url: URL;
  /** A JSON body makes it a POST. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

const MAX_RETRY_AFTER_MS = 5_000;

function retryAfterMs(res: Response): number | undefined {
  const value = res.headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_RETRY_AFTER_MS) : undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Sends `request` and returns its parsed JSON body. */
export async function requestJson(request: JsonRequest, http: IndexerHttpOptions = {}): Promise<unknown> {
  const retries = http.retries ?? 2;
  let delay = http.retryDelayMs ?? 250;
  let lastFailure = '';
  for (let attempt = 0; attempt <= retries; attempt += 1) {
    let res: Response;
    try {
      res = await (http.fetch ?? fetch)(request.url, {
        method: request.body === undefined ? 'GET' : 'POST',
        headers: {
          accept: 'application/json',
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...http.headers,
          ...request.headers,
        },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(http.timeoutMs ?? 10_000),
      });
    } catch (cause) {
      lastFailure = (cause as Error).message;
      if (attempt < retries) await sleep(delay);
      delay *= 2;
      continue;
    }
    if (res.status === 429 || res.status >= 500) {
      lastFailure = `HTTP ${res.status}`;
      await res.body?.cancel();
      if (attempt < retries) await sleep(retryAfterMs(res) ?? delay);
      delay *= 2;
      continue;
    }
    const text = await res.text();
    if (!res.ok)
      throw new ChainDataUnavailableError(
        `${request.source} at ${request.url.origin} answered HTTP ${res.status} (${text.slice(0, 200)}); check the URL and API key`,
        { details: { source: request.source, status: res.status } },
      );
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new ChainDataInvalidError(
        `${request.source} at ${request.url.origin} answered a body that is not JSON (${JSON.stringify(text.slice(0, 120))})`,
        { cause, details: { source: request.source } },
      );
    }
  }
  throw new ChainDataUnavailableError(
    `${request.source} at ${request.url.origin} could not be read after ${retries + 1} attempts (${lastFailure}); check the URL, key and network`,
    { details: { source: request.source, attempts: retries + 1 } },
  );
}
