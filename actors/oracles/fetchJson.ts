/**
 * GET a JSON document with a timeout; failures become {@link OracleUnavailableError}.
 */
import { OracleUnavailableError } from './errors.ts';

/** Fetches `url` and returns its parsed JSON body. */
export async function fetchJson(
  url: URL,
  options: { source: string; timeoutMs?: number; headers?: Record<string, string>; fetch?: typeof fetch },
): Promise<unknown> {
  try {
    const res = await (options.fetch ?? fetch)(url, {
      headers: options.headers ?? {},
      signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return await res.json();
  } catch (cause) {
    throw new OracleUnavailableError(
      `${options.source} at ${url.origin} could not be read (${(cause as Error).message}); check the URL, key and network`,
      { cause },
    );
  }
}
