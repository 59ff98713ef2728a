import type { ErrorCode, Principal } from '../../kernel/index.ts';
import type { AlertSeverity } from '../host/AgentHost.ts';

/** Where an alert is: raised and not yet resolved (`open`), seen by an operator (`acknowledged`), or over (`resolved`). */
export type AlertStatus = 'open' | 'acknowledged' | 'resolved';

/** How one sink fared with one alert. */
export interface SinkDelivery {
  /** `sent` (the service accepted it), `failed` (refused, or retries ran out), `pending`. */
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  /** The last failure (`MANDATE_ERR_ALERT_DELIVERY` message). */
  error?: string;
  /** Whether the resolve reached the sink too. */
  resolved?: boolean;
}

/**
 * One alert as the alert book keeps it: raised once per dedup key while it is not resolved
 * (repeats count up), persisted, listed and acknowledged through the API, delivered to sinks.
 */
export interface AlertRecord {
  id: string;
  /** Repeats with the same key while the alert is open or acknowledged fold into it (`count`). */
  dedupKey: string;
  code: ErrorCode;
  severity: AlertSeverity;
  /** The latest message. */
  message: string;
  actorId?: string;
  node: string;
  status: AlertStatus;
  count: number;
  firstAt: number;
  lastAt: number;
  acknowledgedAt?: number;
  acknowledgedBy?: Principal;
  resolvedAt?: number;
  /** Why it was resolved (`kill switch released`, `payables completed a cycle`, `quiet for 15 minutes`). */
  resolvedBy?: string;
  /** Delivery state per sink name (`slack`, `telegram`, `pagerduty`, `webhook`). */
  deliveries: Record<string, SinkDelivery>;
}

/** Severity order, lowest first. */
export const SEVERITIES: readonly AlertSeverity[] = ['info', 'warning', 'critical'];

/** Whether `severity` is at least `min`. */
export function atLeast(severity: AlertSeverity, min: AlertSeverity): boolean {
  return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(min);
}
