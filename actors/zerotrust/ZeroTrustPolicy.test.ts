import { describe, expect, it } from 'vitest';
import type { Proposal } from '../policies/SupervisorPolicy.ts';
import { ZeroTrustPolicy, type ZeroTrustOptions, type ZeroTrustVerdict } from './ZeroTrustPolicy.ts';

const H = 3_600_000;
const DAY = 24 * H;

function payment(value: string, counterparty: string, at: number): Proposal {
  return {
    agentId: 'payables',
    group: 'payables',
    capabilities: ['payments.send'],
    decision: { id: `d${at}`, action: null, confidence: 1, rationale: '', rulesFired: [], model: null },
    action: {
      type: 'payment.send',
      capability: 'payments.send',
      account: 'ops',
      amount: { value, asset: 'USDC' },
      counterparty,
      params: {},
    },
    facts: {},
    at,
  };
}

/** 30 business days, 8 payments a day between 09:00 and 16:00 UTC, 80–120 USDC to three suppliers. */
async function withHistory(revoked = false, verifyFlagged?: ZeroTrustOptions['verifyFlagged']) {
  const critical: ZeroTrustVerdict[] = [];
  const zt = new ZeroTrustPolicy({
    identityOf: () => (revoked ? { ok: false, reason: 'key did:key:zP is revoked' } : { ok: true }),
    onCritical: (_id, v) => void critical.push(v),
    ...(verifyFlagged === undefined ? {} : { verifyFlagged }),
  });
  let i = 0;
  for (let day = 0; day < 30; day++) {
    for (let hour = 9; hour < 17; hour++) {
      const p = payment(String(80 + ((i * 7) % 41)), `supplier-${i % 3}`, day * DAY + hour * H);
      zt.settle(p, { status: 'succeeded' });
      zt.baseline('payables').proposed(p.at);
      i++;
    }
  }
  return { zt, critical, now: 31 * DAY };
}

describe('zero-trust', () => {
  it('zero-trust - a payment like the agent’s history passes with low threat', async () => {
    const { zt, now } = await withHistory();
    expect(await zt.evaluate(payment('105', 'supplier-1', now + 11 * H))).toEqual({
      status: 'approved',
      reason: 'threat low: behaviour matches the agent’s history',
    });
  });

  it('zero-trust - a tenfold amount is routed to approval, with the robust z-score as its reason', async () => {
    const { zt, now } = await withHistory();
    const r = await zt.evaluate(payment('1000', 'supplier-1', now + 11 * H));
    expect(r.status).toBe('pending');
    expect(r.reason).toMatch(/^threat high: amount 1000 is \d+\.\d robust z above the median 100/);
  });

  it('zero-trust - a burst of proposals is routed to approval', async () => {
    const { zt, now } = await withHistory();
    const results = [];
    for (let k = 0; k < 6; k++)
      results.push(await zt.evaluate(payment('100', 'supplier-0', now + 11 * H + k * 60_000)));
    expect(results.slice(0, 5).map((r) => r.status)).toEqual([
      'approved',
      'approved',
      'approved',
      'approved',
      'approved',
    ]);
    expect(results[5]).toMatchObject({
      status: 'pending',
      reason: expect.stringContaining('burst: 6 proposals in 10 min'),
    });
  });

  it('zero-trust - without a rate in the history (under 20 proposals or under an hour) many proposals are no burst', async () => {
    const zt = new ZeroTrustPolicy({ identityOf: () => ({ ok: true }) });
    const results = [];
    for (let k = 0; k < 30; k++) results.push(await zt.evaluate(payment('100', 'supplier-0', 10 * H)));
    expect(results.every((r) => r.status === 'approved' && !r.reason.includes('burst'))).toBe(true);
    // Once the history spans an hour, the same pace against a slow baseline is one.
    const slow = new ZeroTrustPolicy({ identityOf: () => ({ ok: true }) });
    for (let k = 0; k < 20; k++) await slow.evaluate(payment('100', 'supplier-0', k * 10 * 60_000));
    const burst = [];
    for (let k = 0; k < 6; k++) burst.push(await slow.evaluate(payment('100', 'supplier-0', 5 * H + k)));
    expect(burst[5]).toMatchObject({ status: 'pending', reason: expect.stringContaining('burst: 6 proposals') });
  });

  it('zero-trust - a new counterparty at 3 a.m. is routed to approval; either alone is only flagged', async () => {
    const { zt, now } = await withHistory();
    const night = await zt.evaluate(payment('100', 'shell-co', now + 3 * H));
    expect(night.status).toBe('pending');
    expect(night.reason).toContain('new counterparty shell-co');
    expect(night.reason).toContain('unusual hour 3:00');
    const { zt: zt2 } = await withHistory();
    expect(await zt2.evaluate(payment('100', 'shell-co', now + 11 * H))).toMatchObject({
      status: 'approved',
      reason: 'flagged, threat medium: new counterparty shell-co',
    });
  });

  it('zero-trust - a flagged verdict gets its extra verification: confirmed it is approved, else it requires approval', async () => {
    const asked: ZeroTrustVerdict[] = [];
    let confirmed = true;
    const { zt, now } = await withHistory(false, async (_p, v) => {
      asked.push(v);
      return confirmed ? { ok: true, reason: 'a re-perceive agrees on 2 facts' } : { ok: false, reason: 'rate moved' };
    });
    expect(await zt.evaluate(payment('100', 'shell-co', now + 11 * H))).toEqual({
      status: 'approved',
      reason: 'flagged, threat medium: new counterparty shell-co; verified: a re-perceive agrees on 2 facts',
    });
    confirmed = false;
    expect(await zt.evaluate(payment('100', 'other-co', now + 11 * H + 60_000))).toEqual({
      status: 'pending',
      reason:
        'flagged, threat medium: new counterparty other-co; not verified (rate moved): it waits for a human approval',
    });
    expect(asked.map((v) => v.level)).toEqual(['medium', 'medium']);
    // Low, high and critical verdicts are not sent to it.
    await zt.evaluate(payment('105', 'supplier-1', now + 11 * H + 120_000));
    await zt.evaluate(payment('1000', 'supplier-1', now + 11 * H + 180_000));
    expect(asked).toHaveLength(2);
  });

  it('zero-trust - an invalid identity is critical: denied, and the incident handler is told', async () => {
    const { zt, critical, now } = await withHistory(true);
    expect(await zt.evaluate(payment('100', 'supplier-1', now + 11 * H))).toEqual({
      status: 'denied',
      reason: 'threat critical: identity: key did:key:zP is revoked',
    });
    expect(critical).toHaveLength(1);
  });
});
