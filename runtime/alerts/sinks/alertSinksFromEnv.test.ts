import { describe, expect, it } from 'vitest';
import { alertSinksFromEnv } from './alertSinksFromEnv.ts';

describe('alert sinks from the environment', () => {
  it('sink config - each variable set builds its sink with its default minimum severity; none set, no sinks', () => {
    expect(alertSinksFromEnv({})).toEqual([]);
    const sinks = alertSinksFromEnv({
      MANDATE_SLACK_WEBHOOK_URL: 'http://127.0.0.1:1/hook',
      MANDATE_TELEGRAM_BOT_TOKEN: '1:x',
      MANDATE_TELEGRAM_CHAT_ID: '-100',
      MANDATE_TELEGRAM_API_URL: 'http://127.0.0.1:2',
      MANDATE_PAGERDUTY_ROUTING_KEY: 'rk',
      MANDATE_PAGERDUTY_URL: 'http://127.0.0.1:3/v2/enqueue',
      MANDATE_ALERT_WEBHOOK_URL: 'http://127.0.0.1:4/hook',
      MANDATE_ALERT_WEBHOOK_SECRET: 's',
      MANDATE_WEBHOOK_MIN_SEVERITY: 'info',
    });
    expect(sinks.map((s) => [s.name, s.minSeverity])).toEqual([
      ['slack', 'warning'],
      ['telegram', 'warning'],
      ['pagerduty', 'critical'],
      ['webhook', 'info'],
    ]);
  });

  it('sink config - alerts.yaml configures sinks, the environment wins', () => {
    const yaml =
      'slack: { webhookUrl: "http://127.0.0.1:1/a", minSeverity: critical }\npagerduty: { routingKey: rk }\n';
    const sinks = alertSinksFromEnv({ MANDATE_SLACK_MIN_SEVERITY: 'info' }, yaml);
    expect(sinks.map((s) => [s.name, s.minSeverity])).toEqual([
      ['slack', 'info'],
      ['pagerduty', 'critical'],
    ]);
  });

  it('sink config - bad values are refused with a code naming the variable', () => {
    const cases: Array<[NodeJS.ProcessEnv, string]> = [
      [{ MANDATE_SLACK_WEBHOOK_URL: 'hooks.slack' }, 'MANDATE_SLACK_WEBHOOK_URL="hooks.slack"'],
      [{ MANDATE_SLACK_WEBHOOK_URL: 'ftp://x/y' }, 'not an http(s) URL'],
      [
        { MANDATE_SLACK_WEBHOOK_URL: 'http://h/x', MANDATE_SLACK_MIN_SEVERITY: 'high' },
        'MANDATE_SLACK_MIN_SEVERITY="high"',
      ],
      [{ MANDATE_TELEGRAM_BOT_TOKEN: '1:x' }, 'MANDATE_TELEGRAM_CHAT_ID is not set'],
      [{ MANDATE_ALERT_WEBHOOK_URL: 'http://h/x' }, 'MANDATE_ALERT_WEBHOOK_SECRET is not set'],
      [{ MANDATE_PAGERDUTY_ROUTING_KEY: ' ' }, 'MANDATE_PAGERDUTY_ROUTING_KEY is empty'],
    ];
    for (const [env, text] of cases)
      expect(() => alertSinksFromEnv(env)).toThrow(
        expect.objectContaining({ code: 'MANDATE_ERR_ALERT_SINK_CONFIG', message: expect.stringContaining(text) }),
      );
    expect(() => alertSinksFromEnv({}, 'slack: { url: x }', 'sys/alerts.yaml')).toThrow(/sys\/alerts.yaml: slack/);
  });
});
