import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { RulesDecider, type Actuator } from '../../actors/index.ts';
import { httpReceiver } from '../../test/support/httpReceiver.ts';
import { createRuntime, defineAgent, type InspectionEvent, type MandateRuntimeImpl } from '../index.ts';
import { CycleTracer } from './CycleTracer.ts';
import { OtlpHttpExporter } from './OtlpHttpExporter.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status: { code: number };
  attributes: Array<{ key: string; value: { stringValue?: string } }>;
}

describe('cycle traces', () => {
  it('traces - one trace per cycle, a span per phase, exported over OTLP/HTTP JSON; the trace id is in the transitions', async () => {
    await using collector = await httpReceiver(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }));
    const clock = new SimulatedClock();
    clock.set(1_790_000_000_000);
    const runtime = (await createRuntime({
      clock,
      nodeId: 'node-t',
      tracing: { endpoint: collector.url },
    })) as MandateRuntimeImpl;
    const events: InspectionEvent[] = [];
    runtime.subscribe((e) => events.push(e));
    await runtime.spawn(
      defineAgent({
        id: 'watcher',
        capabilities: ['x.y'],
        perceive: () => ({ v: 1 }),
        decide: RulesDecider.fromObject({
          rules: [
            {
              name: 'hold',
              conditions: { all: [{ fact: 'v', operator: 'equal', value: 1 }] },
              event: { type: 'none' },
            },
          ],
        }),
      }),
    );
    for (let i = 0; i < 2; i++) {
      await runtime.trigger('watcher', { kind: 'human', id: 'a' });
      for (let r = 0; r < 30; r++) await new Promise((x) => setImmediate(x));
    }
    await runtime.services().tracing!.exporter.flush();

    expect(collector.received.every((r) => r.path === '/v1/traces' && r.method === 'POST')).toBe(true);
    const bodies = collector.received.map(
      (r) =>
        JSON.parse(r.body) as {
          resourceSpans: Array<{
            resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
            scopeSpans: Array<{ spans: OtlpSpan[] }>;
          }>;
        },
    );
    const resource = bodies[0]!.resourceSpans[0]!.resource.attributes;
    expect(resource).toContainEqual({ key: 'service.name', value: { stringValue: 'mandate' } });
    const spans = bodies.flatMap((b) => b.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
    const roots = spans.filter((s) => s.name === 'agent.cycle');
    expect(roots).toHaveLength(2);
    expect(roots[0]!.traceId).not.toBe(roots[1]!.traceId);
    for (const root of roots) {
      expect(root.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(root.spanId).toMatch(/^[0-9a-f]{16}$/);
      const children = spans.filter((s) => s.traceId === root.traceId && s.parentSpanId === root.spanId);
      expect(children.map((c) => c.name)).toEqual(['agent.perceive', 'agent.decide', 'agent.learn']);
      expect(BigInt(root.endTimeUnixNano) >= BigInt(root.startTimeUnixNano)).toBe(true);
      expect(root.status.code).toBe(1);
    }
    const decided = events.filter((e) => e.type === 'transition' && e.event === 'agent.decide.done');
    expect(decided.map((e) => (e as { summary: { traceId?: string } }).summary.traceId)).toEqual(
      roots.map((r) => r.traceId),
    );
    await runtime.shutdown();
  });

  it('traces - a payment cycle has a span per supervisor stage under propose and the rail call under act', async () => {
    await using collector = await httpReceiver(() => ({ status: 200, body: '{}' }));
    const clock = new SimulatedClock();
    clock.set(1_790_000_000_000);
    const runtime = (await createRuntime({
      clock,
      mode: 'live',
      tracing: { endpoint: collector.url },
    })) as MandateRuntimeImpl;
    const pay: Actuator = {
      name: 'test.bank',
      effect: 'external',
      execute: async () => ({ status: 'succeeded', receipt: { reference: 'r-1' } }),
    };
    await runtime.spawn(
      defineAgent({
        id: 'payables',
        capabilities: ['payments.send'],
        permissions: [{ capability: 'payments.send', accounts: ['ops'] }],
        limits: { perTransaction: { USDC: '100' }, daily: { USDC: '100' } },
        perceive: () => ({ go: true }),
        decide: RulesDecider.fromObject({
          rules: [
            {
              name: 'pay',
              conditions: { all: [{ fact: 'go', operator: 'equal', value: true }] },
              event: {
                type: 'payment.send',
                capability: 'payments.send',
                account: 'ops',
                amount: { value: '5', asset: 'USDC' },
              },
            },
          ],
        }),
        act: pay,
      }),
    );
    await runtime.trigger('payables', { kind: 'human', id: 'a' });
    for (let r = 0; r < 30; r++) await new Promise((x) => setImmediate(x));
    await runtime.services().tracing!.exporter.flush();
    const spans = collector.received.flatMap((r) =>
      (
        JSON.parse(r.body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }
      ).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)),
    );
    const named = (name: string) => spans.find((s) => s.name === name)!;
    const attr = (s: OtlpSpan, key: string) => s.attributes.find((a) => a.key === key)?.value.stringValue;
    const root = named('agent.cycle');
    expect(spans.every((s) => s.traceId === root.traceId)).toBe(true);
    const propose = named('agent.propose');
    const stages = spans.filter((s) => s.parentSpanId === propose.spanId);
    expect(stages.map((s) => s.name).slice(0, 4)).toEqual([
      'supervisor.sandbox',
      'supervisor.reputation',
      'supervisor.zero-trust',
      'supervisor.governance',
    ]);
    expect(stages.map((s) => attr(s, 'mandate.verdict'))).toEqual(stages.map(() => 'approved'));
    const rail = named('rail.execute');
    expect(rail.parentSpanId).toBe(named('agent.act').spanId);
    expect(attr(rail, 'mandate.rail')).toBe('test.bank');
    expect(attr(rail, 'mandate.status')).toBe('succeeded');
    await runtime.shutdown();
  });

  it('traces - with the exporter full, spans are not built (and counted as dropped), yet the trace ids and traceparent still work', async () => {
    const problems: string[] = [];
    const exporter = new OtlpHttpExporter({
      endpoint: 'http://127.0.0.1:9',
      resource: {},
      onProblem: (m) => problems.push(m),
      intervalMs: 60_000,
      maxQueue: 4,
      batchSize: 100,
    });
    const exported: OtlpSpan[] = [];
    let full = false;
    const tracer = new CycleTracer({
      now: () => 1,
      sink: { full: () => full && exporter.full(), enqueue: (s) => exported.push(JSON.parse(s) as OtlpSpan) },
    });
    for (let i = 0; i < 4; i++) exporter.enqueue('{}');
    full = true;
    tracer.onAgentTransition('a', { from: 'idle', to: 'perceive' });
    const tp = tracer.traceparentOf('a');
    expect(tp).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    tracer.onAgentTransition('a', { from: 'perceive', to: 'idle' });
    expect(exported).toHaveLength(0);
    expect(exporter.stats().dropped).toBe(2);
    expect(tracer.traceIdOf('a')).toBe(tp!.slice(3, 35));
    expect(tracer.traceparentOf('a')).toBeUndefined();
    full = false;
    tracer.onAgentTransition('a', { from: 'idle', to: 'perceive' });
    tracer.onAgentTransition('a', { from: 'perceive', to: 'idle' });
    expect(exported.map((s) => s.name)).toEqual(['agent.perceive', 'agent.cycle']);
    await exporter.close();
    // The two spans not built are reported; the four queued ones failed (nobody listens on port 9).
    expect(problems).toContainEqual(expect.stringMatching(/^2 spans dropped/));
    expect(exporter.stats()).toMatchObject({ dropped: 2, failed: 4, exported: 0 });
  });

  it('traces - ids drawn when first asked for are the ones the spans carry; each cycle gets a new trace', () => {
    const exported: OtlpSpan[] = [];
    const tracer = new CycleTracer({
      now: () => 1,
      sink: { full: () => false, enqueue: (s) => exported.push(JSON.parse(s) as OtlpSpan) },
    });
    tracer.onAgentTransition('a', { from: 'idle', to: 'perceive' }, { cycle: 1, traceparent: undefined });
    const inPerceive = tracer.traceparentOf('a')!.split('-');
    tracer.onAgentTransition('a', { from: 'perceive', to: 'decide' });
    tracer.span('a', { name: 'supervisor.x', startMs: 1, endMs: 1, attributes: {} });
    const inDecide = tracer.traceparentOf('a')!.split('-');
    tracer.onAgentTransition('a', { from: 'decide', to: 'idle' });
    const [perceive, child, decide, cycle] = exported;
    expect(exported.map((s) => s.name)).toEqual(['agent.perceive', 'supervisor.x', 'agent.decide', 'agent.cycle']);
    expect(perceive!.spanId).toBe(inPerceive[2]);
    expect(decide!.spanId).toBe(inDecide[2]);
    expect(child!.parentSpanId).toBe(decide!.spanId);
    expect(new Set([perceive!.parentSpanId, decide!.parentSpanId])).toEqual(new Set([cycle!.spanId]));
    expect(new Set(exported.map((s) => s.traceId))).toEqual(new Set([inPerceive[1]]));
    expect(tracer.traceIdOf('a')).toBe(inPerceive[1]);
    expect(new Set(exported.map((s) => s.spanId)).size).toBe(4);
    tracer.onAgentTransition('a', { from: 'idle', to: 'perceive' }, { cycle: 2, traceparent: undefined });
    tracer.onAgentTransition('a', { from: 'perceive', to: 'idle' });
    expect(exported[4]!.traceId).not.toBe(inPerceive[1]);
    expect(exported[5]!.spanId).not.toBe(cycle!.spanId);
    expect(tracer.traceIdOf('a')).toBe(exported[4]!.traceId);
  });
});
