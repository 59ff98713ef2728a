import { randomUUID } from 'node:crypto';
import type { Clock } from '../kernel/index.ts';
import { AlertBook } from './alerts/AlertBook.ts';
import { Alerts } from './alerts/Alerts.ts';
import { DEFAULT_ALERT_RULES } from './alerts/alertRules.ts';
import { AlertDispatcher } from './alerts/sinks/AlertDispatcher.ts';
import { InspectionStream } from './inspection/InspectionStream.ts';
import { RuntimeTelemetry } from './metrics/RuntimeTelemetry.ts';
import { PositionPrices } from './metrics/PositionPrices.ts';
import type { StateChange } from './host/StateChange.ts';
import type { AuditInput } from './persistence/RuntimeStore.ts';
import type { RuntimeOptions } from './RuntimeOptions.ts';
import { CycleTracer } from './tracing/CycleTracer.ts';
import { OtlpHttpExporter } from './tracing/OtlpHttpExporter.ts';
import { otlpCertificate } from './tracing/otlpCertificate.ts';
import { samplerFromEnv } from './tracing/sampler.ts';

/** The agent a transition is about, as observability reads it (an `AgentHost` is one; nothing is copied). */
interface TransitionSubject {
  readonly id: string;
  readonly parent: { readonly id: string };
  readonly context: { readonly cycle: number; readonly trigger: { readonly traceparent?: string } | null };
  readonly def: {
    readonly sandbox?:
      { readonly lastUsage: { readonly cpuMs: number; readonly heapBytes?: number } | undefined } | undefined;
  };
}

/** The observability services of a runtime: the inspection stream, alerts and their book, telemetry, position prices. */
export interface Observability {
  inspection: InspectionStream;
  alerts: Alerts;
  alertBook: AlertBook;
  telemetry: RuntimeTelemetry | undefined;
  /** Price updates (`options.positionPrices`) re-valuing the telemetry's strategy positions. */
  positionPrices: PositionPrices;
  /** Cycle traces and their OTLP exporter (`options.tracing`). */
  tracing: { tracer: CycleTracer; exporter: OtlpHttpExporter } | undefined;
  /** Feeds one agent transition to the alert rules, the histograms and the tracer. */
  onAgentTransition(agent: TransitionSubject, change: StateChange): void;
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
    raise: (e) => void alerts.raise(e),
    audit: (entry) => deps.audit(entry),
    onProblem: (message) =>
      logger === undefined ? console.error(`mandate: ${message}`) : logger.warn({ event: 'alert.problem' }, message),
  });
  alerts.book = alertBook;
  const telemetry =
    options.metrics === false
      ? undefined
      : new RuntimeTelemetry({ now: () => deps.clock.now(), region: options.region ?? 'unknown' });
  const positionPrices = new PositionPrices({
    pairs: options.positionPrices ?? {},
    now: () => deps.clock.now(),
    positions: telemetry?.strategyPositions,
  });
  const tracing = options.tracing === undefined ? undefined : tracingOf(options.tracing, deps, options);
  const tracer = tracing?.tracer;
  return {
    inspection,
    alerts,
    alertBook,
    telemetry,
    positionPrices,
    tracing,
    onAgentTransition(agent, change) {
      tracer?.onAgentTransition(agent.id, change, {
        cycle: agent.context.cycle,
        traceparent: agent.context.trigger?.traceparent,
      });
      alertBook.onAgentTransition(agent.id, agent.parent.id, change);
      telemetry?.onAgentTransition(agent.id, change, agent.def.sandbox?.lastUsage);
    },
  };
}

function tracingOf(
  t: { endpoint: string; serviceName?: string },
  deps: { nodeId: string; clock: Clock },
  options: RuntimeOptions,
): { tracer: CycleTracer; exporter: OtlpHttpExporter } {
  // Read like the OpenTelemetry SDK reads them: a bad sampler refuses the start before anything runs.
  const sampler = samplerFromEnv(process.env);
  const exporter = new OtlpHttpExporter({
    endpoint: t.endpoint,
    resource: { 'service.name': t.serviceName ?? 'mandate', 'service.instance.id': deps.nodeId },
    ca: otlpCertificate(process.env),
    onProblem: (message) =>
      options.logger === undefined
        ? console.error(`mandate: ${message}`)
        : options.logger.warn({ event: 'otlp.problem' }, message),
  });
  const tracer = new CycleTracer({ now: () => deps.clock.now(), sink: exporter, sampler });
  return { tracer, exporter };
}
