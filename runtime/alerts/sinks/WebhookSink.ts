import { createHmac } from 'node:crypto';
import type { AlertSeverity } from '../../host/AgentHost.ts';
import type { AlertNotification, AlertSink } from './AlertSink.ts';
import { postJson } from './postJson.ts';

/**
 * A generic webhook (`MANDATE_ALERT_WEBHOOK_URL`, `MANDATE_ALERT_WEBHOOK_SECRET`): the body is
 * `{ kind, alert }` as JSON; `X-Mandate-Timestamp` is the send time in Unix seconds and
 * `X-Mandate-Signature` is `sha256=` + hex HMAC-SHA256 of `${timestamp}.${body}` under the secret.
 * A receiver recomputes it and refuses stale timestamps (replays).
 */
export class WebhookSink implements AlertSink {
  readonly name = 'webhook';
  readonly minSeverity: AlertSeverity;
  readonly perMinute: number;
  readonly #url: string;
  readonly #secret: string;
  readonly #now: () => number;

  constructor(options: {
    url: string;
    secret: string;
    minSeverity?: AlertSeverity;
    perMinute?: number;
    now?: () => number;
  }) {
    this.#url = options.url;
    this.#secret = options.secret;
    this.minSeverity = options.minSeverity ?? 'warning';
    this.perMinute = options.perMinute ?? 120;
    this.#now = options.now ?? Date.now;
  }

  /** The signature header value of `body` sent at `timestamp` (Unix seconds). */
  static sign(secret: string, timestamp: string, body: string): string {
    return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
  }

  async send(n: AlertNotification, signal: AbortSignal): Promise<void> {
    const body = JSON.stringify({ kind: n.kind, alert: n.alert });
    const timestamp = String(Math.floor(this.#now() / 1000));
    await postJson(this.name, {
      url: this.#url,
      body,
      headers: {
        'x-mandate-timestamp': timestamp,
        'x-mandate-signature': WebhookSink.sign(this.#secret, timestamp, body),
      },
      signal,
    });
  }
}
