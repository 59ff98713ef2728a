import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentIdentity } from '../../transport/index.ts';
import type { DecisionRecord, PostgresStore, RuntimeStore } from '../../runtime/persistence/index.ts';
import { STORE_DRIVERS, openTestStore, type TestStore } from '../support/db.ts';

const T0 = 1_790_000_000_000;

function decision(id: string, agentId: string, over: Partial<DecisionRecord> = {}): DecisionRecord {
  return {
    id,
    agentId,
    cycle: 1,
    trigger: { type: 'interval' },
    facts: { 'usdc.balance': '1200.50', rate: 1.0831 },
    rulesFired: ['rebalance-when-low'],
    rationale: 'balance under threshold',
    confidence: 0.9,
    model: null,
    action: { type: 'transfer', amount: '100', asset: 'USDC' },
    verdict: null,
    outcome: null,
    createdAt: T0,
    updatedAt: T0,
    ...over,
  };
}

const snap = (cycle: number) => ({ status: 'active', value: { cycle: 'decide' }, context: { cycle } });

describe.each(STORE_DRIVERS)('persistence on %s', (driver) => {
  let t: TestStore;
  let store: PostgresStore;
  beforeAll(async () => {
    t = await openTestStore(driver);
    store = t.store;
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('persistence - agents round-trip and the identity seed is sealed at rest', async () => {
    const id = AgentIdentity.generate();
    const seed = id.toJSON().privateKey;
    await store.upsertAgent({
      id: 'treasurer',
      did: id.did,
      version: '1',
      supervisorId: 'governance',
      definition: { name: 'treasurer' },
      identitySeed: seed,
    });
    await store.upsertAgent({
      id: 'treasurer',
      did: id.did,
      version: '2',
      supervisorId: 'governance',
      definition: { name: 'treasurer', v: 2 },
      identitySeed: seed,
    });
    const agents = await store.listAgents();
    expect(agents).toEqual([
      {
        id: 'treasurer',
        did: id.did,
        version: '2',
        supervisorId: 'governance',
        definition: { name: 'treasurer', v: 2 },
        identitySeed: seed,
      },
    ]);
    const su = await t.superuser();
    const raw = await su.query('select * from mandate_agent');
    expect(JSON.stringify(raw.rows)).not.toContain(seed);
    expect(raw.rows[0].identity_sealed).toMatch(/^v1\./);
  });

  it('persistence - bad rows are refused with a code and nothing is written', async () => {
    await expect(
      store.upsertAgent({
        id: 'x',
        did: 'not-a-did',
        version: '1',
        supervisorId: 's',
        definition: {},
        identitySeed: 'short',
      }),
    ).rejects.toMatchObject({
      code: 'MANDATE_ERR_STORE_INPUT',
    });
    await expect(
      store.saveSnapshot({ agentId: 'x', supervisorId: 's', snapshot: 'garbage', state: 'idle', seq: 1, at: T0 }),
    ).rejects.toMatchObject({
      code: 'MANDATE_ERR_STORE_INPUT',
      message: expect.stringContaining('persisted snapshot of agent "x"'),
    });
    expect((await store.loadSnapshots()).find((s) => s.agentId === 'x')).toBeUndefined();
  });

  it('snapshots - the highest step wins per agent', async () => {
    for (const seq of [1, 3, 2])
      await store.saveSnapshot({
        agentId: 'snap-a',
        supervisorId: 'gov',
        snapshot: snap(seq),
        state: 'cycle.decide',
        seq,
        at: T0 + seq,
      });
    await store.saveSnapshot({
      agentId: 'snap-b',
      supervisorId: 'gov',
      snapshot: snap(7),
      state: 'cycle.act',
      seq: 7,
      at: T0,
    });
    const loaded = await store.loadSnapshots();
    expect(loaded.find((s) => s.agentId === 'snap-a')).toMatchObject({
      seq: 3,
      snapshot: snap(3),
      state: 'cycle.decide',
    });
    expect(loaded.find((s) => s.agentId === 'snap-b')).toMatchObject({ seq: 7, state: 'cycle.act' });
  });

  it('snapshots - a snapshot that fails to parse is left out and reported with a code', async () => {
    await store.saveSnapshot({
      agentId: 'snap-bad',
      supervisorId: 'gov',
      snapshot: snap(1),
      state: 'idle',
      seq: 1,
      at: T0,
    });
    const su = await t.superuser();
    await su.query(
      `update mandate_snapshot set snapshot = ('{"half":' || '"written"}')::jsonb where agent_id = 'snap-bad'`,
    );
    const loaded = await store.loadSnapshots();
    expect(loaded.map((s) => s.agentId)).not.toContain('snap-bad');
    expect(loaded.map((s) => s.agentId)).toContain('snap-a');
    expect(store.snapshotProblems).toHaveLength(1);
    expect(store.snapshotProblems[0]).toMatchObject({
      code: 'MANDATE_ERR_STORE_SNAPSHOT_CORRUPT',
      details: { agentId: 'snap-bad', seq: 1 },
    });
  });

  it('journal and decisions - one record per decision, updated with verdict and outcome, queryable as outcomes', async () => {
    await store.appendTransitions([
      {
        type: 'transition',
        seq: 1,
        actorId: 'dec-a',
        parentId: 'gov',
        actorKind: 'agent',
        from: 'idle',
        to: 'cycle.perceive',
        event: 'agent.tick',
        summary: { cycle: 1 },
        at: T0,
      },
      {
        type: 'transition',
        seq: 2,
        actorId: 'dec-a',
        parentId: 'gov',
        actorKind: 'agent',
        from: 'cycle.perceive',
        to: 'cycle.decide',
        event: 'agent.perceive.done',
        summary: {},
        at: T0 + 1,
      },
    ]);
    const d = decision('d-1', 'dec-a');
    await store.saveDecision(d);
    const done = {
      ...d,
      verdict: { status: 'approved' as const, by: 'governance', reason: 'within budget' },
      outcome: {
        status: 'succeeded' as const,
        durationMs: 420,
        fees: { value: '0.12', asset: 'USDC' },
        slippageBps: 3.5,
        receipt: { tx: '0xabc' },
      },
      updatedAt: T0 + 5,
    };
    await store.saveDecision(done);
    await store.saveDecision({
      ...decision('d-2', 'dec-a', { createdAt: T0 + 10 }),
      outcome: { status: 'failed', error: { code: 'RAIL', message: 'timeout' } },
    });
    expect(await store.getDecision('d-1')).toEqual(done);
    expect(await store.getDecision('missing')).toBeUndefined();
    const outcomes = await store.queryOutcomes({ agentId: 'dec-a', limit: 10 });
    expect(outcomes.map((o) => [o.decisionId, o.status, o.succeeded])).toEqual([
      ['d-2', 'failed', false],
      ['d-1', 'succeeded', true],
    ]);
    expect(outcomes[1]).toMatchObject({
      durationMs: 420,
      fees: { value: '0.12', asset: 'USDC' },
      slippageBps: 3.5,
      verdict: 'approved',
    });
    expect(await store.queryOutcomes({ agentId: 'dec-a', since: T0 + 1, limit: 10 })).toHaveLength(1);
    const su = await t.superuser();
    expect(
      (await su.query(`select count(*)::int as n from mandate_transition where actor_id = 'dec-a'`)).rows[0].n,
    ).toBe(2);
  });

  it('approvals - saved, updated and listed by status', async () => {
    const a = {
      id: 'ap-1',
      agentId: 'dec-a',
      decisionId: 'd-1',
      action: { type: 'transfer' },
      reason: 'over limit',
      status: 'pending' as const,
      requestedAt: T0,
      expiresAt: T0 + 60_000,
    };
    await store.saveApproval(a);
    await store.saveApproval({ ...a, id: 'ap-2', requestedAt: T0 + 1 });
    expect((await store.listApprovals('pending')).map((x) => x.id)).toEqual(['ap-1', 'ap-2']);
    await store.saveApproval({
      ...a,
      status: 'approved',
      decidedAt: T0 + 9,
      decidedBy: { kind: 'human', id: 'ops' },
      decisionReason: 'ok',
    });
    expect((await store.listApprovals('pending')).map((x) => x.id)).toEqual(['ap-2']);
    expect(await store.listApprovals('approved')).toEqual([
      { ...a, status: 'approved', decidedAt: T0 + 9, decidedBy: { kind: 'human', id: 'ops' }, decisionReason: 'ok' },
    ]);
  });

  it('intents - begin is idempotent per key, a different payload under the same key is refused', async () => {
    const begin = {
      key: 'pay-1',
      agentId: 'dec-a',
      decisionId: 'd-1',
      paramsHash: 'h1',
      params: { to: 'subj_x', amount: '10' },
      at: T0,
    };
    const first = await store.beginIntent(begin);
    expect(first).toMatchObject({ created: true, intent: { status: 'pending', attempts: 0 } });
    const again = await store.beginIntent({ ...begin, at: T0 + 5 });
    expect(again).toMatchObject({ created: false, intent: { createdAt: T0 } });
    await expect(store.beginIntent({ ...begin, paramsHash: 'h2' })).rejects.toMatchObject({
      code: 'MANDATE_ERR_IDEMPOTENCY_CONFLICT',
    });
    expect((await store.listOpenIntents('dec-a')).map((i) => i.key)).toEqual(['pay-1']);
    await store.updateIntent('pay-1', {
      status: 'succeeded',
      reference: '0xfeed',
      attempts: 1,
      receipt: { block: 7 },
      at: T0 + 9,
    });
    expect(await store.findIntent('pay-1')).toMatchObject({
      status: 'succeeded',
      reference: '0xfeed',
      attempts: 1,
      receipt: { block: 7 },
      updatedAt: T0 + 9,
    });
    expect(await store.listOpenIntents('dec-a')).toEqual([]);
    await expect(store.updateIntent('nope', { status: 'failed', at: T0 })).rejects.toMatchObject({
      code: 'MANDATE_ERR_STORE_INTENT_UNKNOWN',
    });
  });

  it('kill switch and reputation - persisted', async () => {
    expect(await store.loadKillSwitch()).toBeUndefined();
    await store.saveKillSwitch({ all: false, agents: ['dec-a'], groups: [], capabilities: ['payments.send'] });
    expect(await store.loadKillSwitch()).toEqual({
      all: false,
      agents: ['dec-a'],
      groups: [],
      capabilities: ['payments.send'],
    });
    await store.reputation.append({
      agentId: 'dec-a',
      kind: 'outcome.success',
      delta: 0.5,
      score: 50.5,
      reason: 'paid on time',
      at: T0,
    });
    await store.reputation.append({
      agentId: 'dec-a',
      kind: 'outcome.failure',
      delta: -2,
      reason: 'timeout',
      data: { decisionId: 'd-2' },
      at: T0 + 1,
    });
    expect((await store.reputation.list('dec-a')).map((e) => e.delta)).toEqual([-2, 0.5]);
  });

  it('retention - journal and snapshots are compacted per agent by policy; the latest snapshot always stays', async () => {
    for (const agent of ['comp-a', 'comp-b', 'comp-c']) {
      await store.appendTransitions(
        Array.from({ length: 30 }, (_, i) => ({
          type: 'transition' as const,
          seq: i,
          actorId: agent,
          parentId: 'gov',
          actorKind: 'agent' as const,
          from: 'a',
          to: 'b',
          event: 'e',
          summary: { i },
          at: T0 + i,
        })),
      );
      for (let seq = 1; seq <= 6; seq++)
        await store.saveSnapshot({
          agentId: agent,
          supervisorId: 'gov',
          snapshot: snap(seq),
          state: 'idle',
          seq,
          at: T0 + seq,
        });
    }
    const result = await store.compact({
      journalKeepLast: 10,
      snapshotsKeepLast: 3,
      perAgent: {
        'comp-b': { journalKeepLast: 5, snapshotsKeepLast: 1 },
        'comp-c': { journalKeepLast: 100, journalMaxAgeMs: 60_000, snapshotsKeepLast: 2 },
      },
    });
    const su = await t.superuser();
    const journal = (
      await su.query(
        `select actor_id, count(*)::int as n, min((summary->>'i')::int) as oldest from mandate_transition where actor_id like 'comp-%' group by actor_id order by actor_id`,
      )
    ).rows;
    // comp-c's transitions are older than a minute (they are stamped T0), so age removes all of them.
    expect(journal).toEqual([
      { actor_id: 'comp-a', n: 10, oldest: 20 },
      { actor_id: 'comp-b', n: 5, oldest: 25 },
    ]);
    const snaps = (
      await su.query(
        `select agent_id, array_agg(seq::int order by seq) as seqs from mandate_snapshot where agent_id like 'comp-%' group by agent_id order by agent_id`,
      )
    ).rows;
    expect(snaps).toEqual([
      { agent_id: 'comp-a', seqs: [4, 5, 6] },
      { agent_id: 'comp-b', seqs: [6] },
      { agent_id: 'comp-c', seqs: [5, 6] },
    ]);
    expect(result.journalDeleted).toBeGreaterThanOrEqual(20 + 25 + 30);
    expect(result.snapshotsDeleted).toBeGreaterThanOrEqual(3 + 5 + 4);
    expect((await store.loadSnapshots()).find((s) => s.agentId === 'comp-b')).toMatchObject({ seq: 6 });
    await expect(store.compact({ journalKeepLast: 1, snapshotsKeepLast: 0 })).rejects.toMatchObject({
      code: 'MANDATE_ERR_STORE_INPUT',
    });
  });

  it('store contract - the optional capabilities are read through the RuntimeStore interface, no cast', async () => {
    const contract: RuntimeStore = store;
    expect(contract.databaseUrl).toMatch(/^postgres(ql)?:\/\//);
    await contract.appendAudit({
      who: { kind: 'system', id: 'runtime' },
      action: 'store.contract.checked',
      subject: 'contract',
      where: 'node-1',
      why: 'capabilities',
      data: {},
      at: T0,
    });
    const audit = contract.audit;
    expect(audit?.signer).toMatch(/^did:key:z/);
    expect((await audit!.query({ action: 'store.contract.checked', limit: 5 })).entries).toHaveLength(1);
    expect(await audit!.verify()).toMatchObject({ ok: true });
    expect(await contract.compact?.()).toMatchObject({
      journalDeleted: expect.any(Number),
      snapshotsDeleted: expect.any(Number),
    });
  });

  it('group commit - concurrent writes all commit; a row the database rejects fails alone', async () => {
    const writes = Array.from({ length: 120 }, (_, i) => [
      store.saveDecision(
        decision(`gc-${i}`, 'gc-agent', { createdAt: T0 + i, outcome: { status: 'succeeded', durationMs: i } }),
      ),
      store.appendAudit({
        who: { kind: 'agent', id: 'did:key:z6Mkgc' },
        action: 'agent.decide.done',
        subject: 'gc-agent',
        where: 'node-1',
        why: `decision gc-${i}`,
        data: { decisionId: `gc-${i}` },
        at: T0 + i,
      }),
    ]).flat();
    // NUL is valid JSON/zod but PostgreSQL text refuses it: the statement fails inside the shared transaction.
    const bad = store.saveDecision(decision('gc-bad', 'gc-agent', { rationale: 'nul \u0000 byte' }));
    const settled = await Promise.allSettled([...writes, bad]);
    expect(settled.slice(0, -1).filter((s) => s.status === 'rejected')).toEqual([]);
    expect(settled.at(-1)).toMatchObject({ status: 'rejected' });
    expect(await store.queryOutcomes({ agentId: 'gc-agent', limit: 1000 })).toHaveLength(120);
    expect(await store.getDecision('gc-bad')).toBeUndefined();
    const page = await store.audit.query({ action: 'agent.decide.done', limit: 1000 });
    expect(page.entries).toHaveLength(120);
    expect((await store.audit.verify()).ok).toBe(true);
  });
});
