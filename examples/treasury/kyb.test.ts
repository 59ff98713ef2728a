import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { GovernancePolicy } from 'mandate/actors';
import { createRuntime, openStore, type InspectionEvent } from 'mandate';
import { setup, systemOptions } from './index.ts';

async function settle(rounds = 30): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

describe('treasury example - KYB', () => {
  it('treasury example - the invoice to the sanctioned counterparty is refused by the KYB check (audited, alerted, never paid); the others are paid as before', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'mandate-kyb-'));
    const store = await openStore({ dataDir, env: {} });
    try {
      const clock = new SimulatedClock();
      clock.set(Date.parse('2026-11-21T09:00:00Z'));
      const text = await readFile(join(import.meta.dirname, 'governance.yaml'), 'utf8');
      const runtime = await createRuntime({
        ...(await systemOptions({ clock })),
        clock,
        store,
        governance: GovernancePolicy.fromYaml(text, () => undefined).config,
        random: () => 0.5,
      });
      const events: InspectionEvent[] = [];
      runtime.subscribe((e) => events.push(e));
      const { sim } = await setup(runtime);
      const run = async (seconds: number) => {
        for (let second = 0; second < seconds; second++) {
          clock.increment(1_000);
          await settle();
        }
      };
      await run(120);
      // INV-1003 (18,500 USDC, to a verified auditor) passed KYB and waits for a human; approve it
      // so the payables agent reaches INV-1004.
      const held = runtime.listApprovals('pending').filter((a) => a.kind !== 'review');
      expect(held.map((a) => (a.action as { params: { invoice: string } }).params.invoice)).toEqual(['INV-1003']);
      await runtime.approve(held[0]!.id, { kind: 'human', id: 'treasurer' }, 'audit engagement letter checked');
      await run(60);
      await runtime.flush();

      const denials = await store.audit.query({ action: 'compliance.kyb.denied', limit: 50 });
      expect(denials.entries.length).toBeGreaterThan(0);
      for (const entry of denials.entries) {
        expect(entry.subject).toBe('cp-sanctioned-01');
        expect(entry.data).toMatchObject({
          agentId: 'payables',
          status: 'verified',
          sanctions: [{ list: 'OFAC SDN', name: 'Blocked Trading Ltd', matched: 'cp-sanctioned-01' }],
        });
      }
      // The verified counterparties passed the same check.
      const cleared = await store.audit.query({ action: 'compliance.kyb.clear', limit: 200 });
      expect(new Set(cleared.entries.map((e) => e.subject))).toContain('cp-cloudhost-7');
      expect(cleared.entries.some((e) => e.subject === 'cp-sanctioned-01')).toBe(false);

      // The refusal is the KYB stage's, coded, before governance's own block list is reached.
      const refusedDecisions = new Set(denials.entries.map((e) => (e.data as { decisionId: string }).decisionId));
      const refused = events.filter(
        (e) =>
          e.type === 'transition' &&
          e.actorId === 'payables' &&
          e.summary.outcome === 'denied' &&
          refusedDecisions.has(e.summary.decisionId as string),
      );
      expect(refused.length).toBeGreaterThan(0);
      const outcomes = await store.audit.query({ action: 'agent.payment.send.denied', limit: 50 });
      expect(outcomes.entries.length).toBeGreaterThan(0);
      for (const entry of outcomes.entries)
        expect(entry).toMatchObject({
          counterparty: 'cp-sanctioned-01',
          data: {
            error: { code: 'MANDATE_ERR_PROPOSAL_DENIED', message: expect.stringMatching(/^kyb: .*sanctions list/) },
          },
        });
      expect(
        events.some(
          (e) =>
            e.type === 'alert' &&
            e.code === 'MANDATE_KYB_SANCTIONS_MATCH' &&
            e.actorId === 'payables' &&
            e.message.includes('cp-sanctioned-01'),
        ),
      ).toBe(true);

      // Never paid (dry-run: no payment recorded as would-have-sent); the invoices to verified
      // counterparties were, as without the check, and the agent moved past the refused one.
      const paid = await store.audit.query({ action: 'agent.payment.send.would-have-sent', limit: 50 });
      const payees = paid.entries.map((e) => e.counterparty);
      expect(payees).not.toContain('cp-sanctioned-01');
      for (const cp of ['cp-cloudhost-7', 'cp-office-3', 'cp-auditor-1']) expect(payees).toContain(cp);
      for (const id of ['INV-1001', 'INV-1002', 'INV-1003', 'INV-1004']) expect(sim.settled.has(id)).toBe(true);
      expect(sim.balances).toEqual({ USDC: 180_000, EURC: 150_000, EUR: 50_000 });
      await runtime.shutdown();
    } finally {
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
