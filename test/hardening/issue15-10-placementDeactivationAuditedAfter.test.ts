/**
 * Issue 15, control changes write-ahead: placement stopped an agent on this node (handover, drain)
 * and only then audited it, ignoring a failed write — an agent could leave a node with nothing in
 * the trail. Now the entry is written first; a handover that cannot be audited does not happen.
 */
import { describe, expect, it } from 'vitest';
import type { AuditInput } from '../../runtime/persistence/RuntimeStore.ts';
import type { AgentHost, AlertInput } from '../../runtime/host/AgentHost.ts';
import { PlacedAgents, type PlacedAgentsEnv } from '../../runtime/placement/PlacedAgents.ts';

function placed(auditFails: boolean) {
  const steps: string[] = [];
  const alerts: AlertInput[] = [];
  const host = { id: 'payer', state: 'idle', fence: 7 } as unknown as AgentHost;
  const env = {
    nodeId: 'node-a',
    clock: { now: () => 1_000 },
    store: { raiseFence: async () => {} },
    tree: { get: (id: string) => (id === 'payer' ? host : undefined), remove: () => void steps.push('removed') },
    triggers: { unwire: () => void steps.push('unwired'), wire: () => {} },
    messaging: () => ({ attach: async () => {}, detach: async () => void steps.push('detached') }),
    writer: undefined,
    audit: async (e: AuditInput) => {
      if (auditFails) throw new Error('connection terminated');
      steps.push(`audited ${e.action} ${e.why}`);
    },
    alert: (a: AlertInput) => void alerts.push(a),
    handoverTimeoutMs: 100,
    forgetPassivated: () => false,
  } as unknown as PlacedAgentsEnv;
  return { agents: new PlacedAgents(env), steps, alerts };
}

describe('issue 15 - placement deactivation is audited before it acts', () => {
  it('placement - a handover is audited before the agent stops here', async () => {
    const t = placed(false);
    await t.agents.deactivate('payer', 'handover');
    expect(t.steps).toEqual(['audited placement.agent.deactivated handover', 'unwired', 'detached', 'removed']);
  });

  it('placement - a handover or drain whose audit entry is not written does not happen', async () => {
    for (const reason of ['handover', 'drain'] as const) {
      const t = placed(true);
      await expect(t.agents.deactivate('payer', reason)).rejects.toThrow('connection terminated');
      expect(t.steps).toEqual([]); // still wired, attached and running here
    }
  });

  it('placement - a lost lease stops the agent even when the audit fails, and says so', async () => {
    const t = placed(true);
    await t.agents.deactivate('payer', 'lost');
    expect(t.steps).toEqual(['unwired', 'detached', 'removed']);
    expect(t.alerts).toMatchObject([{ severity: 'critical', code: 'MANDATE_ERR_STORE', actorId: 'payer' }]);
  });
});
