/**
 * Issue 15, control changes write-ahead: an approval answer was stored, then audited in a second
 * transaction, and a quorum's grant was counted before its audit entry was written. A failure
 * between the two left a granted request with no audit entry (restored after a restart, it was
 * acted on), or a counted grant the trail never saw. Now the record and its entry commit together
 * before the answer takes effect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../machines/index.ts';
import { approvalsFixture, paymentProposal } from '../support/approvalsFixture.ts';
import { STORE_DRIVERS, openTestStore, type TestStore } from '../support/db.ts';

const alice: Principal = { kind: 'human', id: 'alice' };
const bob: Principal = { kind: 'human', id: 'bob' };

const proposal = (id: string) => paymentProposal(id, '15000');

/** An approvals service over a real store, for an agent proposing decision `decisionId`. */
function service(store: TestStore['store'], decisionId: string) {
  return approvalsFixture(store, { decisionId, amount: '15000' });
}

describe.each(STORE_DRIVERS)('issue 15 - approval answers are audited write-ahead (%s)', (driver) => {
  let t: TestStore;
  beforeAll(async () => {
    t = await openTestStore(driver);
    // The database refuses the one audit entry named: what a failure between two writes looks like.
    const su = await t.superuser();
    await su.query(`create function refuse_marked() returns trigger language plpgsql as $$
      begin if new.why like '%refuse-audit%' then raise exception 'audit write refused'; end if; return new; end $$`);
    await su.query(
      `create trigger refuse_marked before insert on mandate_audit_entry for each row execute function refuse_marked()`,
    );
  });
  afterAll(async () => {
    await t?.[Symbol.asyncDispose]();
  });

  const entriesOf = async (subject: string) => {
    await t.store.flush();
    const page = await t.store.audit.query({ action: 'approval.*', limit: 100 });
    return page.entries
      .filter((e) => e.subject === subject)
      .map((e) => e.action)
      .reverse(); // oldest first
  };

  it('approvals - a grant whose audit entry is not written is not stored and not applied', async () => {
    const s = service(t.store, 'd-grant');
    await s.approvals.open({ host: s.host, proposal: proposal('d-grant'), reason: 'needs a human', timeoutMs: 60_000 });
    await expect(s.approvals.approve('apr-d-grant', alice, 'refuse-audit')).rejects.toThrow();
    const stored = (await t.store.listApprovals()).find((r) => r.id === 'apr-d-grant');
    expect(stored?.status).toBe('pending');
    expect(s.approvals.get('apr-d-grant').status).toBe('pending');
    expect(await entriesOf('apr-d-grant')).toEqual(['approval.requested']);
    // Nothing was half-applied: the same approver can answer again, and that answer counts.
    await s.approvals.approve('apr-d-grant', alice, 'checked');
    expect((await t.store.listApprovals()).find((r) => r.id === 'apr-d-grant')?.status).toBe('approved');
    expect(await entriesOf('apr-d-grant')).toEqual(['approval.requested', 'approval.granted']);
    expect((await t.store.audit.verify()).ok).toBe(true);
  });

  it('approvals - a rejection whose audit entry is not written is not stored and not applied', async () => {
    const s = service(t.store, 'd-reject');
    await s.approvals.open({
      host: s.host,
      proposal: proposal('d-reject'),
      reason: 'needs a human',
      timeoutMs: 60_000,
    });
    await expect(s.approvals.reject('apr-d-reject', alice, 'refuse-audit')).rejects.toThrow();
    expect((await t.store.listApprovals()).find((r) => r.id === 'apr-d-reject')?.status).toBe('pending');
    expect(s.approvals.get('apr-d-reject').status).toBe('pending');
    expect(await entriesOf('apr-d-reject')).toEqual(['approval.requested']);
  });

  it('approvals - a quorum grant is not counted before its audit entry is written', async () => {
    const s = service(t.store, 'd-quorum');
    await s.approvals.open({
      host: s.host,
      proposal: proposal('d-quorum'),
      reason: 'two approvers',
      timeoutMs: 60_000,
      requirement: { required: 2 },
    });
    await expect(s.approvals.approve('apr-d-quorum', alice, 'refuse-audit')).rejects.toThrow();
    expect(await entriesOf('apr-d-quorum')).toEqual(['approval.requested']);
    // Had alice's grant been counted, bob's alone would complete the quorum.
    await s.approvals.approve('apr-d-quorum', bob, 'checked');
    expect(s.approvals.get('apr-d-quorum').status).toBe('pending');
    await s.approvals.approve('apr-d-quorum', alice, 'checked');
    expect(s.approvals.get('apr-d-quorum').status).toBe('approved');
    expect(await entriesOf('apr-d-quorum')).toEqual([
      'approval.requested',
      'approval.grant.counted',
      'approval.granted',
    ]);
  });
});
