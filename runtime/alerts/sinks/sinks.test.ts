import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { httpReceiver, type Answer, type Received } from '../../../test/support/httpReceiver.ts';
import { ErrorCode } from '../../../kernel/index.ts';
import type { AlertRecord, SinkDelivery } from '../AlertRecord.ts';
import { AlertDispatcher } from './AlertDispatcher.ts';
import type { AlertSink } from './AlertSink.ts';
import { PagerDutySink } from './PagerDutySink.ts';
import { SlackSink } from './SlackSink.ts';
import { TelegramSink } from './TelegramSink.ts';
import { WebhookSink } from './WebhookSink.ts';

const T0 = 1_790_000_000_000;
const json = { 'content-type': 'application/json' };

function alertOf(over: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id: 'al-1',
    dedupKey: 'MANDATE_ERR_SUPERVISOR_ESCALATED:sandbox:payables',
    code: ErrorCode.MANDATE_ERR_SUPERVISOR_ESCALATED,
    severity: 'critical',
    message: 'sandbox:payables exceeded its restart intensity and escalates',
    actorId: 'sandbox:payables',
    node: 'node-1',
    status: 'open',
    count: 1,
    firstAt: T0,
    lastAt: T0,
    deliveries: {},
    ...over,
  };
}

/** Injected time: sleeping advances the clock at once and is recorded. */
function fakeTime() {
  let t = T0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => void (sleeps.push(ms), (t += ms)),
    random: () => 0.5,
    sleeps,
  };
}

interface Service {
  sink(url: string): AlertSink;
  ok: Answer;
  refused: Answer;
  limited: Answer;
  /** The wait the service asked for in its 429 (header or body); undefined: it says nothing, backoff applies. */
  limitedWait: number | undefined;
  broken: Answer;
  /** What a request must look like. */
  check(r: Received): void;
}

/** Each service's real request and answers (their public API references). */
const SERVICES: Record<string, Service> = {
  slack: {
    sink: (url) => new SlackSink({ url: `${url}/services/T000/B000/XXXX`, minSeverity: 'info' }),
    ok: { status: 200, body: 'ok' },
    refused: { status: 400, body: 'invalid_payload' },
    limited: { status: 429, headers: { 'retry-after': '2' }, body: 'rate_limited' },
    limitedWait: 2_000,
    broken: { status: 500, body: 'internal_error' },
    check(r) {
      expect(r.path).toBe('/services/T000/B000/XXXX');
      const body = JSON.parse(r.body) as { text: string; blocks: Array<{ type: string }> };
      expect(body.text).toContain('[CRITICAL] MANDATE_ERR_SUPERVISOR_ESCALATED');
      expect(body.blocks.map((b) => b.type)).toEqual(['section', 'context']);
    },
  },
  telegram: {
    sink: (url) => new TelegramSink({ token: '123456:ABC-DEF', chatId: '-1001234', apiUrl: url, minSeverity: 'info' }),
    ok: {
      status: 200,
      headers: json,
      body: JSON.stringify({
        ok: true,
        result: { message_id: 7, chat: { id: -1001234, type: 'supergroup' }, date: 0 },
      }),
    },
    refused: {
      status: 400,
      headers: json,
      body: JSON.stringify({ ok: false, error_code: 400, description: 'Bad Request: chat not found' }),
    },
    limited: {
      status: 429,
      headers: json,
      body: JSON.stringify({
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 3',
        parameters: { retry_after: 3 },
      }),
    },
    limitedWait: 3_000,
    broken: {
      status: 502,
      headers: json,
      body: JSON.stringify({ ok: false, error_code: 502, description: 'Bad Gateway' }),
    },
    check(r) {
      expect(r.path).toBe('/bot123456:ABC-DEF/sendMessage');
      expect(JSON.parse(r.body)).toMatchObject({ chat_id: '-1001234', text: expect.stringContaining('[CRITICAL]') });
    },
  },
  pagerduty: {
    sink: (url) => new PagerDutySink({ routingKey: 'R0UT1NGKEY0000000000000000000000', url: `${url}/v2/enqueue` }),
    ok: {
      status: 202,
      headers: json,
      body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: 'k' }),
    },
    refused: {
      status: 400,
      headers: json,
      body: JSON.stringify({
        status: 'invalid event',
        message: 'Event object is invalid',
        errors: ["'payload.summary' is missing"],
      }),
    },
    limited: { status: 429, body: '' },
    limitedWait: undefined,
    broken: { status: 500, body: '' },
    check(r) {
      expect(r.path).toBe('/v2/enqueue');
      expect(JSON.parse(r.body)).toMatchObject({
        routing_key: 'R0UT1NGKEY0000000000000000000000',
        event_action: 'trigger',
        dedup_key: 'MANDATE_ERR_SUPERVISOR_ESCALATED:sandbox:payables',
        payload: { severity: 'critical', source: 'node-1', class: 'MANDATE_ERR_SUPERVISOR_ESCALATED' },
      });
    },
  },
  webhook: {
    sink: (url) => new WebhookSink({ url: `${url}/hook`, secret: 's3cret', now: () => T0 }),
    ok: { status: 204 },
    refused: { status: 401, body: 'bad signature' },
    limited: { status: 429, headers: { 'retry-after': '2' } },
    limitedWait: 2_000,
    broken: { status: 503 },
    check(r) {
      const ts = r.headers['x-mandate-timestamp'] as string;
      expect(ts).toBe(String(T0 / 1000));
      const expected = `sha256=${createHmac('sha256', 's3cret').update(`${ts}.${r.body}`).digest('hex')}`;
      expect(r.headers['x-mandate-signature']).toBe(expected);
      expect(JSON.parse(r.body)).toMatchObject({ kind: 'trigger', alert: { id: 'al-1' } });
    },
  },
};

/** Sends one trigger through a dispatcher to a receiver playing `answers` in turn (the last repeats). */
async function deliver(service: Service, answers: Answer[], dispatch: { attempts?: number; timeoutMs?: number } = {}) {
  await using receiver = await httpReceiver((i) => answers[Math.min(i, answers.length - 1)]!);
  const time = fakeTime();
  const sink = service.sink(receiver.url);
  const d = new AlertDispatcher([sink], {
    ...time,
    attempts: dispatch.attempts ?? 4,
    timeoutMs: dispatch.timeoutMs ?? 5_000,
  });
  const results: SinkDelivery[] = [];
  d.notify({ kind: 'trigger', alert: alertOf() }, [sink.name], (_s, delivery) => results.push(delivery));
  await d.drain();
  return { delivery: results[0]!, received: [...receiver.received], sleeps: time.sleeps };
}

describe.each(Object.entries(SERVICES))('alert sink %s against a local receiver', (_name, service) => {
  it('sinks - success: one request in the service format, delivered on the first attempt', async () => {
    const { delivery, received } = await deliver(service, [service.ok]);
    expect(delivery).toEqual({ status: 'sent', attempts: 1 });
    expect(received).toHaveLength(1);
    expect(received[0]!.headers['content-type']).toBe('application/json');
    service.check(received[0]!);
  });

  it('sinks - a 4xx refusal is final: not retried, the failure quotes the answer', async () => {
    const { delivery, received } = await deliver(service, [service.refused, service.ok]);
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, error: expect.stringMatching(/4\d\d/) });
    expect(received).toHaveLength(1);
  });

  it('sinks - a 429 is retried after the wait the service asked for (or the backoff)', async () => {
    const { delivery, received, sleeps } = await deliver(service, [service.limited, service.ok]);
    expect(delivery).toEqual({ status: 'sent', attempts: 2 });
    expect(received).toHaveLength(2);
    expect(Math.max(...sleeps)).toBeGreaterThanOrEqual(service.limitedWait ?? 500);
  });

  it('sinks - a 5xx is retried with backoff; retries run out into a failure', async () => {
    const healed = await deliver(service, [service.broken, service.ok]);
    expect(healed.delivery).toEqual({ status: 'sent', attempts: 2 });
    const down = await deliver(service, [service.broken], { attempts: 3 });
    expect(down.delivery).toMatchObject({ status: 'failed', attempts: 3, error: expect.stringContaining('gave up') });
    expect(down.received).toHaveLength(3);
    // Exponential: each wait longer than the one before.
    expect(down.sleeps[1]!).toBeGreaterThan(down.sleeps[0]!);
  });

  it('sinks - a request without an answer times out and is retried', async () => {
    const { delivery, received } = await deliver(service, ['hang', service.ok], { timeoutMs: 300 });
    expect(delivery).toEqual({ status: 'sent', attempts: 2 });
    expect(received).toHaveLength(2);
  });
});

describe('alert dispatcher', () => {
  it('dispatcher - a sink is rate-limited by its token bucket: past the burst, one message per 1/perMinute', async () => {
    await using receiver = await httpReceiver(() => ({ status: 200, body: 'ok' }));
    const time = fakeTime();
    const sink = new SlackSink({ url: receiver.url, perMinute: 2 });
    const d = new AlertDispatcher([sink], time);
    for (let i = 0; i < 4; i++) d.notify({ kind: 'trigger', alert: alertOf({ id: `al-${i}` }) }, ['slack']);
    await d.drain();
    expect(receiver.received).toHaveLength(4);
    expect(time.sleeps).toEqual([30_000, 30_000]);
  });

  it('dispatcher - sinks get only what reaches their minimum severity', () => {
    const d = new AlertDispatcher([
      new SlackSink({ url: 'http://127.0.0.1:9' }),
      new PagerDutySink({ routingKey: 'k', url: 'http://127.0.0.1:9' }),
    ]);
    expect(d.sinksFor('info')).toEqual([]);
    expect(d.sinksFor('warning')).toEqual(['slack']);
    expect(d.sinksFor('critical')).toEqual(['slack', 'pagerduty']);
    d.close();
  });
});
