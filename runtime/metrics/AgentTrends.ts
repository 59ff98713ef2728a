/**
 * Per-agent trends for `/metrics`: Holt's double exponential smoothing (an EWMA of the level and one
 * of the slope) over each cycle's duration and over its failure (1) or success (0), so a dashboard
 * sees where an agent is heading, not only where it was. The forecast is `level + horizon · slope`
 * (`HORIZON` cycles ahead), clamped to what the quantity can be.
 */
import { MetricFamily, type FamilySnapshot, type SeriesHandle } from './MetricFamily.ts';

/** Weight of the newest cycle in the level, and of the newest change in the slope. */
const ALPHA = 0.2;
const BETA = 0.1;
/** How many cycles ahead the forecast looks. */
const HORIZON = 10;

/** The trended quantities (a bounded label). */
export type Quantity = 'cycle_seconds' | 'error_rate';

/** One trended quantity of one agent, as `GET /api/metrics` gives it (`trends`). */
export interface AgentTrend {
  agent: string;
  metric: Quantity;
  level: number;
  slope: number;
  /** `HORIZON` cycles ahead. */
  forecast: number;
  /** What an operator might do, in plain language; null while nothing is heading the wrong way. */
  recommendation: string | null;
}

interface Holt {
  level: number;
  slope: number;
  seen: number;
  /** Its three gauge series, bound once. */
  readonly ewma: SeriesHandle;
  readonly slopeSeries: SeriesHandle;
  readonly forecast: SeriesHandle;
}

/** The smoothed level and slope of each agent's cycle duration and error rate. */
export class AgentTrends {
  /** Per agent, its two trended quantities (both start with its first finished cycle). */
  readonly #state = new Map<string, Record<Quantity, Holt>>();
  readonly ewma = new MetricFamily({
    name: 'mandate_agent_ewma',
    type: 'gauge',
    help: `EWMA (weight ${ALPHA}) per agent of its cycle duration in seconds (cycle_seconds) and of its failed share of cycles (error_rate).`,
    labelNames: ['agent', 'metric'],
  });
  readonly slope = new MetricFamily({
    name: 'mandate_agent_trend_slope',
    type: 'gauge',
    help: `Smoothed change per cycle (weight ${BETA}) of each mandate_agent_ewma series: above 0 it is rising.`,
    labelNames: ['agent', 'metric'],
  });
  readonly forecast = new MetricFamily({
    name: 'mandate_agent_forecast',
    type: 'gauge',
    help: `Where each mandate_agent_ewma series is heading ${HORIZON} cycles from now (level + ${HORIZON} x slope; the error rate clamped to 0-1).`,
    labelNames: ['agent', 'metric'],
  });

  /** One finished cycle of `agentId`: `seconds` long, failed or not. */
  onCycle(agentId: string, seconds: number, failed: boolean): void {
    const value = failed ? 1 : 0;
    const agent = this.#state.get(agentId);
    if (agent === undefined) {
      this.#state.set(agentId, {
        cycle_seconds: this.#start(agentId, 'cycle_seconds', seconds),
        error_rate: this.#start(agentId, 'error_rate', value),
      });
      return;
    }
    this.#update(agent.cycle_seconds, 'cycle_seconds', seconds);
    this.#update(agent.error_rate, 'error_rate', value);
  }

  /** The trend of one quantity of an agent, if it has finished a cycle. */
  trend(agentId: string, quantity: Quantity): { level: number; slope: number; forecast: number } | undefined {
    const h = this.#state.get(agentId)?.[quantity];
    if (h === undefined) return undefined;
    return { level: h.level, slope: h.slope, forecast: forecastOf(quantity, h) };
  }

  /** Every agent's trends with a recommendation where one is heading the wrong way. */
  report(): AgentTrend[] {
    const rows = [...this.#state].flatMap(([agent, q]) =>
      (['cycle_seconds', 'error_rate'] as const).map((metric) => ({ agent, metric, h: q[metric] })),
    );
    return rows.map(({ agent, metric, h }) => {
      const forecast = forecastOf(metric, h);
      return {
        agent,
        metric,
        level: h.level,
        slope: h.slope,
        forecast,
        recommendation: advice(agent, metric, h),
      };
    });
  }

  families(): FamilySnapshot[] {
    return [this.ewma, this.slope, this.forecast].map((f) => f.snapshot());
  }

  /** The first value of one quantity of an agent, with its series bound. */
  #start(agentId: string, quantity: Quantity, value: number): Holt {
    const labels = [agentId, quantity];
    const h: Holt = {
      level: value,
      slope: 0,
      seen: 1,
      ewma: this.ewma.series(labels),
      slopeSeries: this.slope.series(labels),
      forecast: this.forecast.series(labels),
    };
    this.#publish(h, quantity);
    return h;
  }

  #update(h: Holt, quantity: Quantity, value: number): void {
    const level = ALPHA * value + (1 - ALPHA) * (h.level + h.slope);
    h.slope = BETA * (level - h.level) + (1 - BETA) * h.slope;
    h.level = level;
    h.seen += 1;
    this.#publish(h, quantity);
  }

  #publish(h: Holt, quantity: Quantity): void {
    this.ewma.setIn(h.ewma, h.level);
    this.slope.setIn(h.slopeSeries, h.slope);
    this.forecast.setIn(h.forecast, forecastOf(quantity, h));
  }
}

function forecastOf(quantity: Quantity, h: Holt): number {
  const ahead = h.level + HORIZON * h.slope;
  return quantity === 'error_rate' ? Math.min(1, Math.max(0, ahead)) : Math.max(0, ahead);
}

const pct = (x: number): string => `${Math.round(x * 100)}%`;
const secs = (x: number): string => `${x < 10 ? x.toFixed(2) : Math.round(x)} s`;

/** Plain-language advice once a trend has a few cycles behind it and points the wrong way. */
function advice(agent: string, metric: Quantity, h: Holt): string | null {
  const forecast = forecastOf(metric, h);
  if (h.seen < 3 || h.slope <= 0) return null;
  if (metric === 'error_rate' && forecast >= 0.25)
    return `${agent} is failing more often (${pct(h.level)} of cycles now, ${pct(forecast)} in ${HORIZON} cycles if this goes on): read its recent failures in the audit log and alerts, and pause it if they are not transient.`;
  if (metric === 'cycle_seconds' && forecast >= 1.5 * h.level && forecast - h.level >= 0.05)
    return `${agent}'s cycles are getting slower (${secs(h.level)} now, ${secs(forecast)} in ${HORIZON} cycles if this goes on): check which phase grows (mandate_phase_duration_seconds) and its rail's payment latency.`;
  return null;
}
