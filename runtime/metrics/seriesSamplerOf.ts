import type { Clock } from '../../kernel/index.ts';
import type { RuntimeOptions } from '../RuntimeOptions.ts';
import type { RuntimeTelemetry } from './RuntimeTelemetry.ts';
import { SeriesSampler, type AgentTotals } from './SeriesSampler.ts';

/** What the sampler reads from the runtime: its agents' counters and what telemetry counts (payments, `seriesTotals`). */
interface SampledRuntime {
  readonly options: RuntimeOptions;
  readonly nodeId: string;
  readonly clock: Clock;
  readonly telemetry: RuntimeTelemetry | undefined;
  readonly tree: { agents(): Iterable<{ readonly id: string; readonly cycles: number; readonly failures: number }> };
}

/**
 * The sampler of the agents' cycles, failed cycles, payments, cycle time and (per asset)
 * payments, volume and fees into the store's series
 * (`options.metricSeries`, default every 10 s), not started yet; undefined when the store keeps no
 * series, the telemetry is off or `metricSeries` is false.
 * @throws SeriesConfigError when a `metricSeries` setting is out of range.
 */
export function seriesSamplerOf(s: SampledRuntime): SeriesSampler | undefined {
  const store = s.options.store?.series;
  const o = s.options.metricSeries;
  if (store === undefined || o === false || s.telemetry === undefined) return undefined;
  const telemetry = s.telemetry;
  const logger = s.options.logger;
  return new SeriesSampler({
    store,
    clock: s.clock,
    node: s.nodeId,
    region: s.options.region ?? 'unknown',
    intervalMs: o?.intervalMs,
    retention: o?.retention,
    totals: () => totalsOf(s.tree.agents(), telemetry),
    onProblem: (message) =>
      logger === undefined ? console.error(`mandate: ${message}`) : logger.warn({ event: 'series.problem' }, message),
  });
}

function totalsOf(
  agents: Iterable<{ readonly id: string; readonly cycles: number; readonly failures: number }>,
  telemetry: RuntimeTelemetry,
): AgentTotals[] {
  const payments = new Map<string, number>();
  for (const series of telemetry.payments.snapshot().series) {
    const agent = series.labels.agent ?? '';
    payments.set(agent, (payments.get(agent) ?? 0) + (series.value ?? 0));
  }
  const exact = telemetry.seriesTotals;
  return [...agents].map((h) => {
    const more = exact.of(h.id);
    return {
      agent: h.id,
      cycles: h.cycles,
      failures: h.failures,
      payments: payments.get(h.id) ?? 0,
      assets: more?.assets,
      timed: more?.timed,
      longestMs: exact.takeLongest(h.id),
    };
  });
}
