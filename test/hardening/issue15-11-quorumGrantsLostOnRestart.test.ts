/**
 * Issue 15, left over: a quorum's grants were counted in memory but not kept in the stored
 * approval record (the store's schema dropped them), so after a restart a 2-of-3 request that
 * had one grant needed two more. Every counted grant is now stored with the record before it
 * counts and counted again when the record is restored. On PostgreSQL and the embedded store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../machines/index.ts';
import { approvalsFixture, paymentProposal } from '../support/approvalsFixture.ts';
import { STORE_DRIVERS, openTestStore, type TestStore } from '../support/db.ts';

const alice: Principal = { kind: 'human', id: 'alice' };
const bob: Principal = { kind: 'human', id: 'bob' };
const carol: Principal = { kind: 'human', id: 'carol' };

const proposal = (id: string) => paymentProposal(id, '15000');

/** An approvals service over a real store, for an agent proposing decision `decisionId`. */
function service(store: TestStore['store'], decisionId: string) {
  return approvalsFixture(store, { decisionId, amount: '15000' });
}

describe.each(STORE_DRIVERS)(
  'issue 15 - quorum grants without signatures are not restored after a restart (%s)',
  (driver) => {
    let t: TestStore;
    beforeAll(async () => {
      t = await openTestStore(driver);
    }, 120_000);
    afterAll(async () => {
      await t?.[Symbol.asyncDispose]();
    });

    it('approvals - a grant counted before a restart still counts after it: the next grant completes the quorum', async () => {
      const before = service(t.store, 'd-restart');
      await before.approvals.open({
        host: before.host,
        proposal: proposal('d-restart'),
        reason: 'three approvers',
        timeoutMs: 60_000,
        requirement: { required: 3 },
      });
      await before.approvals.approve('apr-d-restart', alice, 'checked the invoice');
      await before.approvals.approve('apr-d-restart', bob, 'checked the payee');
      before.approvals.close();
      await t.store.flush();

      // The restart: a new service restored from what the store holds.
      const stored = (await t.store.listApprovals()).find((r) => r.id === 'apr-d-restart')!;
      expect(stored.grants?.map((g) => [g.by.id, g.reason])).toEqual([
        ['alice', 'checked the invoice'],
        ['bob', 'checked the payee'],
      ]);
      const after = service(t.store, 'd-restart');
      after.approvals.restore(stored);
      // Counted again: alice may not grant twice, and carol's grant is the third of three.
      await expect(after.approvals.approve('apr-d-restart', alice, 'again')).rejects.toMatchObject({
        code: 'MANDATE_ERR_STATE_CONFLICT',
      });
      expect(after.approvals.get('apr-d-restart').status).toBe('pending');
      const done = await after.approvals.approve('apr-d-restart', carol, 'checked the amount');
      expect(done.status).toBe('approved');
      expect((await t.store.listApprovals()).find((r) => r.id === 'apr-d-restart')?.status).toBe('approved');
      after.approvals.close();
    });
  },
);
