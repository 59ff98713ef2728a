import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RulesDecider, type Actuator } from '../../actors/index.ts';
import { createRuntime, defineAgent, TASK_REQUEST, type MandateRuntime } from '../../runtime/index.ts';
import { agentOf, servicesOf } from '../support/agentOf.ts';
import { httpReceiver, type HttpReceiver } from '../support/httpReceiver.ts';
import { NatsServer } from '../support/natsServer.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Array<{ key: string; value: { stringValue?: string } }>;
}

const rule = (type: string, capability: string) =>
  RulesDecider.fromObject({
    rules: [
      {
        name: 'on-input',
        conditions: {
          any: [
            { fact: 'input', path: '$.n', operator: 'greaterThan', value: 0 },
            { fact: 'input', path: '$.body.n', operator: 'greaterThan', value: 0 },
          ],
        },
        event: { type, capability, params: {} },
      },
    ],
  });

function spansOf(collector: HttpReceiver): OtlpSpan[] {
  return collector.received.flatMap((r) =>
    (
      JSON.parse(r.body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> }
    ).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)),
  );
}
const agentAttr = (s: OtlpSpan) => s.attributes.find((a) => a.key === 'mandate.agent')?.value.stringValue;

async function until(check: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('traces across nodes', () => {
  let ns: NatsServer;
  let collector: HttpReceiver;
  let a: MandateRuntime;
  let b: MandateRuntime;
  /** What the asker's actuator does in its act phase: one signed message from node a to node b. */
  let ask: (n: number) => Promise<void> = async () => {};

  beforeAll(async () => {
    ns = await NatsServer.start({ jetstream: true });
    collector = await httpReceiver(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }));
    const tracing = { endpoint: collector.url };
    a = await createRuntime({ nodeId: 'node-a', tracing, messaging: { natsUrl: ns.url, publishInspection: false } });
    b = await createRuntime({ nodeId: 'node-b', tracing, messaging: { natsUrl: ns.url, publishInspection: false } });
    const relay: Actuator = {
      name: 'relay',
      effect: 'internal',
      execute: async (action) => {
        await ask(Number(action.params.n ?? 1));
        return { status: 'succeeded', receipt: { reference: 'asked' } };
      },
    };
    await a.spawn(
      defineAgent({
        id: 'asker',
        capabilities: ['ledger.annotate'],
        permissions: [{ capability: 'ledger.annotate', accounts: ['*'] }],
        perceive: () => ({}),
        decide: rule('ledger.annotate', 'ledger.annotate'),
        act: relay,
      }),
    );
    await b.spawn(
      defineAgent({
        id: 'clerk',
        capabilities: ['ledger.note'],
        permissions: [{ capability: 'ledger.note', accounts: ['*'] }],
        triggers: [{ message: 'invoice.received' }],
        perceive: () => ({}),
        decide: rule('ledger.note', 'ledger.note'),
        act: {
          name: 'note',
          effect: 'internal',
          execute: async () => ({ status: 'succeeded', receipt: { reference: 'noted' } }),
        },
      }),
    );
  });
  afterAll(async () => {
    await a?.shutdown();
    await b?.shutdown();
    await collector?.[Symbol.asyncDispose]();
    await ns?.stop();
  });

  const flush = async () => {
    await servicesOf(a).tracing!.exporter.flush();
    await servicesOf(b).tracing!.exporter.flush();
  };

  it('traces - a task request from a cycle on node a runs on node b as one trace: b’s cycle is a child of a’s act span', async () => {
    const clerkDid = agentOf(b, 'clerk').identity.did;
    let reply: unknown;
    ask = async (n) => {
      const endpoint = servicesOf(a).messaging!.endpoints.get('asker')!;
      reply = (
        await endpoint.request({
          to: clerkDid,
          type: TASK_REQUEST,
          body: { capability: 'ledger.note', input: { n } },
          timeoutMs: 10_000,
        })
      ).body;
    };
    await a.submitTask('ledger.annotate', { n: 2 }, { kind: 'human', id: 'ops' });
    expect(reply).toMatchObject({ agentId: 'clerk', outcome: { status: 'succeeded' } });
    await until(() => agentOf(b, 'clerk').state === 'idle');
    await flush();
    const spans = spansOf(collector);
    const askerAct = spans.find((s) => s.name === 'agent.act' && agentAttr(s) === 'asker');
    const clerkRoot = spans.find((s) => s.name === 'agent.cycle' && agentAttr(s) === 'clerk');
    expect(askerAct).toBeDefined();
    expect(clerkRoot).toMatchObject({ traceId: askerAct!.traceId, parentSpanId: askerAct!.spanId });
    // Every span of b's cycle (its phases, its supervisor stages) is in the same trace.
    const clerkSpans = spans.filter((s) => agentAttr(s) === 'clerk');
    expect(clerkSpans.length).toBeGreaterThan(3);
    expect(new Set(clerkSpans.map((s) => s.traceId))).toEqual(new Set([askerAct!.traceId]));
    // The asker's own cycle root has no parent: the trace starts on node a.
    const askerRoot = spans.find((s) => s.name === 'agent.cycle' && agentAttr(s) === 'asker');
    expect(askerRoot).toMatchObject({ traceId: askerAct!.traceId });
    expect(askerRoot!.parentSpanId).toBeUndefined();
  });

  it('traces - a one-way signed message continues the trace too (message trigger), and a message sent outside any cycle starts a new one', async () => {
    collector.received.length = 0;
    const clerkDid = agentOf(b, 'clerk').identity.did;
    const cycles = agentOf(b, 'clerk').cycles;
    ask = async (n) => {
      const endpoint = servicesOf(a).messaging!.endpoints.get('asker')!;
      await endpoint.send({ to: clerkDid, type: 'invoice.received', body: { n } });
    };
    await a.submitTask('ledger.annotate', { n: 3 }, { kind: 'human', id: 'ops' });
    await until(() => agentOf(b, 'clerk').cycles === cycles + 1 && agentOf(b, 'clerk').state === 'idle');
    expect(agentOf(b, 'clerk').context.trigger).toMatchObject({ kind: 'message', traceparent: expect.any(String) });
    // Outside a cycle: no traceparent header, so b's cycle is a trace of its own.
    await servicesOf(a)
      .messaging!.endpoints.get('asker')!
      .send({ to: clerkDid, type: 'invoice.received', body: { n: 4 } });
    await until(() => agentOf(b, 'clerk').cycles === cycles + 2 && agentOf(b, 'clerk').state === 'idle');
    expect(agentOf(b, 'clerk').context.trigger?.traceparent).toBeUndefined();
    await flush();
    const spans = spansOf(collector);
    const askerAct = spans.find((s) => s.name === 'agent.act' && agentAttr(s) === 'asker')!;
    const clerkRoots = spans.filter((s) => s.name === 'agent.cycle' && agentAttr(s) === 'clerk');
    expect(clerkRoots).toHaveLength(2);
    expect(clerkRoots.filter((r) => r.traceId === askerAct.traceId && r.parentSpanId === askerAct.spanId)).toHaveLength(
      1,
    );
    const own = clerkRoots.find((r) => r.traceId !== askerAct.traceId)!;
    expect(own.parentSpanId).toBeUndefined();
  });
});
