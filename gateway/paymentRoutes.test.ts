import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from '../test/e2e/gatewayFixture.ts';

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await startGatewayFixture();
});
afterAll(async () => {
  await fx?.close();
});

async function story(id: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${fx.url}/api/payments/${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${fx.tokens.observer}` },
  });
  return { status: response.status, body: await response.json() };
}

describe('gateway - a payment’s whole story', () => {
  it('gateway - GET /api/payments/:id by invoice, decision id and key: decision, approval, outcome, audit hashes; a second approval of the key is flagged', async () => {
    const { approvalId, task } = await fx.pendingApproval();
    const pending = await story('INV-1003');
    expect(pending.status).toBe(200);
    expect(pending.body.key).toBe('payables:INV-1003');
    expect(pending.body.decision).toMatchObject({ agentId: 'payables', rulesFired: expect.any(Array) });
    expect(pending.body.decision.confidence).toBeGreaterThan(0);
    expect(pending.body.decision.rationale).toMatch(/due/);
    expect(pending.body.approvals).toEqual([expect.objectContaining({ id: approvalId, status: 'pending' })]);
    expect(pending.body.duplicate).toEqual({ settled: null, approvedBefore: [] });
    // Every stage's own answer, in order: the ones before governance approved, governance asked a human.
    const stages = pending.body.decision.verdict.stages as Array<{ stage: string; status: string; reason: string }>;
    expect(stages.map((s) => [s.stage, s.status])).toEqual([
      ['sandbox', 'approved'],
      ['reputation', 'approved'],
      ['zero-trust', 'approved'],
      ['governance', 'pending'],
    ]);
    expect(stages[3]!.reason).toBe(pending.body.decision.verdict.reason);
    expect((await story(approvalId)).body.decision.id).toBe(pending.body.decision.id);

    await fx.runtime.approve(approvalId, { kind: 'human', id: 'alice' }, 'checked the invoice');
    await task;
    await fx.runtime.flush();
    const done = await story(pending.body.decision.id);
    expect(done.body.decision.outcome).toMatchObject({ status: 'would-have-sent' });
    expect(done.body.decision.verdict).toMatchObject({ status: 'pending' });
    expect(done.body.approvals[0]).toMatchObject({
      status: 'approved',
      decidedBy: { kind: 'human', id: 'alice' },
      decisionReason: 'checked the invoice',
    });
    expect(done.body.audit.length).toBeGreaterThan(0);
    for (const entry of done.body.audit) expect(entry.hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await story('payables:INV-1003')).body.decision.id).toBe(pending.body.decision.id);

    // The same invoice comes round again: its new approval shows the earlier one.
    const again = await fx.pendingApproval();
    const second = await story('INV-1003');
    expect(second.body.decision.id).not.toBe(pending.body.decision.id);
    expect(second.body.duplicate.approvedBefore).toEqual([
      expect.objectContaining({ id: approvalId, status: 'approved' }),
    ]);
    await fx.rejectApproval(again.approvalId);
    await again.task;
  });

  it('gateway - an unknown id is a coded 404', async () => {
    const missing = await story('INV-none');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('MANDATE_ERR_NOT_FOUND');
    expect(missing.body.error.message).toMatch(/No decision, idempotency key or invoice "INV-none"/);
  });
});
