import { LlmHttpError } from './errors.ts';

/** Options of {@link postJson}. */
export interface PostJsonOptions {
  provider: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  timeoutMs: number;
  /** Attempts for 429/5xx/network errors, with exponential backoff (default 3). */
  attempts?: number;
  signal?: AbortSignal;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * POSTs JSON to a model API with a timeout, retrying rate limits (honouring
 * `retry-after`), server errors and network failures; 4xx other than 429 fail at once.
 */
export async function postJson(options: PostJsonOptions): Promise<unknown> {
  const attempts = options.attempts ?? 3;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let last: LlmHttpError | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal]);
    let response: Response;
    try {
      response = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...options.headers },
        body: JSON.stringify(options.body),
        signal,
      });
    } catch (cause) {
      last = new LlmHttpError(
        {
          provider: options.provider,
          message: `request failed: ${(cause as Error).message}`,
          status: undefined,
          retryable: true,
        },
        {
          cause,
        },
      );
      if (options.signal?.aborted === true) throw last;
      await sleep(250 * 2 ** (attempt - 1));
      continue;
    }
    const text = await response.text();
    if (response.ok) {
      try {
        return JSON.parse(text);
      } catch (cause) {
        throw new LlmHttpError(
          {
            provider: options.provider,
            message: `answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`,
            status: response.status,
            retryable: false,
          },
          { cause },
        );
      }
    }
    const retryable = response.status === 429 || response.status >= 500;
    last = new LlmHttpError({
      provider: options.provider,
      message: `answered HTTP ${response.status}: ${text.slice(0, 300)}`,
      status: response.status,
      retryable,
    });
    if (!retryable) throw last;
    const after = Number(response.headers.get('retry-after'));
    await sleep(Number.isFinite(after) && after > 0 ? Math.min(after * 1000, 30_000) : 250 * 2 ** (attempt - 1));
  }
  throw last!;
}
