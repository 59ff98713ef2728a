/**
 * The HTTP plumbing the adapters share: a timeout per request, one retry for 429/5xx/network
 * failures, bodies parsed as JSON, and failures as coded errors that quote the platform.
 */
import { PlatformRequestError } from './errors.ts';

/** Options every adapter takes for its HTTP calls. */
export interface PlatformHttpOptions {
  /** Per request; default 10 s. */
  readonly timeoutMs?: number;
  /** Retries for 429/5xx/network failures; default 1. */
  readonly retries?: number;
  readonly fetch?: typeof fetch;
}

/** Sends one request; retries what is worth retrying and returns the final response. */
export async function platformFetch(
  platform: string,
  request: { url: URL; init: RequestInit },
  http: PlatformHttpOptions,
): Promise<Response> {
  const retries = http.retries ?? 1;
  let failure = '';
  for (let attempt = 0; attempt <= retries; attempt += 1) {
    try {
      const res = await (http.fetch ?? fetch)(request.url, {
        ...request.init,
        signal: AbortSignal.timeout(http.timeoutMs ?? 10_000),
      });
      if ((res.status !== 429 && res.status < 500) || attempt === retries) return res;
      failure = `HTTP ${res.status}`;
      await res.body?.cancel();
    } catch (cause) {
      failure = (cause as Error).message;
      if (attempt === retries)
        throw new PlatformRequestError(
          `${platform} at ${request.url.origin} could not be reached after ${retries + 1} attempts (${failure})`,
          { cause, details: { platform } },
        );
    }
    await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
  }
  throw new PlatformRequestError(`${platform} at ${request.url.origin} failed (${failure})`, { details: { platform } });
}

/** The JSON body of `res` (empty for 204); a body that is not JSON is a {@link PlatformRequestError}. */
export async function jsonBody(platform: string, res: Response): Promise<unknown> {
  const text = await res.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new PlatformRequestError(
      `${platform} answered HTTP ${res.status} with a body that is not JSON (${JSON.stringify(text.slice(0, 120))})`,
      { cause, details: { platform, status: res.status } },
    );
  }
}

/** Polls `poll` every `intervalMs` (never overlapping); returns the stop function. */
export function pollEvery(intervalMs: number, poll: () => Promise<void>, onError?: (error: Error) => void): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = () => {
    poll()
      .catch((error: unknown) => onError?.(error as Error))
      .finally(() => {
        if (!stopped) {
          timer = setTimeout(tick, intervalMs);
          timer.unref();
        }
      });
  };
  timer = setTimeout(tick, 0);
  return () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
  };
}
