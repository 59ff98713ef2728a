import type { AlertSeverity } from '../../host/AgentHost.ts';
import type { AlertRecord } from '../AlertRecord.ts';

/** What a sink is told: an alert was raised (or escalated), or it was resolved. */
export interface AlertNotification {
  kind: 'trigger' | 'resolve';
  alert: AlertRecord;
}

/**
 * Somewhere alerts are pushed to (Slack, Telegram, PagerDuty, a signed webhook). `send` makes one
 * attempt and throws an `AlertDeliveryError` saying whether a retry may help; retries, backoff and
 * rate limiting are the `AlertDispatcher`'s, off the agent loop.
 */
export interface AlertSink {
  /** `slack`, `telegram`, `pagerduty`, `webhook`: the key of `AlertRecord.deliveries`. */
  readonly name: string;
  /** Alerts below this severity are not sent (resolves follow their triggers). */
  readonly minSeverity: AlertSeverity;
  /** Messages per minute the service accepts from one sender (the dispatcher's token bucket). */
  readonly perMinute: number;
  send(notification: AlertNotification, signal: AbortSignal): Promise<void>;
}
