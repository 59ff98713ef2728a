import type { CodeEntry } from './CodeEntry.ts';

/** Codes of the alert book and its sinks (runtime/alerts). Documented in docs/errors.md, "Alerting and observability". */
export const OBSERVABILITY_CODES = {
  MANDATE_ERR_ALERT_SINK_CONFIG: {
    status: null,
    kind: 'error',
    meaning:
      'an alert sink setting (`MANDATE_SLACK_WEBHOOK_URL`, `MANDATE_TELEGRAM_*`, `MANDATE_PAGERDUTY_*`, `MANDATE_ALERT_WEBHOOK_*`, `MANDATE_<SINK>_MIN_SEVERITY`) is malformed or incomplete; the message names the variable and what it needs',
  },
  MANDATE_ERR_ALERT_DELIVERY: {
    status: null,
    kind: 'error',
    meaning:
      "a sink refused an alert (a 4xx other than 429) or kept failing (5xx, 429, timeout) until its retries ran out; recorded on the alert's delivery state and logged, never raised as another alert",
  },
  MANDATE_ERR_REDIS_UNAVAILABLE: {
    status: null,
    kind: 'error',
    meaning:
      '`REDIS_URL` is malformed, or no Redis answered there at start (refused, timed out, wrong password); the message names the address with its password hidden. Start Redis, fix the URL, or unset it for the in-process caches',
  },
  MANDATE_ERR_SERIES_CONFIG: {
    status: null,
    kind: 'error',
    meaning:
      '`metricSeries` (the stored metric series) has a setting out of range: `intervalMs` at least 100, `retention.coarseStep` at least the interval, `retention.rawMs` at most `retention.keepMs`; the message names the setting',
  },
  MANDATE_ERR_TRACING_CONFIG: {
    status: null,
    kind: 'error',
    meaning:
      'a tracing setting is malformed: `OTEL_TRACES_SAMPLER` is not one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio; `OTEL_TRACES_SAMPLER_ARG` is not a probability from 0 to 1 for a ratio sampler; or the OTLP endpoint is not an http(s) URL, or its CA file (`OTEL_EXPORTER_OTLP_CERTIFICATE`) cannot be read; the message names the variable',
  },
  MANDATE_ALERT_REPEATED_FAILURES: {
    status: null,
    kind: 'alert',
    meaning:
      'an agent failed N cycles within the window (default 3 in 10 minutes); resolved once it goes a whole window without failing',
  },
  MANDATE_ALERT_BUDGET_HIGH: {
    status: null,
    kind: 'alert',
    meaning:
      "an agent's daily limit or a group's daily budget is at least 80% used in the last 24 h (`alerting.rules.budgetShare`); resolved when its use falls back under that share",
  },
  MANDATE_ALERT_APPROVAL_OVERDUE: {
    status: null,
    kind: 'alert',
    meaning:
      'an approval has waited longer than the threshold (default 15 minutes, `alerting.rules.approvalWaitMs`); resolved when it is answered, expires or is withdrawn',
  },
  MANDATE_ALERT_SLIPPAGE: {
    status: null,
    kind: 'alert',
    meaning:
      "a swap's slippage was above its bound (`maxSlippageBps`, default 100), or the rail refused it for slippage; resolved by the agent's next swap within its bound",
  },
  MANDATE_ALERT_NODE_LOST: {
    status: null,
    kind: 'alert',
    meaning:
      'a runtime node stopped announcing itself for longer than the lease TTL without leaving (a crash, a partition); its agents are resumed by the other nodes; resolved when it announces itself again or leaves',
  },
} as const satisfies Record<string, CodeEntry>;
