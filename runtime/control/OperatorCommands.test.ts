import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../machines/index.ts';
import { NotFoundError } from '../errors.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import type { AuditInput } from '../persistence/RuntimeStore.ts';
import { GateBoard } from './GateBoard.ts';
import { OperatorCommands } from './OperatorCommands.ts';

function setup(state = 'idle', audit: (e: AuditInput) => Promise<void> = async () => {}) {
  const inbox: string[] = [];
  const h = {
    id: 'payer',
    state,
    parent: { id: 'sandbox:payables' },
    deliver: (e: AgentEvent) => void inbox.push(e.type),
  };
  const host = h as unknown as AgentHost;
  const released: string[] = [];
  const unwired: string[] = [];
  const fired: string[] = [];
  const audited: AuditInput[] = [];
  const gates = new GateBoard();
  const ops = new OperatorCommands({
    nodeId: 'node-a',
    clock: { now: () => 3 },
    tree: {
      require: (id) => {
        if (id !== 'payer') throw new NotFoundError('agent', id);
        return host;
      },
      release: (id) => void released.push(id),
      get: (id) => (id === 'payer' ? host : undefined),
    },
    triggers: {
      fire: (_h, t) => (fired.push(t.kind), true),
      fireAt: (_id, t) => (fired.push(t.kind), true),
      unwire: (id) => void unwired.push(id),
    },
    gates,
    audit: async (e) => {
      await audit(e);
      audited.push(e);
    },
  });
  return { ops, h, inbox, released, unwired, fired, audited, gates };
}

const alice = { kind: 'human' as const, id: 'alice' };

describe('operator commands', () => {
  it('operator - an override is audited with who and why before it is applied', async () => {
    const t = setup('idle');
    await t.ops.pause('payer', alice, 'month end');
    expect(t.audited).toEqual([
      {
        who: alice,
        action: 'operator.pause',
        subject: 'payer',
        where: 'sandbox:payables',
        why: 'month end',
        data: { agentId: 'payer', state: 'idle' },
        at: 3,
      },
    ]);
    expect(t.inbox).toEqual(['agent.pause']);
  });

  it('operator - when the audit write fails the override is not applied', async () => {
    const t = setup('idle', async () => {
      throw new Error('database down');
    });
    await expect(t.ops.pause('payer', alice, 'x')).rejects.toThrow('database down');
    expect(t.inbox).toEqual([]);
  });

  it('operator - stop takes the agent out of supervision and its triggers before stopping it', async () => {
    const t = setup('idle');
    await t.ops.stop('payer', alice, 'retired');
    expect(t.released).toEqual(['payer']);
    expect(t.unwired).toEqual(['payer']);
    expect(t.inbox).toEqual(['agent.stop']);
  });

  it('operator - commands that do not fit the state are 409, unknown agents 404, bad input 400, and nothing is applied', async () => {
    const t = setup('killed');
    await expect(t.ops.pause('payer', alice, 'x')).rejects.toMatchObject({
      code: 'MANDATE_ERR_STATE_CONFLICT',
      status: 409,
    });
    await expect(t.ops.resume('payer', alice, 'x')).rejects.toMatchObject({ code: 'MANDATE_ERR_STATE_CONFLICT' });
    await expect(t.ops.retry('payer', alice, 'x')).rejects.toMatchObject({ code: 'MANDATE_ERR_STATE_CONFLICT' });
    await expect(t.ops.pause('nobody', alice, 'x')).rejects.toMatchObject({
      code: 'MANDATE_ERR_NOT_FOUND',
      status: 404,
    });
    const u = setup('paused');
    await expect(u.ops.resume('payer', alice, '')).rejects.toMatchObject({
      code: 'MANDATE_ERR_EVENT_INVALID',
      status: 400,
    });
    await expect(u.ops.trigger('payer', alice, [1] as never)).rejects.toMatchObject({
      code: 'MANDATE_ERR_EVENT_INVALID',
    });
    expect(() => u.ops.send('payer', { type: 'agent.perceive.done', step: 0, facts: {} })).toThrowError(
      expect.objectContaining({ code: 'MANDATE_ERR_EVENT_INVALID' }),
    );
    expect([...t.inbox, ...u.inbox]).toEqual([]);
    expect([...t.audited, ...u.audited]).toEqual([]);
  });

  it('operator - a gate change is validated, audited as the operator or agent that made it, then applied', async () => {
    const t = setup();
    await expect(t.ops.setGate({ name: '', open: true, by: alice, why: 'x' })).rejects.toMatchObject({
      code: 'MANDATE_ERR_EVENT_INVALID',
    });
    await t.ops.setGate({ name: 'fees-ok', open: true, by: alice, why: 'KYB done' });
    await t.ops.setGate({ name: 'fees-ok', open: false, by: { kind: 'agent', id: 'fee-watcher' }, why: '80 gwei' });
    expect(t.audited.map((e) => [e.action, e.who.id])).toEqual([
      ['operator.gate.open', 'alice'],
      ['agent.gate.close', 'fee-watcher'],
    ]);
    expect(t.gates.get('fees-ok')).toMatchObject({ open: false, reason: '80 gwei' });
  });

  it('operator - a valid external event is delivered; a trigger goes through the trigger rules', () => {
    const t = setup();
    expect(t.ops.send('payer', { type: 'agent.pause' })).toBe(true);
    expect(
      t.ops.send('payer', { type: 'agent.trigger', trigger: { kind: 'message', name: 'invoice.received', at: 1 } }),
    ).toBe(true);
    expect(t.inbox).toEqual(['agent.pause']);
    expect(t.fired).toEqual(['message']);
  });
});
