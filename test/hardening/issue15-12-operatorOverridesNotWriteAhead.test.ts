/**
 * Issue 15, control changes write-ahead (pause, resume, retry, stop): each must validate its whole
 * input before anything happens, then audit, then apply. A pause with a bad reason still woke a
 * passivated agent before it was refused, and a stop and a pause sent together could both be
 * audited (stop, then pause) although the pause could no longer apply to a stopped agent.
 */
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../machines/index.ts';
import { GateBoard } from '../../runtime/control/GateBoard.ts';
import { OperatorCommands } from '../../runtime/control/OperatorCommands.ts';
import { NotFoundError } from '../../runtime/errors.ts';
import type { AgentHost } from '../../runtime/host/AgentHost.ts';
import type { AuditInput } from '../../runtime/persistence/RuntimeStore.ts';

const alice = { kind: 'human' as const, id: 'alice' };

function setup(options: { dormant?: boolean; audit?: (e: AuditInput) => Promise<void> } = {}) {
  const h = {
    id: 'payer',
    state: 'idle',
    parent: { id: 'sandbox:payables' },
    deliver: (e: AgentEvent) => {
      inbox.push(e.type);
      if (e.type === 'agent.stop') h.state = 'stopped';
      if (e.type === 'agent.pause') h.state = 'paused';
    },
  };
  const host = h as unknown as AgentHost;
  const inbox: string[] = [];
  const audited: string[] = [];
  const woken: string[] = [];
  let awake = options.dormant !== true;
  const ops = new OperatorCommands({
    nodeId: 'node-a',
    clock: { now: () => 3 },
    tree: {
      require: (id) => {
        throw new NotFoundError('agent', id);
      },
      release: () => undefined,
      get: (id) => (id === 'payer' && awake ? host : undefined),
    },
    triggers: { fire: () => true, fireAt: () => true, unwire: () => undefined },
    dormant: {
      definition: (id) => (id === 'payer' && !awake ? ({} as never) : undefined),
      wake: (id) => {
        if (id !== 'payer' || awake) return undefined;
        woken.push(id);
        awake = true;
        return Promise.resolve(host);
      },
    },
    gates: new GateBoard(),
    audit: async (e) => {
      await options.audit?.(e);
      audited.push(e.action);
    },
  });
  return { ops, h, inbox, audited, woken };
}

describe('issue 15 - operator overrides are not write-ahead', () => {
  it('operator - a pause, resume, retry or stop with bad input is refused before a passivated agent is woken', async () => {
    const t = setup({ dormant: true });
    for (const command of ['pause', 'resume', 'retry', 'stop'] as const) {
      await expect(t.ops[command]('payer', alice, '')).rejects.toMatchObject({ code: 'MANDATE_ERR_EVENT_INVALID' });
      await expect(t.ops[command]('payer', { kind: 'robot' } as never, 'why')).rejects.toMatchObject({
        code: 'MANDATE_ERR_EVENT_INVALID',
      });
    }
    expect(t.woken).toEqual([]);
    expect(t.audited).toEqual([]);
    // A valid one wakes it, audits, then applies.
    await t.ops.pause('payer', alice, 'month end');
    expect([t.woken, t.audited, t.inbox]).toEqual([['payer'], ['operator.pause'], ['agent.pause']]);
  });

  it('operator - a stop and a pause sent together: the stop is audited and applied, the pause refused and not audited', async () => {
    let release = (): void => undefined;
    const slow = new Promise<void>((resolve) => (release = resolve));
    const t = setup({ audit: () => slow });
    const stop = t.ops.stop('payer', alice, 'retired');
    const pause = t.ops.pause('payer', alice, 'month end');
    // Nothing is applied while the stop's audit entry is being written.
    await Promise.resolve();
    expect(t.inbox).toEqual([]);
    release();
    await stop;
    await expect(pause).rejects.toMatchObject({ code: 'MANDATE_ERR_STATE_CONFLICT' });
    expect(t.audited).toEqual(['operator.stop']);
    expect(t.inbox).toEqual(['agent.stop']);
  });

  it('operator - an override whose audit write fails is not applied, and the next command still runs', async () => {
    let fail = true;
    const t = setup({
      audit: async () => {
        if (fail) throw new Error('database down');
      },
    });
    await expect(t.ops.pause('payer', alice, 'month end')).rejects.toThrow('database down');
    expect(t.inbox).toEqual([]);
    fail = false;
    await t.ops.pause('payer', alice, 'month end');
    expect(t.inbox).toEqual(['agent.pause']);
  });
});
