import { AlertDeliveryError } from '../../errors.ts';

/** A response the sink looks at further (Slack's `ok`, Telegram's `ok: false`). */
export interface JsonReply {
  status: number;
  text: string;
}

/** `Retry-After` as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * POSTs a JSON body once. A 2xx resolves with the reply; 429 (with its `Retry-After`), 408, 5xx,
 * a network error or the `signal` firing (the dispatcher's timeout) throw a retryable
 * `AlertDeliveryError`; any other status throws a final one quoting the service's answer.
 */
export async function postJson(
  sink: string,
  { url, body, headers, signal }: { url: string; body: string; headers?: Record<string, string>; signal: AbortSignal },
): Promise<JsonReply> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      signal,
    });
  } catch (cause) {
    const timedOut = signal.aborted;
    throw new AlertDeliveryError(
      `${sink}: ${timedOut ? 'no answer before the timeout' : `request failed: ${(cause as Error).message}`}; retrying`,
      { sink, retryable: true },
      { cause },
    );
  }
  const text = await response.text().catch(() => '');
  if (response.ok) return { status: response.status, text };
  const status = response.status;
  const retryable = status === 429 || status === 408 || status >= 500;
  const wait = retryAfterMs(response.headers.get('retry-after'), Date.now());
  throw new AlertDeliveryError(
    `${sink} answered ${status}: ${text.slice(0, 300) || response.statusText}${retryable ? '; retrying' : '; not retried (fix the sink settings)'}`,
    { sink, status, retryable, ...(wait === undefined ? {} : { retryAfterMs: wait }) },
  );
}
