/**
 * An independent check of what the Slack and PagerDuty sinks send: receivers of this file's own
 * validate each request against JSON Schemas transcribed from the services' public references
 * (Slack incoming webhooks and Block Kit; PagerDuty Events API v2), and the bodies are typed
 * against the services' own SDK types (`@slack/types`, `@pagerduty/pdjs`), so a shape the
 * services would refuse fails to compile or fails here.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EventPayloadV2 } from '@pagerduty/pdjs/build/src/events.js';
import type { KnownBlock } from '@slack/types';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../kernel/index.ts';
import { createRuntime, PagerDutySink, SlackSink, type AlertNotification } from '../../runtime/index.ts';
import type { MandateRuntimeImpl } from '../../runtime/index.ts';

const ajv = new Ajv({ allErrors: true, strict: false });
const isoDate = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$';
const textObject = {
  type: 'object',
  required: ['type', 'text'],
  properties: { type: { enum: ['mrkdwn', 'plain_text'] }, text: { type: 'string', minLength: 1, maxLength: 3000 } },
};
/** Slack: `text` (required with blocks, as the notification fallback), at most 50 blocks. */
const slackSchema = ajv.compile({
  type: 'object',
  required: ['text'],
  properties: {
    text: { type: 'string', minLength: 1, maxLength: 40000 },
    blocks: {
      type: 'array',
      maxItems: 50,
      items: {
        oneOf: [
          { type: 'object', required: ['type', 'text'], properties: { type: { const: 'section' }, text: textObject } },
          {
            type: 'object',
            required: ['type', 'elements'],
            properties: {
              type: { const: 'context' },
              elements: { type: 'array', minItems: 1, maxItems: 10, items: textObject },
            },
          },
        ],
      },
    },
  },
});
/** PagerDuty Events API v2: trigger needs a payload; resolve needs only the routing and dedup keys. */
const pagerDutySchema = ajv.compile({
  type: 'object',
  required: ['routing_key', 'event_action'],
  properties: {
    routing_key: { type: 'string', minLength: 32, maxLength: 32 },
    event_action: { enum: ['trigger', 'acknowledge', 'resolve'] },
    dedup_key: { type: 'string', maxLength: 255 },
    payload: {
      type: 'object',
      required: ['summary', 'source', 'severity'],
      properties: {
        summary: { type: 'string', minLength: 1, maxLength: 1024 },
        source: { type: 'string', minLength: 1 },
        severity: { enum: ['critical', 'error', 'warning', 'info'] },
        timestamp: { type: 'string', pattern: isoDate },
        component: { type: 'string' },
        group: { type: 'string' },
        class: { type: 'string' },
        custom_details: { type: 'object' },
      },
    },
  },
  if: { properties: { event_action: { const: 'trigger' } } },
  then: { required: ['payload'] },
  else: { required: ['dedup_key'] },
});

/** A receiver that answers like the service when the request validates, and 400 (the service's refusal) when not. */
async function strictReceiver(validate: ValidateFunction, ok: { status: number; body: string }) {
  const bodies: unknown[] = [];
  const refused: unknown[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body: unknown = JSON.parse(text);
      if (req.headers['content-type'] !== 'application/json' || !validate(body)) {
        refused.push({ body, errors: validate.errors });
        res.writeHead(400).end('invalid_payload');
        return;
      }
      bodies.push(body);
      res.writeHead(ok.status, { 'content-type': 'application/json' }).end(ok.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    refused,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const sample: AlertNotification = {
  kind: 'trigger',
  alert: {
    id: 'a1',
    dedupKey: 'k',
    code: ErrorCode.MANDATE_ERR_SUPERVISOR_ESCALATED,
    severity: 'critical',
    message: 'm',
    node: 'n',
    status: 'open',
    count: 1,
    firstAt: 0,
    lastAt: 0,
    deliveries: {},
  },
};

describe('service shapes (independent check)', () => {
  it("shapes - Slack's and PagerDuty's own SDK types accept the bodies the sinks build", () => {
    const blocks: KnownBlock[] = SlackSink.body(sample).blocks;
    const event = new PagerDutySink({ routingKey: 'x'.repeat(32) }).event(sample);
    if (event.event_action !== 'trigger') throw new Error('a trigger was expected');
    const typed: EventPayloadV2 = event;
    expect(blocks).toHaveLength(2);
    expect(typed.payload.severity).toBe('critical');
  });

  it('shapes - an escalation and its resolve reach strict Slack and PagerDuty receivers in valid shapes', async () => {
    const slack = await strictReceiver(slackSchema, { status: 200, body: 'ok' });
    const pd = await strictReceiver(pagerDutySchema, {
      status: 202,
      body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: 'x' }),
    });
    try {
      const runtime = (await createRuntime({
        nodeId: 'node-shapes',
        alerting: {
          sinks: [
            new SlackSink({ url: `${slack.url}/services/T/B/X` }),
            new PagerDutySink({ routingKey: 'R'.repeat(32), url: `${pd.url}/v2/enqueue` }),
          ],
        },
      })) as MandateRuntimeImpl;
      runtime.alert({
        severity: 'critical',
        code: ErrorCode.MANDATE_ERR_SUPERVISOR_ESCALATED,
        message: 'escalates',
        actorId: 'sandbox:payables',
      });
      runtime.services().alertBook.onAgentTransition('payables', 'sandbox:payables', { from: 'learn', to: 'idle' });
      await runtime.services().alertBook.flush();
      await runtime.shutdown();
      expect(slack.refused).toEqual([]);
      expect(pd.refused).toEqual([]);
      expect(slack.bodies).toHaveLength(2);
      expect(pd.bodies.map((b) => (b as { event_action: string }).event_action)).toEqual(['trigger', 'resolve']);
    } finally {
      await slack.close();
      await pd.close();
    }
  });
});
