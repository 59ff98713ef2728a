import { describe, expect, it } from 'vitest';
import type { TransitionEvent } from '../runtime/index.ts';
import { formatEvent } from './printEvent.ts';

const TX = `0x${'ab'.repeat(32)}`;

function transition(to: string, summary: Record<string, unknown>): TransitionEvent {
  return {
    type: 'transition',
    seq: 1,
    actorId: 'payables',
    parentId: 'sandbox:payables',
    actorKind: 'agent',
    from: to === 'idle' ? 'learn' : 'act',
    to,
    event: 'agent.act.done',
    summary,
    at: Date.UTC(2026, 11, 4, 6, 0, 0, 123),
  };
}

// eslint-disable-next-line no-control-regex
const plain = (line: string | undefined) => line?.replace(/\u001b\[\d+m/g, '');

describe('transition line', () => {
  it('transition line - an on-chain effect prints its business key, rail, tx hash and block; quiet mode keeps it on the idle line', () => {
    const summary = {
      action: 'payment.send',
      outcome: 'succeeded',
      effect: { key: 'INV-1001', tx: TX, block: 34, rail: 'evm:31337', status: 'confirmed' },
    };
    expect(plain(formatEvent(transition('learn', summary), false))).toBe(
      `06:00:00.123 payables               act → learn  payment.send succeeded [INV-1001 evm:31337 tx ${TX} block 34]`,
    );
    expect(formatEvent(transition('learn', summary), true)).toBeUndefined();
    expect(plain(formatEvent(transition('idle', summary), true))).toContain(`[INV-1001 evm:31337 tx ${TX} block 34]`);
  });

  it('transition line - a transaction not mined yet says block pending; no effect, no brackets', () => {
    const pending = { outcome: 'submitted', effect: { key: 'INV-1002', tx: TX, block: null, rail: 'evm:1' } };
    expect(plain(formatEvent(transition('learn', pending), false))).toMatch(
      new RegExp(`submitted \\[INV-1002 evm:1 tx ${TX} block pending\\]$`),
    );
    const offChain = plain(formatEvent(transition('learn', { action: 'payment.send', outcome: 'succeeded' }), false));
    expect(offChain).toMatch(/payment\.send succeeded$/);
  });
});
