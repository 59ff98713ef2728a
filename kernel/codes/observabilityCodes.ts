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
  MANDATE_ALERT_REPEATED_FAILURES: {
    status: null,
    kind: 'alert',
    meaning:
      'an agent failed N cycles within the window (default 3 in 10 minutes); resolved once it goes a whole window without failing',
  },
} as const satisfies Record<string, CodeEntry>;
