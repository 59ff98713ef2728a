/**
 * Issue 15, left over: start-up loaded every approval record into memory — closed ones too, kept so
 * that a re-proposal of the same decision is handed its earlier answer — so memory and start time
 * grew with the whole approval history. Now only the open requests are loaded; a closed one is
 * looked up by id in the store when its decision is proposed again, and the closed requests held
 * in memory are bounded (the most recent ones). On PostgreSQL and the embedded store.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Principal } from '../../machines/index.ts';
import type { ApprovalRecord } from '../../runtime/index.ts';
import { approvalsFixture, paymentProposal } from '../support/approvalsFixture.ts';
import { STORE_DRIVERS, openTestStore, type TestStore } from '../support/db.ts';

const alice: Principal = { kind: 'human', id: 'alice' };
const CLOSED = 5_000;

/** An approvals service over a real store (a fresh one is a restarted node), for the agent `payables`. */
function service(store: TestStore['store'], keepClosed?: number) {
  const f = approvalsFixture(store, { decisionId: 'd-any', amount: '150', keepClosed });
  // The agent proposes `decisionId` (so it may be answered while it finishes its propose step).
  const open = (decisionId: string) => {
    f.propose(decisionId);
    return f.approvals.open({
      host: f.host,
      proposal: paymentProposal(decisionId, '150'),
      reason: 'over the limit',
      timeoutMs: 3_600_000,
    });
  };
  return { approvals: f.approvals, open };
}

describe.each(STORE_DRIVERS)('issue 15 - start-up loads every approval into memory (%s)', (driver) => {
  let t: TestStore;
  let approved: ApprovalRecord;
  let rejected: ApprovalRecord;
  beforeAll(async () => {
    t = await openTestStore(driver);
    // 5,000 closed requests (half approved, half rejected) and 3 open ones, as a long-running node leaves them.
    const before = service(t.store);
    await before.open('d-seed-a');
    approved = await before.approvals.approve('apr-d-seed-a', alice, 'checked');
    await before.open('d-seed-r');
    rejected = await before.approvals.reject('apr-d-seed-r', alice, 'wrong payee');
    const closed = Array.from({ length: CLOSED - 2 }, (_, i) => {
      const like = i % 2 === 0 ? approved : rejected;
      return { ...like, id: `apr-d-${i}`, decisionId: `d-${i}` };
    });
    await Promise.all(closed.map((r) => t.store.saveApproval(r)));
    for (const d of ['d-open-1', 'd-open-2', 'd-open-3']) await before.open(d);
    before.approvals.close();
    await t.store.flush();
  }, 180_000);
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  it('approvals - a restart holds only the open requests; the closed ones stay in the store', async () => {
    expect(await t.store.listApprovals()).toHaveLength(CLOSED + 3);
    const list = vi.spyOn(t.store, 'listApprovals');
    const after = service(t.store);
    await after.approvals.load();
    expect(list.mock.calls).toEqual([['pending']]);
    list.mockRestore();
    expect(after.approvals.held).toBe(3);
    expect(after.approvals.list().map((r) => [r.id, r.status])).toEqual([
      ['apr-d-open-1', 'pending'],
      ['apr-d-open-2', 'pending'],
      ['apr-d-open-3', 'pending'],
    ]);
    after.approvals.close();
  });

  it('approvals - a re-proposal of a closed decision after a restart gets its earlier answer, looked up by id', async () => {
    const get = vi.spyOn(t.store, 'getApproval');
    const after = service(t.store);
    await after.approvals.load();
    const again = await after.open('d-42'); // approved before the restart
    expect(again).toMatchObject({ id: 'apr-d-42', status: 'approved', decidedBy: approved.decidedBy });
    const refused = await after.open('d-seed-r');
    expect(refused).toMatchObject({ id: 'apr-d-seed-r', status: 'rejected', decisionReason: 'wrong payee' });
    expect(get.mock.calls).toEqual([['apr-d-42'], ['apr-d-seed-r']]);
    // A second re-proposal is answered from memory (the recent closed ones are held).
    expect(await after.open('d-42')).toMatchObject({ status: 'approved' });
    // An open one is still the same open request, not a new one.
    expect(await after.open('d-open-2')).toMatchObject({ id: 'apr-d-open-2', status: 'pending' });
    expect(get.mock.calls).toEqual([['apr-d-42'], ['apr-d-seed-r']]);
    get.mockRestore();
    // Looked up, not reopened: no pending record overwrote the answer in the store.
    expect((await t.store.getApproval('apr-d-42'))?.status).toBe('approved');
    after.approvals.close();
  });

  it('approvals - the closed requests held in memory are bounded: the least recent are let go, found again in the store', async () => {
    const after = service(t.store, 10);
    await after.approvals.load();
    for (let i = 0; i < 40; i++) expect((await after.open(`d-${i}`)).status).not.toBe('pending');
    expect(after.approvals.held).toBe(3 + 10);
    // The first ones were let go; asked again, they come back from the store with the same answer.
    expect(after.approvals.find('apr-d-0')).toBeUndefined();
    expect(await after.approvals.lookup('apr-d-0')).toMatchObject({ status: 'approved' });
    expect(after.approvals.held).toBe(3 + 10);
    // Answering a let-go closed request says it is decided, not that it does not exist.
    await expect(after.approvals.approve('apr-d-1', alice, 'again')).rejects.toMatchObject({
      code: 'MANDATE_ERR_STATE_CONFLICT',
    });
    after.approvals.close();
  });
});
