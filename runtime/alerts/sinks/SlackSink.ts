import type { AlertSeverity } from '../../host/AgentHost.ts';
import { AlertDeliveryError } from '../../errors.ts';
import { alertText } from './alertText.ts';
import type { AlertNotification, AlertSink } from './AlertSink.ts';
import { postJson } from './postJson.ts';

/** A Block Kit text object. */
interface SlackText {
  type: 'mrkdwn';
  text: string;
}

/** The body of an incoming-webhook post: the fallback `text` and a section plus a context block. */
export interface SlackMessage {
  text: string;
  blocks: Array<{ type: 'section'; text: SlackText } | { type: 'context'; elements: SlackText[] }>;
}

/**
 * Slack incoming webhook (`MANDATE_SLACK_WEBHOOK_URL`): `text` (the notification fallback) plus
 * `blocks` (a section with the message, a context line with code, agent, node and count). Slack
 * answers `200 ok`, `400 invalid_payload`, `403 invalid_token`, `404 no_service`, `410
 * channel_is_archived`, `429` with `Retry-After`, or 5xx.
 */
export class SlackSink implements AlertSink {
  readonly name = 'slack';
  readonly minSeverity: AlertSeverity;
  /** Slack allows about one message per second per webhook. */
  readonly perMinute: number;
  readonly #url: string;

  constructor(options: { url: string; minSeverity?: AlertSeverity; perMinute?: number }) {
    this.#url = options.url;
    this.minSeverity = options.minSeverity ?? 'warning';
    this.perMinute = options.perMinute ?? 60;
  }

  /** The request body for one notification. */
  static body(n: AlertNotification): SlackMessage {
    const a = n.alert;
    const icon =
      n.kind === 'resolve' ? ':white_check_mark:' : a.severity === 'critical' ? ':rotating_light:' : ':warning:';
    const context = [
      `*${a.code}*`,
      a.actorId === undefined ? undefined : `agent \`${a.actorId}\``,
      `node \`${a.node}\``,
    ];
    if (a.count > 1) context.push(`${a.count} times`);
    return {
      text: alertText(n),
      blocks: [
        {
          type: 'section',
          text: { type: 'mrkdwn', text: `${icon} *${n.kind === 'resolve' ? 'Resolved' : a.severity}*: ${a.message}` },
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: context.filter((c) => c !== undefined).join(' · ') }] },
      ],
    };
  }

  async send(n: AlertNotification, signal: AbortSignal): Promise<void> {
    const reply = await postJson(this.name, { url: this.#url, body: JSON.stringify(SlackSink.body(n)), signal });
    if (reply.text.trim() !== 'ok')
      throw new AlertDeliveryError(`slack answered ${reply.status} "${reply.text.slice(0, 200)}" instead of "ok"`, {
        sink: this.name,
        status: reply.status,
        retryable: false,
      });
  }
}
