import { describe, expect, it, vi } from 'vitest';
import { parseOverrides, simulateCommand } from './simulateCommand.ts';

describe('mandate simulate', () => {
  it('mandate simulate - --set values parse to numbers, booleans and strings; bad ones are usage errors', () => {
    expect(parseOverrides(['gas.gwei=80', 'gate.feesOk=true', 'invoice.counterparty=cp-1'])).toEqual({
      'gas.gwei': 80,
      'gate.feesOk': true,
      'invoice.counterparty': 'cp-1',
    });
    expect(() => parseOverrides(['gas.gwei'])).toThrowError(expect.objectContaining({ code: 'MANDATE_ERR_USAGE' }));
  });

  it('mandate simulate - low gas opens the fee gate and the payables agent proposes its first invoice; nothing is sent', async () => {
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      expect(await simulateCommand(['examples/treasury', '--set', 'gas.gwei=20', '--json'])).toBe(0);
    } finally {
      log.mockRestore();
    }
    const { results } = JSON.parse(lines.join('\n')) as { results: Array<Record<string, any>> };
    const byId = Object.fromEntries(results.map((r) => [r.agent, r]));
    expect(byId['fee-watcher']).toMatchObject({ rulesFired: ['fees-normal'], outcome: 'succeeded' });
    expect(byId.payables).toMatchObject({
      started: true,
      action: { type: 'payment.send', amount: { value: '1840.00' } },
      verdict: { status: 'approved' },
      outcome: 'would-have-sent',
    });
  });
});
