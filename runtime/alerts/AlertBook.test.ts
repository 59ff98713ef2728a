import { describe, expect, it } from 'vitest';
import { httpReceiver } from '../../test/support/httpReceiver.ts';
import { openTestStore } from '../../test/support/db.ts';
import { ErrorCode } from '../../kernel/index.ts';
import { createRuntime } from '../MandateRuntimeImpl.ts';
import type { MandateRuntimeImpl } from '../MandateRuntimeImpl.ts';
import { PagerDutySink } from './sinks/PagerDutySink.ts';
import { SlackSink } from './sinks/SlackSink.ts';

const pdOk = {
  status: 202,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ status: 'success', message: 'Event processed' }),
};

describe('alert book', () => {
  it('alerts - repeats fold into one alert (one trigger), a release resolves it with the same dedup key', async () => {
    await using pd = await httpReceiver(() => pdOk);
    await using slack = await httpReceiver(() => ({ status: 200, body: 'ok' }));
    const runtime = await createRuntime({
      alerting: {
        sinks: [
          new PagerDutySink({ routingKey: 'rk', url: `${pd.url}/v2/enqueue` }),
          new SlackSink({ url: `${slack.url}/hook` }),
        ],
      },
    });
    for (let i = 0; i < 3; i++)
      runtime.alert({
        severity: 'critical',
        code: ErrorCode.MANDATE_ERR_KILL_SWITCH,
        message: `kill switch engaged by ops (${i})`,
      });
    runtime.alert({
      severity: 'warning',
      code: ErrorCode.MANDATE_KILL_SWITCH_RELEASED,
      message: 'kill switch released by ops: fixed',
    });
    await (runtime as MandateRuntimeImpl).services().alertBook.flush();

    const events = pd.received.map((r) => JSON.parse(r.body) as { event_action: string; dedup_key: string });
    expect(events.map((e) => e.event_action)).toEqual(['trigger', 'resolve']);
    expect(events[1]!.dedup_key).toBe(events[0]!.dedup_key);
    // Slack: the trigger, its resolve, and the release itself (a warning); PagerDuty took only the critical one.
    const texts = slack.received.map((r) => (JSON.parse(r.body) as { text: string }).text);
    expect(texts).toEqual([
      expect.stringMatching(/^\[CRITICAL\] MANDATE_ERR_KILL_SWITCH: kill switch engaged by ops \(0\)/),
      expect.stringMatching(/^\[RESOLVED\] MANDATE_ERR_KILL_SWITCH: kill switch engaged by ops \(2\).*3 times/),
      expect.stringMatching(/^\[WARNING\] MANDATE_KILL_SWITCH_RELEASED/),
    ]);
    const released = runtime.listAlerts().find((a) => a.code === ErrorCode.MANDATE_KILL_SWITCH_RELEASED);
    const engaged = runtime.listAlerts().find((a) => a.code === ErrorCode.MANDATE_ERR_KILL_SWITCH);
    expect(engaged).toMatchObject({
      status: 'resolved',
      count: 3,
      resolvedBy: expect.stringContaining('MANDATE_KILL_SWITCH_RELEASED'),
      deliveries: { pagerduty: { status: 'sent', resolved: true }, slack: { status: 'sent', resolved: true } },
    });
    expect(released).toMatchObject({ status: 'open', code: 'MANDATE_KILL_SWITCH_RELEASED' });
    await runtime.shutdown();
  });

  it('alerts - N failed cycles within the window raise one critical repeated-failures alert', async () => {
    const runtime = (await createRuntime({
      alerting: { rules: { repeatedFailures: { count: 2, windowMs: 60_000 } } },
    })) as MandateRuntimeImpl;
    const book = runtime.services().alertBook;
    book.onAgentTransition('payables', 'sandbox:payables', { from: 'act', to: 'failed' });
    expect(runtime.listAlerts()).toEqual([]);
    book.onAgentTransition('payables', 'sandbox:payables', { from: 'retrying', to: 'failed' });
    book.onAgentTransition('payables', 'sandbox:payables', { from: 'retrying', to: 'failed' });
    const [repeated] = runtime.listAlerts();
    expect(runtime.listAlerts()).toHaveLength(1);
    expect(repeated).toMatchObject({
      code: 'MANDATE_ALERT_REPEATED_FAILURES',
      severity: 'critical',
      actorId: 'payables',
      count: 2,
    });
    await runtime.shutdown();
  });

  it('alerts - an escalation resolves when an agent under that supervisor completes a cycle', async () => {
    const runtime = (await createRuntime({})) as MandateRuntimeImpl;
    runtime.alert({
      severity: 'critical',
      code: ErrorCode.MANDATE_ERR_SUPERVISOR_ESCALATED,
      message: 'escalates',
      actorId: 'sandbox:payables',
    });
    const book = runtime.services().alertBook;
    book.onAgentTransition('fx', 'sandbox:fx', { from: 'learn', to: 'idle' });
    expect(runtime.listAlerts()[0]!.status).toBe('open');
    book.onAgentTransition('payables', 'sandbox:payables', { from: 'learn', to: 'idle' });
    expect(runtime.listAlerts()[0]).toMatchObject({
      status: 'resolved',
      resolvedBy: expect.stringContaining('payables'),
    });
    await runtime.shutdown();
  });

  it('alerts - kept across a restart: acknowledged stays acknowledged, a repeat folds into it, an unknown id is not found', async () => {
    await using t = await openTestStore('postgresql');
    const first = await createRuntime({ store: t.store, nodeId: 'node-a' });
    first.alert({
      severity: 'warning',
      code: ErrorCode.MANDATE_ERR_ACTOR_CRASHED,
      message: 'reconciler restarted',
      actorId: 'sandbox:payables',
    });
    const [raised] = first.listAlerts();
    const acked = await first.acknowledgeAlert(raised!.id, { kind: 'human', id: 'alice' });
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledgedBy: { kind: 'human', id: 'alice' } });
    await first.shutdown();

    const second = await createRuntime({ store: await t.reopen(), nodeId: 'node-a' });
    expect(second.listAlerts()).toEqual([acked]);
    second.alert({
      severity: 'warning',
      code: ErrorCode.MANDATE_ERR_ACTOR_CRASHED,
      message: 'reconciler restarted again',
      actorId: 'sandbox:payables',
    });
    expect(second.listAlerts()).toEqual([
      expect.objectContaining({
        id: raised!.id,
        status: 'acknowledged',
        count: 2,
        message: 'reconciler restarted again',
      }),
    ]);
    await expect(second.acknowledgeAlert('nope', { kind: 'human', id: 'alice' })).rejects.toMatchObject({
      code: 'MANDATE_ERR_NOT_FOUND',
      message: expect.stringContaining('"nope"'),
    });
    await second.shutdown();
  });
});
