import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import type { AlertInput } from '../host/AgentHost.ts';
import type { ReputationEvent, ReputationStore } from '../persistence/ReputationEvent.ts';
import type { AuditInput } from '../persistence/RuntimeStore.ts';
import type { StakeEntry } from '../persistence/StakeStore.ts';
import { StakeLedger } from './StakeLedger.ts';

/** A reputation history whose writes fail while `down` is set; what committed is kept in `rows`. */
function history() {
  const rows: { event: ReputationEvent; stake?: StakeEntry; audit: string[] }[] = [];
  const h = {
    rows,
    down: false,
    attempts: 0,
    store: {
      async append(event, effects = {}) {
        h.attempts++;
        if (h.down) throw new Error('connection lost');
        const audit = (effects.audit ?? []).map((a) => a.action);
        rows.push({ event, ...(effects.stake === undefined ? {} : { stake: effects.stake }), audit });
      },
      list: async () => [],
      latest: async () => [],
    } satisfies ReputationStore,
  };
  return h;
}

const slash = (at: number): ReputationEvent => ({ agentId: 'a', kind: 'slash', delta: -15, reason: 'forbidden', at });
const outcome = (at: number): ReputationEvent => ({ agentId: 'a', kind: 'outcome', delta: 1, reason: 'ok', at });

function ledger(h: ReturnType<typeof history>) {
  const clock = new SimulatedClock();
  const alerts: AlertInput[] = [];
  const audited: string[] = [];
  const stakes = new StakeLedger({
    reputation: h.store,
    clock,
    nodeId: 'n1',
    audit: async (a) => void audited.push(a.action),
    alert: (a) => void alerts.push(a),
  });
  return { stakes, clock, alerts, audited };
}

const changed = (at: number): AuditInput => ({
  who: { kind: 'system', id: 'reputation' },
  action: 'reputation.changed',
  subject: 'a',
  where: 'n1',
  why: 'forbidden',
  data: {},
  at,
});

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('StakeLedger', () => {
  it('stake - a slash is stored with its stake entry in one write, 15% of what is left for a major one', async () => {
    const h = history();
    const { stakes } = ledger(h);
    await stakes.post('a', { amount: '1000', asset: 'USDC' });
    await stakes.recordChange(slash(1), { violation: { severity: 'major' } });
    await stakes.recordChange(outcome(2));
    expect(h.rows.map((r) => [r.event.kind, r.stake?.amount, r.stake?.balance])).toEqual([
      ['slash', '150', '850'],
      ['outcome', undefined, undefined],
    ]);
    expect((await stakes.position('a'))?.balance).toBe('850');
  });

  it('stake - a change is written with its audit entries in one write: the change first, then the stake slash; none apart', async () => {
    const h = history();
    const { stakes, audited } = ledger(h);
    await stakes.post('a', { amount: '1000', asset: 'USDC' });
    await stakes.recordChange(slash(1), { violation: { severity: 'major' }, audit: changed(1) });
    await stakes.recordChange(outcome(2), { audit: changed(2) });
    expect(h.rows.map((r) => [r.event.kind, r.stake?.kind, r.audit])).toEqual([
      ['slash', 'slashed', ['reputation.changed', 'stake.slashed']],
      ['outcome', undefined, ['reputation.changed']],
    ]);
    // Only the posting went through the audit writer of its own (this ledger has no stake store to join).
    expect(audited).toEqual(['stake.posted']);
  });

  it('stake - a failed write is retried before any later change is written, in order; the stake counts only once stored', async () => {
    const h = history();
    const { stakes, clock, alerts } = ledger(h);
    await stakes.post('a', { amount: '1000', asset: 'USDC' });
    h.down = true;
    const first = stakes.recordChange(slash(1), { violation: { severity: 'major' } });
    const second = stakes.recordChange(outcome(2));
    await tick();
    expect(h.attempts).toBe(1);
    expect(alerts).toEqual([expect.objectContaining({ code: 'MANDATE_ERR_STORE', severity: 'critical' })]);
    expect(alerts[0]!.message).toMatch(/stake slashed of a \(150 USDC\) not recorded: connection lost; retrying/);
    expect((await stakes.position('a'))?.balance).toBe('1000');
    clock.increment(1_000);
    await tick();
    expect(h.attempts).toBe(2); // the slash again, not the outcome after it
    h.down = false;
    clock.increment(1_000);
    await Promise.all([first, second]);
    expect(h.rows.map((r) => r.event.kind)).toEqual(['slash', 'outcome']);
    expect((await stakes.position('a'))?.balance).toBe('850');
    expect(alerts).toHaveLength(1);
  });

  it('stake - at close a change still failing is given up, and every change after it, as a crash would', async () => {
    const h = history();
    const { stakes } = ledger(h);
    await stakes.post('a', { amount: '1000', asset: 'USDC' });
    h.down = true;
    const first = stakes.recordChange(slash(1), { violation: { severity: 'major' } });
    const second = stakes.recordChange(outcome(2));
    await tick();
    h.down = false; // the store comes back, but the runtime is stopping: the queue is not drained past the failure
    const closed = stakes.close();
    await expect(first).resolves.toMatchObject({ balance: '850' }); // the last attempt at close succeeded
    await expect(second).resolves.toBeUndefined();
    await closed;
    expect(h.rows.map((r) => r.event.kind)).toEqual(['slash', 'outcome']);

    const g = history();
    const { stakes: other } = ledger(g);
    await other.post('a', { amount: '1000', asset: 'USDC' });
    g.down = true;
    const lost = other.recordChange(slash(1), { violation: { severity: 'major' } });
    const after = other.recordChange(outcome(2));
    await tick();
    const done = other.close();
    await expect(lost).rejects.toThrow('connection lost');
    await expect(after).rejects.toThrow('connection lost');
    await done;
    expect(g.rows).toEqual([]);
    expect((await other.position('a'))?.balance).toBe('1000');
  });
});
