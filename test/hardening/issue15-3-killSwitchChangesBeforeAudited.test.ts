import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KillSwitch } from '../../runtime/control/KillSwitch.ts';
import type { AuditInput, KillSwitchState } from '../../runtime/persistence/RuntimeStore.ts';
import { startGatewayFixture, type GatewayFixture } from '../e2e/gatewayFixture.ts';

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await startGatewayFixture();
});
afterAll(async () => {
  await fx?.close();
});

async function killSwitch(role: 'admin' | 'operator', body: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${fx.url}/api/kill-switch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${fx.tokens[role]}`, 'content-type': 'application/json' },
    body,
  });
  return { status: res.status, body: await res.json() };
}

async function killSwitchAudit(): Promise<unknown[]> {
  await fx.store.flush();
  const page = await fx.store.audit.query({ action: 'operator.killswitch.release', limit: 100 });
  const engaged = await fx.store.audit.query({ action: 'operator.killswitch.engage', limit: 100 });
  return [...page.entries, ...engaged.entries];
}

describe('issue 15 #3 - the kill switch changes before it is audited', () => {
  it('kill switch - an admin release with a NUL in the reason is a coded 400 and releases nothing', async () => {
    await fx.runtime.engageKillSwitch({ all: true }, { kind: 'system', id: 'test' }, 'drill');
    const before = await killSwitchAudit();
    // A raw body: JSON.stringify would also write \u0000, spelled out here so the intent is plain.
    const res = await killSwitch('admin', '{"action":"release","scope":{"all":true},"reason":"ok\\u0000"}');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MANDATE_ERR_REQUEST_INVALID');
    expect(res.body.error.message).toContain('body.reason');
    expect(fx.runtime.killSwitchState().all).toBe(true);
    expect((await fx.store.loadKillSwitch())?.all).toBe(true);
    expect(await killSwitchAudit()).toHaveLength(before.length);
    await fx.releaseKillSwitch();
  });

  it('kill switch - an engage with a lone surrogate in the reason is a coded 400 and engages nothing', async () => {
    const before = await killSwitchAudit();
    const res = await killSwitch('operator', '{"action":"engage","scope":{"all":true},"reason":"halt \\ud800"}');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MANDATE_ERR_REQUEST_INVALID');
    expect(fx.runtime.killSwitchState().all).toBe(false);
    expect((await fx.store.loadKillSwitch())?.all ?? false).toBe(false);
    expect(await killSwitchAudit()).toHaveLength(before.length);
  });

  it('kill switch - a release whose audit entry cannot be written is not applied (write-ahead)', async () => {
    await fx.runtime.engageKillSwitch({ all: true }, { kind: 'system', id: 'test' }, 'drill');
    // The runtime-level API, past the gateway's own checks: the reason reaches the audit boundary.
    await expect(
      fx.runtime.releaseKillSwitch({ all: true }, { kind: 'human', id: 'admin' }, 'bad \u0000 reason'),
    ).rejects.toMatchObject({ status: 400 });
    expect(fx.runtime.killSwitchState().all).toBe(true);
    expect((await fx.store.loadKillSwitch())?.all).toBe(true);
    await fx.releaseKillSwitch();
    expect(fx.runtime.killSwitchState().all).toBe(false);
    expect((await fx.store.audit.verify()).ok).toBe(true);
  });
});

describe('issue 15 #3 - kill switch changes are audited write-ahead', () => {
  function killSwitchOver(failing: { fail: boolean }) {
    const committed: { state: KillSwitchState; audit: AuditInput | undefined }[] = [];
    const alerts: string[] = [];
    const ks = new KillSwitch({
      nodeId: 'node-a',
      clock: { now: () => 1 },
      store: {
        saveKillSwitch: async (state: KillSwitchState, audit?: AuditInput) => {
          if (failing.fail) throw new Error('connection terminated');
          committed.push({ state, audit });
        },
      } as never,
      audit: async () => {
        throw new Error('the entry must commit with the state, not on its own');
      },
      alert: ({ message }) => void alerts.push(message),
      agents: () => [],
      agent: () => undefined,
    });
    return { ks, committed, alerts };
  }
  const admin = { kind: 'human' as const, id: 'admin' };

  it('kill switch - the audit entry and the state commit together, before the change applies', async () => {
    const t = killSwitchOver({ fail: false });
    await t.ks.engage({ scope: { agents: ['payer'] }, by: admin, why: 'incident' });
    expect(t.committed).toHaveLength(1);
    expect(t.committed[0]!.state.agents).toEqual(['payer']);
    expect(t.committed[0]!.audit).toMatchObject({ action: 'operator.killswitch.engage', why: 'incident' });
  });

  it('kill switch - a release the database does not commit is not applied', async () => {
    const failing = { fail: false };
    const t = killSwitchOver(failing);
    await t.ks.engage({ scope: { all: true }, by: admin, why: 'incident' });
    failing.fail = true;
    await expect(t.ks.release({ scope: { all: true }, by: admin, why: 'all clear' })).rejects.toThrow(
      'connection terminated',
    );
    expect(t.ks.state().all).toBe(true);
  });

  it('kill switch - concurrent changes are audited in the order they apply, each over the last', async () => {
    const t = killSwitchOver({ fail: false });
    await Promise.all([
      t.ks.engage({ scope: { agents: ['a'] }, by: admin, why: 'one' }),
      t.ks.engage({ scope: { agents: ['b'] }, by: admin, why: 'two' }),
      t.ks.release({ scope: { agents: ['a'] }, by: admin, why: 'three' }),
    ]);
    expect(t.committed.map((c) => c.state.agents)).toEqual([['a'], ['a', 'b'], ['b']]);
    expect(t.ks.state().agents).toEqual(['b']);
  });
});
