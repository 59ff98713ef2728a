import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AlertSinkConfigError } from '../../errors.ts';
import type { AlertSeverity } from '../../host/AgentHost.ts';
import type { AlertSink } from './AlertSink.ts';
import { PagerDutySink } from './PagerDutySink.ts';
import { SlackSink } from './SlackSink.ts';
import { TelegramSink } from './TelegramSink.ts';
import { WebhookSink } from './WebhookSink.ts';

const severity = z.enum(['info', 'warning', 'critical']);

/** `alerts.yaml` beside the agent system: the same settings as the environment variables, which win. */
export const alertSinksYamlSchema = z
  .object({
    slack: z.object({ webhookUrl: z.string(), minSeverity: severity.optional() }).strict().optional(),
    telegram: z
      .object({ botToken: z.string(), chatId: z.union([z.string(), z.number()]), apiUrl: z.string().optional() })
      .extend({ minSeverity: severity.optional() })
      .strict()
      .optional(),
    pagerduty: z
      .object({ routingKey: z.string(), url: z.string().optional(), minSeverity: severity.optional() })
      .strict()
      .optional(),
    webhook: z.object({ url: z.string(), secret: z.string(), minSeverity: severity.optional() }).strict().optional(),
  })
  .strict();

type Yaml = z.infer<typeof alertSinksYamlSchema>;

function url(variable: string, value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new AlertSinkConfigError(variable, `${variable}="${value}" is not a URL; give the full http(s):// address.`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new AlertSinkConfigError(variable, `${variable}="${value}" is not an http(s) URL.`);
  return value;
}

function minSeverity(variable: string, value: string | undefined): AlertSeverity | undefined {
  if (value === undefined) return undefined;
  const parsed = severity.safeParse(value);
  if (!parsed.success)
    throw new AlertSinkConfigError(
      variable,
      `${variable}="${value}" is not a severity; use info, warning or critical.`,
    );
  return parsed.data;
}

/** Both or neither: a half-configured sink is an error, not a silent no-op. */
function pair(a: [string, string | undefined], b: [string, string | undefined]): [string, string] | undefined {
  if (a[1] === undefined && b[1] === undefined) return undefined;
  const missing = a[1] === undefined ? a[0] : b[1] === undefined ? b[0] : undefined;
  if (missing !== undefined)
    throw new AlertSinkConfigError(
      missing,
      `${missing} is not set although ${missing === a[0] ? b[0] : a[0]} is; set both or neither.`,
    );
  return [a[1]!, b[1]!];
}

/**
 * The alert sinks the environment (and optionally `alerts.yaml`'s text) configures:
 * `MANDATE_SLACK_WEBHOOK_URL`; `MANDATE_TELEGRAM_BOT_TOKEN` + `MANDATE_TELEGRAM_CHAT_ID`
 * (`MANDATE_TELEGRAM_API_URL`); `MANDATE_PAGERDUTY_ROUTING_KEY` (`MANDATE_PAGERDUTY_URL`);
 * `MANDATE_ALERT_WEBHOOK_URL` + `MANDATE_ALERT_WEBHOOK_SECRET`; each with
 * `MANDATE_<SLACK|TELEGRAM|PAGERDUTY|WEBHOOK>_MIN_SEVERITY`. Bad values throw
 * `AlertSinkConfigError` naming the variable.
 *
 * @example
 * const runtime = await createRuntime({ alerting: { sinks: alertSinksFromEnv(process.env) } });
 */
export function alertSinksFromEnv(env: NodeJS.ProcessEnv, yamlText?: string, yamlPath = 'alerts.yaml'): AlertSink[] {
  let y: Yaml = {};
  if (yamlText !== undefined) {
    const parsed = alertSinksYamlSchema.safeParse(parseYaml(yamlText) ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AlertSinkConfigError(yamlPath, `${yamlPath}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    y = parsed.data;
  }
  const sinks: AlertSink[] = [];
  const slackUrl = env.MANDATE_SLACK_WEBHOOK_URL ?? y.slack?.webhookUrl;
  if (slackUrl !== undefined) {
    const min = minSeverity('MANDATE_SLACK_MIN_SEVERITY', env.MANDATE_SLACK_MIN_SEVERITY ?? y.slack?.minSeverity);
    sinks.push(
      new SlackSink({ url: url('MANDATE_SLACK_WEBHOOK_URL', slackUrl), ...(min ? { minSeverity: min } : {}) }),
    );
  }
  const telegram = pair(
    ['MANDATE_TELEGRAM_BOT_TOKEN', env.MANDATE_TELEGRAM_BOT_TOKEN ?? y.telegram?.botToken],
    ['MANDATE_TELEGRAM_CHAT_ID', env.MANDATE_TELEGRAM_CHAT_ID ?? y.telegram?.chatId?.toString()],
  );
  if (telegram !== undefined) {
    const min = minSeverity(
      'MANDATE_TELEGRAM_MIN_SEVERITY',
      env.MANDATE_TELEGRAM_MIN_SEVERITY ?? y.telegram?.minSeverity,
    );
    const apiUrl = env.MANDATE_TELEGRAM_API_URL ?? y.telegram?.apiUrl;
    sinks.push(
      new TelegramSink({
        token: telegram[0],
        chatId: telegram[1],
        ...(apiUrl === undefined ? {} : { apiUrl: url('MANDATE_TELEGRAM_API_URL', apiUrl) }),
        ...(min ? { minSeverity: min } : {}),
      }),
    );
  }
  const routingKey = env.MANDATE_PAGERDUTY_ROUTING_KEY ?? y.pagerduty?.routingKey;
  if (routingKey !== undefined) {
    if (routingKey.trim() === '')
      throw new AlertSinkConfigError(
        'MANDATE_PAGERDUTY_ROUTING_KEY',
        'MANDATE_PAGERDUTY_ROUTING_KEY is empty; give the integration key of a PagerDuty Events API v2 service.',
      );
    const min = minSeverity(
      'MANDATE_PAGERDUTY_MIN_SEVERITY',
      env.MANDATE_PAGERDUTY_MIN_SEVERITY ?? y.pagerduty?.minSeverity,
    );
    const pdUrl = env.MANDATE_PAGERDUTY_URL ?? y.pagerduty?.url;
    sinks.push(
      new PagerDutySink({
        routingKey,
        ...(pdUrl === undefined ? {} : { url: url('MANDATE_PAGERDUTY_URL', pdUrl) }),
        ...(min ? { minSeverity: min } : {}),
      }),
    );
  }
  const webhook = pair(
    ['MANDATE_ALERT_WEBHOOK_URL', env.MANDATE_ALERT_WEBHOOK_URL ?? y.webhook?.url],
    ['MANDATE_ALERT_WEBHOOK_SECRET', env.MANDATE_ALERT_WEBHOOK_SECRET ?? y.webhook?.secret],
  );
  if (webhook !== undefined) {
    const min = minSeverity('MANDATE_WEBHOOK_MIN_SEVERITY', env.MANDATE_WEBHOOK_MIN_SEVERITY ?? y.webhook?.minSeverity);
    sinks.push(
      new WebhookSink({
        url: url('MANDATE_ALERT_WEBHOOK_URL', webhook[0]),
        secret: webhook[1],
        ...(min ? { minSeverity: min } : {}),
      }),
    );
  }
  return sinks;
}
