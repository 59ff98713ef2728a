import { describe, expect, it } from 'vitest';
import { RulesDecider, type Actuator } from '../../actors/index.ts';
import { createRuntime, defineAgent } from '../../runtime/index.ts';
import { servicesOf } from '../support/agentOf.ts';
import { openTestStore, STORE_DRIVERS } from '../support/db.ts';
import { httpReceiver } from '../support/httpReceiver.ts';

const note: Actuator = {
  name: 'note',
  effect: 'internal',
  execute: async () => ({ status: 'succeeded', receipt: { reference: 'noted' } }),
};

describe.each(STORE_DRIVERS)('decision records with trace ids (%s)', (driver) => {
  it('decision records - the record of a traced cycle keeps its trace id (the exported spans’ trace); a malformed one is refused', async () => {
    await using db = await openTestStore(driver);
    await using collector = await httpReceiver(() => ({ status: 200, body: '{}' }));
    const traced = await createRuntime({ nodeId: 'node-d', store: db.store, tracing: { endpoint: collector.url } });
    await traced.spawn(
      defineAgent({
        id: 'clerk',
        capabilities: ['ledger.annotate'],
        permissions: [{ capability: 'ledger.annotate', accounts: ['*'] }],
        perceive: () => ({}),
        decide: RulesDecider.fromObject({
          rules: [
            {
              name: 'note',
              conditions: { all: [{ fact: 'input', path: '$.n', operator: 'greaterThan', value: 0 }] },
              event: { type: 'ledger.annotate', capability: 'ledger.annotate', params: {} },
            },
          ],
        }),
        act: note,
      }),
    );
    const result = await traced.submitTask('ledger.annotate', { n: 1 }, { kind: 'human', id: 'ops' });
    await servicesOf(traced).tracing!.exporter.flush();
    await db.store.flush();
    const spans = collector.received.flatMap(
      (r) =>
        (
          JSON.parse(r.body) as {
            resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ traceId: string; name: string }> }> }>;
          }
        ).resourceSpans[0]!.scopeSpans[0]!.spans,
    );
    const root = spans.find((s) => s.name === 'agent.cycle')!;
    const record = await db.store.getDecision(result.decisionId);
    expect(record?.traceId).toBe(root.traceId);
    expect(record?.traceId).toMatch(/^[0-9a-f]{32}$/);
    // A record with a malformed trace id is refused with a code, and nothing is written.
    await expect(db.store.saveDecision({ ...record!, id: 'd-bad', traceId: 'NOT-HEX' })).rejects.toMatchObject({
      code: expect.stringMatching(/^MANDATE_ERR_/),
    });
    expect(await db.store.getDecision('d-bad')).toBeUndefined();
    await traced.shutdown();
  });
});
