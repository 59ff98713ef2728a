import type { AlertSeverity } from '../../host/AgentHost.ts';
import { AlertDeliveryError } from '../../errors.ts';
import type { AlertNotification, AlertSink } from './AlertSink.ts';
import { postJson } from './postJson.ts';

/** An Events API v2 event: `trigger` with a payload, or `resolve` naming the same `dedup_key`. */
export type PagerDutyEvent =
  | {
      routing_key: string;
      event_action: 'trigger';
      dedup_key: string;
      payload: {
        summary: string;
        source: string;
        severity: 'critical' | 'error' | 'warning' | 'info';
        timestamp: string;
        component?: string;
        class: string;
        custom_details: Record<string, unknown>;
      };
    }
  | { routing_key: string; event_action: 'resolve'; dedup_key: string };

/**
 * PagerDuty Events API v2 (`MANDATE_PAGERDUTY_ROUTING_KEY`, `MANDATE_PAGERDUTY_URL` for another
 * enqueue URL): a `trigger` with the alert's dedup key, then a `resolve` with the same key.
 * PagerDuty answers `202 {status: "success", dedup_key}`, `400 {status: "invalid event", errors}`,
 * `429` (back off) or 5xx.
 */
export class PagerDutySink implements AlertSink {
  readonly name = 'pagerduty';
  readonly minSeverity: AlertSeverity;
  readonly perMinute: number;
  readonly #url: string;
  readonly #routingKey: string;

  constructor(options: { routingKey: string; url?: string; minSeverity?: AlertSeverity; perMinute?: number }) {
    this.#routingKey = options.routingKey;
    this.#url = options.url ?? 'https://events.pagerduty.com/v2/enqueue';
    this.minSeverity = options.minSeverity ?? 'critical';
    this.perMinute = options.perMinute ?? 120;
  }

  /** The event for one notification (dedup keys are cut to PagerDuty's 255 characters). */
  event(n: AlertNotification): PagerDutyEvent {
    const a = n.alert;
    const dedup_key = a.dedupKey.slice(0, 255);
    if (n.kind === 'resolve') return { routing_key: this.#routingKey, event_action: 'resolve', dedup_key };
    return {
      routing_key: this.#routingKey,
      event_action: 'trigger',
      dedup_key,
      payload: {
        summary: `${a.code}: ${a.message}`.slice(0, 1024),
        source: a.node,
        severity: a.severity,
        timestamp: new Date(a.lastAt).toISOString(),
        ...(a.actorId === undefined ? {} : { component: a.actorId }),
        class: a.code,
        custom_details: { alertId: a.id, count: a.count, firstAt: new Date(a.firstAt).toISOString() },
      },
    };
  }

  async send(n: AlertNotification, signal: AbortSignal): Promise<void> {
    const reply = await postJson(this.name, { url: this.#url, body: JSON.stringify(this.event(n)), signal });
    let status: unknown;
    try {
      status = (JSON.parse(reply.text) as { status?: unknown }).status;
    } catch {
      status = undefined;
    }
    if (status !== 'success')
      throw new AlertDeliveryError(
        `pagerduty answered ${reply.status} without status "success": ${reply.text.slice(0, 200)}`,
        { sink: this.name, status: reply.status, retryable: false },
      );
  }
}
