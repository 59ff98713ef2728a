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

  it('mandate simulate - the fx agent weighs options by its goal; confidence is computed and a low one waits for a human', async () => {
    const run = async (share: number) => {
      const lines: string[] = [];
      const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
      try {
        await simulateCommand([
          'examples/treasury',
          '--agent',
          'fx-rebalancer',
          '--set',
          `bands.eurShare=${share}`,
          '--json',
        ]);
      } finally {
        log.mockRestore();
      }
      return (JSON.parse(lines.join('\n')) as { results: Array<Record<string, any>> }).results[0]!;
    };
    const far = await run(0.55);
    // gap (0.55 − 0.45) / 0.2 = 0.5; score 0.5 − cost 0.02 − risk 0.5 × 0.1 × 0.5 = 0.455; margin 0.455 / 0.555
    expect(far.options.map((o: { id: string; score: number }) => [o.id, o.score])).toEqual([
      ['hold', 0],
      ['rule:eur-above-band', 0.455],
    ]);
    expect(far).toMatchObject({ chosen: 'rule:eur-above-band', confidence: 0.8198, verdict: { status: 'approved' } });
    expect(far.risk).toMatchObject({ level: 'medium', score: 0.05 });
    expect(far.expectedOutcome.goals[0]).toMatchObject({ before: 0.55, after: 0.4, gapBefore: 0.5, gapAfter: 0 });
    // 0.46: score 0.0275, confidence 0.0275 / 0.1275 = 0.2157, under the agent's floor 0.3: a human approves
    const near = await run(0.46);
    expect(near).toMatchObject({ confidence: 0.2157, state: 'awaitingApproval' });
    expect(near.verdict).toMatchObject({ status: 'pending', by: 'confidence' });
    // 0.455: score 0.0038, confidence 0.0366, under governance's 0.1: denied outright
    const edge = await run(0.455);
    expect(edge).toMatchObject({ confidence: 0.0366, verdict: { status: 'denied', by: 'governance' } });
  });
});
