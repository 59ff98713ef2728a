import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { GovernancePolicy } from 'mandate/actors';
import { alertSinksFromEnv, createRuntime, MandateRuntimeImpl } from 'mandate';
import { httpReceiver } from '../../test/support/httpReceiver.ts';
import { setup } from './index.ts';

async function settle(rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

describe('treasury example - alert sinks', () => {
  it("treasury example - with the sink variables set to local receivers, the reconciler's crash alerts reach all four in their formats", async () => {
    await using slack = await httpReceiver(() => ({ status: 200, body: 'ok' }));
    await using telegram = await httpReceiver(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ok: true, result: { message_id: 1 } }),
    }));
    await using pagerduty = await httpReceiver(() => ({
      status: 202,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'success', message: 'Event processed' }),
    }));
    await using webhook = await httpReceiver(() => ({ status: 204 }));
    const sinks = alertSinksFromEnv({
      MANDATE_SLACK_WEBHOOK_URL: `${slack.url}/services/T/B/X`,
      MANDATE_TELEGRAM_BOT_TOKEN: '42:token',
      MANDATE_TELEGRAM_CHAT_ID: '-1001',
      MANDATE_TELEGRAM_API_URL: telegram.url,
      MANDATE_PAGERDUTY_ROUTING_KEY: 'R'.repeat(32),
      MANDATE_PAGERDUTY_URL: `${pagerduty.url}/v2/enqueue`,
      MANDATE_PAGERDUTY_MIN_SEVERITY: 'warning',
      MANDATE_ALERT_WEBHOOK_URL: `${webhook.url}/alerts`,
      MANDATE_ALERT_WEBHOOK_SECRET: 'shh',
    });
    const clock = new SimulatedClock();
    clock.set(Date.parse('2026-11-21T09:00:00Z'));
    const text = await readFile(join(import.meta.dirname, 'governance.yaml'), 'utf8');
    const runtime = await createRuntime({
      clock,
      governance: GovernancePolicy.fromYaml(text, () => undefined).config,
      random: () => 0.5,
      alerting: { sinks },
    });
    await setup(runtime);
    for (let second = 0; second < 120; second++) {
      clock.increment(1_000);
      await settle();
    }
    await (runtime as MandateRuntimeImpl).services().alertBook.flush();
    const crash = runtime.listAlerts().find((a) => a.code === 'MANDATE_ERR_ACTOR_CRASHED');
    expect(crash).toMatchObject({ deliveries: { slack: { status: 'sent' }, pagerduty: { status: 'sent' } } });

    const slackTexts = slack.received.map((r) => (JSON.parse(r.body) as { text: string; blocks: unknown[] }).text);
    expect(slackTexts.some((t) => t.startsWith('[WARNING] MANDATE_ERR_ACTOR_CRASHED'))).toBe(true);
    expect(telegram.received[0]!.path).toBe('/bot42:token/sendMessage');
    expect(telegram.received.some((r) => (JSON.parse(r.body) as { text: string }).text.includes('ACTOR_CRASHED'))).toBe(
      true,
    );
    const events = pagerduty.received.map((r) => JSON.parse(r.body) as { event_action: string; dedup_key: string });
    expect(events).toContainEqual(
      expect.objectContaining({ event_action: 'trigger', dedup_key: crash!.dedupKey, routing_key: 'R'.repeat(32) }),
    );
    const hook = webhook.received[0]!;
    const ts = hook.headers['x-mandate-timestamp'] as string;
    expect(hook.headers['x-mandate-signature']).toBe(
      `sha256=${createHmac('sha256', 'shh').update(`${ts}.${hook.body}`).digest('hex')}`,
    );
    // Repeats fold: one trigger per dedup key while the crash alert is open.
    expect(events.filter((e) => e.dedup_key === crash!.dedupKey && e.event_action === 'trigger')).toHaveLength(1);
    await runtime.shutdown();
  }, 60_000);
});
