import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { openTestStore } from '../../test/support/db.ts';
import { agentOf } from '../../test/support/agentOf.ts';
import { createRuntime, parseAgentYaml, PluginRegistry, type MandateRuntime } from '../index.ts';

/**
 * A live shadow policy: the agent's `shadow.rules` decide every cycle beside its own rules; when they
 * disagree the difference lands in the approvals queue as a review item (and its audit entry), not
 * only in a log.
 */
let share = 0.55;
const plugins = new PluginRegistry()
  .perceiver('bands', () => ({ bands: { eurShare: share, eurExcess: '100.00' } }))
  .actuator({ name: 'swap', effect: 'internal', execute: async () => ({ status: 'succeeded' }) }, ['fx.swap']);

const rulesAt = (threshold: number) => `rules:
  - name: above-band
    conditions: { all: [ { fact: bands, path: $.eurShare, operator: greaterThan, value: ${threshold} } ] }
    event:
      type: fx.swap
      capability: fx.swap
      account: treasury-eur
      amount: { value: "$fact:bands.eurExcess", asset: EURC }
      expect: { bands.eurShare: 0.4 }
      cost: 0.02
`;
const files: Record<string, string> = { 'live.yaml': rulesAt(0.45), 'candidate.yaml': rulesAt(0.5) };
const yaml = `id: fx
capabilities: [fx.swap]
triggers: [ { every: 1h } ]
permissions: [ { capability: fx.swap, accounts: [treasury-eur] } ]
perceive: [bands]
rules: live.yaml
shadow: { rules: candidate.yaml }
goals:
  - { id: eur-band, kind: financial, metric: bands.eurShare, band: { min: 0.25, max: 0.45 } }
act: swap
limits: { perTransaction: { EURC: "1000" }, daily: { EURC: "10000" } }
`;

async function cycle(runtime: MandateRuntime): Promise<void> {
  const host = agentOf(runtime, 'fx');
  const before = host.cycles;
  await runtime.trigger('fx', { kind: 'human', id: 'tester' });
  for (let i = 0; i < 500 && !(host.cycles > before && host.state === 'idle'); i++)
    await new Promise((r) => setTimeout(r, 5));
  expect(host.state).toBe('idle');
}

describe('shadow policy', () => {
  it('shadow policy - a candidate rule set that decides otherwise files a review item with the difference', async () => {
    await using t = await openTestStore('postgresql');
    const runtime = await createRuntime({ store: t.store, clock: new SimulatedClock() });
    const def = await parseAgentYaml({
      text: yaml,
      source: 'fx.yaml',
      plugins,
      readRelative: async (p) => files[p] ?? Promise.reject(new Error(`no file ${p}`)),
    });
    await runtime.spawn(def);

    // 0.55: both rule sets swap the same 100 EURC: nothing to review.
    share = 0.55;
    await cycle(runtime);
    expect(agentOf(runtime, 'fx').context.decision?.shadow).toBeUndefined();
    expect(runtime.listApprovals('pending')).toEqual([]);

    // 0.47: the live rules swap (acted on), the candidate's 0.5 threshold holds: "dropped", filed for review.
    share = 0.47;
    await cycle(runtime);
    const host = agentOf(runtime, 'fx');
    expect(host.context.outcome?.status).toBe('succeeded');
    expect(host.context.decision?.shadow).toMatchObject({ policy: 'candidate.yaml', kind: 'dropped', action: null });
    const reviews = runtime.listApprovals('pending');
    expect(reviews.map((r) => [r.kind, r.agentId, r.decisionId])).toEqual([
      ['review', 'fx', host.context.decision!.id],
    ]);
    expect(reviews[0]!.reason).toBe(
      'review (succeeded): shadow policy candidate.yaml dropped: no action instead of fx.swap 100.00 EURC (fired (none), confidence 1)',
    );
    const trail = await t.store.audit?.query({ action: 'review.requested', limit: 10 });
    expect(trail?.entries).toHaveLength(1);
    expect(trail.entries[0]!.data).toMatchObject({
      shadow: { policy: 'candidate.yaml', kind: 'dropped', rulesFired: [] },
      action: { type: 'fx.swap' },
    });
    // The candidate file is part of the agent's version, like its own rules.
    expect(Object.keys(def.source!.files).sort()).toEqual(['candidate.yaml', 'fx.yaml', 'live.yaml']);
    await runtime.shutdown();
  });
});
