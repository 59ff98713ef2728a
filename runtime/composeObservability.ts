import { randomUUID } from 'node:crypto';
import type { Clock } from '../kernel/index.ts';
import { AlertBook } from './alerts/AlertBook.ts';
import { Alerts } from './alerts/Alerts.ts';
import { DEFAULT_ALERT_RULES } from './alerts/alertRules.ts';
import { AlertDispatcher } from './alerts/sinks/AlertDispatcher.ts';
import { InspectionStream } from './inspection/InspectionStream.ts';
import { RuntimeTelemetry } from './metrics/RuntimeTelemetry.ts';
import type { AuditInput } from './persistence/RuntimeStore.ts';
import type { RuntimeOptions } from './RuntimeOptions.ts';

/** The observability services of a runtime: the inspection stream, alerts and their book, telemetry. */
export interface Observability {
  inspection: InspectionStream;
  alerts: Alerts;
  alertBook: AlertBook;
  telemetry: RuntimeTelemetry | undefined;
}

/**
 * Builds the inspection stream, `Alerts` with the alert book behind it (store, sinks, rules) and
 * the telemetry (`options.metrics`, default on). Part of `composeRuntime`, kept apart for size.
 */
export function composeObservability(
  options: RuntimeOptions,
  deps: { nodeId: string; clock: Clock; audit(entry: AuditInput): Promise<void> },
): Observability {
  const logger = options.logger;
  const inspection = new InspectionStream(
    logger === undefined ? undefined : (e) => logger.error({ event: 'inspection.listener', err: e }, 'listener failed'),
  );
  const alerts = new Alerts(inspection, deps.clock);
  const sinks = options.alerting?.sinks ?? [];
  const alertBook = new AlertBook({
    node: deps.nodeId,
    clock: deps.clock,
    newId: options.newId ?? randomUUID,
    rules: { ...DEFAULT_ALERT_RULES, ...options.alerting?.rules },
    store: options.store?.alerts,
    dispatcher: sinks.length === 0 ? undefined : new AlertDispatcher(sinks, options.alerting?.dispatch),
    raise: (e) => void alerts.raise(e.severity, e.code, e.message, e.actorId),
    audit: deps.audit,
    onProblem: (message) =>
      logger === undefined ? console.error(`mandate: ${message}`) : logger.warn({ event: 'alert.problem' }, message),
  });
  alerts.book = alertBook;
  const telemetry =
    options.metrics === false
      ? undefined
      : new RuntimeTelemetry({ now: () => deps.clock.now(), region: options.region ?? 'unknown' });
  return { inspection, alerts, alertBook, telemetry };
}
