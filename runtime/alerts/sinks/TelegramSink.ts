import type { AlertSeverity } from '../../host/AgentHost.ts';
import { AlertDeliveryError } from '../../errors.ts';
import { alertText } from './alertText.ts';
import type { AlertNotification, AlertSink } from './AlertSink.ts';
import { postJson } from './postJson.ts';

/** The Bot API's answer: `{ ok: true, result }` or `{ ok: false, error_code, description, parameters? }`. */
interface BotReply {
  ok?: boolean;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

/**
 * Telegram Bot API `sendMessage` (`MANDATE_TELEGRAM_BOT_TOKEN`, `MANDATE_TELEGRAM_CHAT_ID`,
 * `MANDATE_TELEGRAM_API_URL` for another base URL): plain text, so nothing needs escaping. A 429
 * carries `parameters.retry_after` in seconds, which the dispatcher waits out.
 */
export class TelegramSink implements AlertSink {
  readonly name = 'telegram';
  readonly minSeverity: AlertSeverity;
  /** Telegram allows about 20 messages per minute to one group. */
  readonly perMinute: number;
  readonly #url: string;
  readonly #chatId: string;

  constructor(options: {
    token: string;
    chatId: string;
    apiUrl?: string;
    minSeverity?: AlertSeverity;
    perMinute?: number;
  }) {
    const base = (options.apiUrl ?? 'https://api.telegram.org').replace(/\/+$/, '');
    this.#url = `${base}/bot${options.token}/sendMessage`;
    this.#chatId = options.chatId;
    this.minSeverity = options.minSeverity ?? 'warning';
    this.perMinute = options.perMinute ?? 20;
  }

  /** The request body for one notification. */
  body(n: AlertNotification): { chat_id: string; text: string; disable_web_page_preview: boolean } {
    return { chat_id: this.#chatId, text: alertText(n).slice(0, 4096), disable_web_page_preview: true };
  }

  async send(n: AlertNotification, signal: AbortSignal): Promise<void> {
    try {
      const reply = await postJson(this.name, { url: this.#url, body: JSON.stringify(this.body(n)), signal });
      const parsed = JSON.parse(reply.text) as BotReply;
      if (parsed.ok !== true)
        throw new AlertDeliveryError(`telegram answered ok=false: ${parsed.description ?? reply.text.slice(0, 200)}`, {
          sink: this.name,
          status: reply.status,
          retryable: false,
        });
    } catch (error) {
      // The Bot API says how long to wait in the body rather than (only) in Retry-After.
      if (
        error instanceof AlertDeliveryError &&
        error.failure.status === 429 &&
        error.failure.retryAfterMs === undefined
      ) {
        const seconds = retryAfterOf(error.message);
        if (seconds !== undefined) error.failure.retryAfterMs = seconds * 1000;
      }
      throw error instanceof SyntaxError
        ? new AlertDeliveryError(`telegram answered with a body that is not JSON: ${error.message}`, {
            sink: this.name,
            retryable: false,
          })
        : error;
    }
  }
}

/** `parameters.retry_after` from the error text postJson quoted (the body). */
function retryAfterOf(message: string): number | undefined {
  const m = /"retry_after"\s*:\s*(\d+)/.exec(message);
  return m === null ? undefined : Number(m[1]);
}
