import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../machines/index.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import type { AuditInput, KillSwitchState } from '../persistence/RuntimeStore.ts';
import { KillSwitch } from './KillSwitch.ts';

function agent({
  id,
  group,
  capabilities,
  state = 'idle',
}: {
  id: string;
  group: string;
  capabilities: string[];
  state?: string;
}) {
  const inbox: string[] = [];
  const h = {
    id,
    state,
    def: { group, capabilities },
    target: { id, group, capabilities },
    deliver: (e: AgentEvent) => void inbox.push(e.type),
  };
  return { h, inbox, host: h as unknown as AgentHost };
}

function setup() {
  const payer = agent({ id: 'payer', group: 'payables', capabilities: ['payments.send'] });
  const fx = agent({ id: 'fx', group: 'fx', capabilities: ['fx.swap'] });
  const saved: KillSwitchState[] = [];
  const audited: AuditInput[] = [];
  const alerts: string[] = [];
  const sent: string[] = [];
  const ks = new KillSwitch({
    nodeId: 'node-a',
    clock: { now: () => 7 },
    // The store commits the state and its audit entry together (write-ahead of the change).
    store: {
      saveKillSwitch: async (s: KillSwitchState, entry?: AuditInput) => {
        saved.push(s);
        if (entry !== undefined) audited.push(entry);
      },
    } as never,
    audit: async (e) => void audited.push(e),
    alert: ({ code }) => void alerts.push(code),
    agents: () => [payer.host, fx.host],
    agent: (id) => [payer.host, fx.host].find((h) => h.id === id),
  });
  ks.broadcastWith(async ({ action, scope }) => void sent.push(`${action}:${JSON.stringify(scope)}`));
  return { ks, payer, fx, saved, audited, alerts, sent };
}

const ops = { kind: 'human' as const, id: 'ops' };

describe('kill switch service', () => {
  it('kill switch - engaging a capability stops only the agents holding it, persists, audits, alerts and broadcasts', async () => {
    const t = setup();
    await t.ks.engage({ scope: { capabilities: ['payments.send'] }, by: ops, why: 'bank incident' });
    expect(t.payer.inbox).toEqual(['agent.kill']);
    expect(t.fx.inbox).toEqual([]);
    expect(t.saved.at(-1)).toEqual({ all: false, agents: [], groups: [], capabilities: ['payments.send'] });
    expect(t.audited.map((e) => [e.action, e.why])).toEqual([['operator.killswitch.engage', 'bank incident']]);
    expect(t.alerts).toEqual(['MANDATE_ERR_KILL_SWITCH']);
    expect(t.sent).toEqual(['engage:{"capabilities":["payments.send"]}']);
  });

  it('kill switch - an order from another node is applied locally and not sent back', async () => {
    const t = setup();
    await t.ks.engage({ scope: { all: true }, by: { kind: 'system', id: 'peer:node-b' }, why: 'drill', local: true });
    expect(t.ks.state().all).toBe(true);
    expect(t.sent).toEqual([]);
  });

  it('kill switch - release returns killed agents the switch no longer covers', async () => {
    const t = setup();
    await t.ks.engage({ scope: { groups: ['payables', 'fx'] }, by: ops, why: 'x' });
    t.payer.h.state = 'killed';
    t.fx.h.state = 'killed';
    await t.ks.release({ scope: { groups: ['fx'] }, by: ops, why: 'fx is fine' });
    expect(t.fx.inbox).toEqual(['agent.kill', 'agent.release']);
    expect(t.payer.inbox).toEqual(['agent.kill']);
    expect(t.ks.state().groups).toEqual(['payables']);
  });

  it('kill switch - bad input (empty scope, unknown principal kind, empty reason) is refused before anything changes', async () => {
    const t = setup();
    await expect(t.ks.engage({ scope: {}, by: ops, why: 'x' })).rejects.toMatchObject({
      code: 'MANDATE_ERR_EVENT_INVALID',
    });
    await expect(
      t.ks.engage({ scope: { all: true }, by: { kind: 'robot', id: 'x' } as never, why: 'x' }),
    ).rejects.toMatchObject({
      code: 'MANDATE_ERR_EVENT_INVALID',
    });
    await expect(t.ks.engage({ scope: { all: true }, by: ops, why: '' })).rejects.toMatchObject({
      code: 'MANDATE_ERR_EVENT_INVALID',
    });
    expect(t.ks.state().all).toBe(false);
    expect(t.saved).toEqual([]);
    expect(t.audited).toEqual([]);
  });

  it("kill switch - the rails' view covers the agent's group and capabilities and the signing step's own", async () => {
    const t = setup();
    const view = t.ks.railView();
    await t.ks.engage({ scope: { capabilities: ['payments.crypto.send'] }, by: ops, why: 'chain' });
    expect(view.isEngaged('payer', ['payments.crypto.send'])).toBe(true);
    expect(view.isEngaged('payer', ['payments.fiat.send'])).toBe(false);
    await t.ks.engage({ scope: { groups: ['payables'] }, by: ops, why: 'group' });
    expect(view.isEngaged('payer', [])).toBe(true);
    expect(view.isEngaged('fx', [])).toBe(false);
  });
});
