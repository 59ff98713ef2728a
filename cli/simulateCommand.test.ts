import { describe, expect, it, vi } from 'vitest';
import { simulateCommand } from './simulateCommand.ts';

/** Runs `mandate simulate` with console.log captured; returns the printed lines. */
async function simulate(argv: string[]): Promise<string[]> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
  try {
    expect(await simulateCommand(['examples/treasury', ...argv])).toBe(0);
  } finally {
    log.mockRestore();
  }
  return lines;
}

const jsonLines = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, any>);

const ROW_KEYS = ['agent', 'chosen', 'confidence', 'expectedOutcome', 'options', 'risk', 'rulesFired', 'verdict'];

describe('mandate simulate', () => {
  it('mandate simulate - bad --set and --sweep tokens are coded errors naming the token', async () => {
    for (const [argv, token] of [
      [['--set', 'gas.gwei'], 'gas.gwei'],
      [['--set', '=80'], '=80'],
      [['--set', 'gas gwei=80'], 'gas gwei=80'],
      [['--sweep', 'gas.gwei=20..200'], 'gas.gwei=20..200'],
      [['--sweep', 'gas.gwei=200..20:20'], 'gas.gwei=200..20:20'],
      [['--sweep', 'gas.gwei=20..200:0'], 'gas.gwei=20..200:0'],
      [['--sweep', 'gas.gwei=0..1000000:1'], 'gas.gwei=0..1000000:1'],
    ] as const) {
      const failure = simulateCommand(['examples/treasury', ...argv]);
      await expect(failure).rejects.toMatchObject({ code: 'MANDATE_ERR_SCENARIO_INVALID', details: { token } });
      await expect(failure).rejects.toThrow(token);
    }
  });

  it('mandate simulate - --json prints one object per agent with exactly the documented fields; nothing is sent', async () => {
    const rows = jsonLines(await simulate(['--set', 'gas.gwei=20', '--set', 'fx.EURUSD=1.02', '--json']));
    expect(rows.map((r) => r.agent)).toEqual([
      'fee-watcher',
      'fx-rebalancer',
      'payables',
      'statement-reconciler',
      'treasury-strategist',
    ]);
    for (const r of rows) expect(Object.keys(r).sort()).toEqual(ROW_KEYS);
    const byId = Object.fromEntries(rows.map((r) => [r.agent, r]));
    // Every agent with rules weighs them against its goals: hold is always an option, and the score decides.
    expect(byId['fee-watcher']).toMatchObject({
      rulesFired: ['fees-normal'],
      chosen: 'rule:fees-normal',
      options: [
        { id: 'hold', score: 0 },
        { id: 'rule:fees-normal', action: { type: 'gate.set', params: { open: true } } },
      ],
    });
    expect(byId.payables).toMatchObject({
      chosen: 'rule:pay-due-invoice',
      options: [{ id: 'hold' }, { action: { type: 'payment.send', amount: { value: '1840.00' } } }],
      verdict: { status: 'approved' },
    });
    // The forced rate reaches the fx agent's swap.
    expect(byId['fx-rebalancer'].options[1]).toMatchObject({ action: { params: { rate: 1.02 } } });
    expect(byId['statement-reconciler'].verdict).not.toBeNull();
  });

  it('mandate simulate - the fx agent weighs options by its goal; confidence is computed and a low one waits for a human', async () => {
    const run = async (share: number) =>
      jsonLines(await simulate(['--agent', 'fx-rebalancer', '--set', `bands.eurShare=${share}`, '--json']))[0]!;
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
    expect(near).toMatchObject({ confidence: 0.2157, verdict: { status: 'pending', by: 'confidence' } });
    // 0.455: score 0.0038, confidence 0.0366, under governance's 0.1: denied outright
    const edge = await run(0.455);
    expect(edge).toMatchObject({ confidence: 0.0366, verdict: { status: 'denied', by: 'governance' } });
  });

  it('mandate simulate - a sweep prints a decision per value; the fx confidence follows the band gap', async () => {
    const sweep = jsonLines(
      await simulate(['--agent', 'fx-rebalancer', '--sweep', 'bands.eurShare=0.44..0.52:0.02', '--json']),
    );
    expect(sweep.map((r) => r.sweep)).toEqual(
      [0.44, 0.46, 0.48, 0.5, 0.52].map((value) => ({ path: 'bands.eurShare', value })),
    );
    expect(sweep.map((r) => [r.chosen, r.verdict.status])).toEqual([
      ['hold', 'no-action'],
      ['rule:eur-above-band', 'pending'],
      ['rule:eur-above-band', 'approved'],
      ['rule:eur-above-band', 'approved'],
      ['rule:eur-above-band', 'approved'],
    ]);
    const confidences = sweep.slice(1).map((r) => r.confidence as number);
    expect(new Set(confidences).size).toBe(confidences.length);
    expect([...confidences].sort((a, b) => a - b)).toEqual(confidences);

    const table = await simulate(['--agent', 'fee-watcher', '--sweep', 'gas.gwei=20..80:30']);
    expect(table[0]).toMatch(/^gas\.gwei\s+agent\s+decision\s+confidence\s+risk\s+verdict$/);
    expect(table.slice(1).map((l) => l.split(/\s{2,}/))).toEqual([
      ['20', 'fee-watcher', 'gate.set', '0.9431', 'none', 'approved (governance)'],
      ['50', 'fee-watcher', 'hold', '1', 'none', 'no-action (decide)'],
      ['80', 'fee-watcher', 'hold', '1', 'none', 'no-action (decide)'],
    ]);
  });

  it('mandate simulate - the fee watcher, payables and strategist decide by their goals with computed confidence', async () => {
    const rows = jsonLines(await simulate(['--set', 'gas.gwei=20', '--json']));
    const byId = Object.fromEntries(rows.map((r) => [r.agent, r]));
    const scores = (r: Record<string, any>) => r.options.map((o: { id: string; score: number }) => [o.id, o.score]);

    // Gate closed at 20 gwei: payments-flowing's gap is (45 − 20) / 15 = 1.6667, closed by opening it,
    // minus cost 0.01 = 1.6567; confidence = margin 1.6567 / 1.7567 (hold is the runner-up).
    const fees = byId['fee-watcher']!;
    expect(scores(fees)).toEqual([
      ['hold', 0],
      ['rule:fees-normal', 1.6567],
    ]);
    expect(fees).toMatchObject({ chosen: 'rule:fees-normal', confidence: 0.9431, risk: { level: 'none' } });
    expect(fees.expectedOutcome.goals.map((g: { id: string; gapBefore: number; gapAfter: number }) => g)).toEqual([
      { id: 'fee-exposure', metric: 'gas.gwei', before: 20, after: 20, gapBefore: 0, gapAfter: 0 },
      { id: 'payments-flowing', metric: 'gas.gwei', before: 20, after: 20, gapBefore: 1.6667, gapAfter: 0 },
    ]);

    // INV-1001 (1,840 USDC) due: gap 1.84 → 0; cost 0.02; risk 1.84 × 0.01 × 1 = 0.0184 → score 1.8016.
    const pay = byId.payables!;
    expect(scores(pay)).toEqual([
      ['hold', 0],
      ['rule:pay-due-invoice', 1.8016],
    ]);
    expect(pay).toMatchObject({ chosen: 'rule:pay-due-invoice', confidence: 0.9474, risk: { level: 'low' } });
    expect(pay.expectedOutcome.goals[0]).toMatchObject({ id: 'pay-due-invoices', before: 1840, after: 0 });

    // Nothing staked yet, nothing in the pool: the balanced preset (strategy.allocate) proposes staking
    // 10,000 of 180,000 USDC (staked share 0 → 0.0556, closing 0.556 of the staked-target gap in 10%
    // units; cost 0.01, risk 0.556 × 0.02 × 0.5 → 0.5404) and adding 10,000 of liquidity (paired with
    // EURC the pool share goes 0 → 0.1053 of 190,000, closing 1.053; cost 0.02, risk 1.053 × 0.2 × 0.3
    // → 0.9698). Confidence: margin 0.4294 / (0.4294 + 0.1).
    const strategist = byId['treasury-strategist']!;
    expect(scores(strategist)).toEqual([
      ['hold', 0],
      ['strategy:balanced:stake', 0.5404],
      ['strategy:balanced:liquidity-add', 0.9698],
    ]);
    expect(strategist).toMatchObject({
      chosen: 'strategy:balanced:liquidity-add',
      confidence: 0.8111,
      rulesFired: [],
      verdict: { status: 'approved' },
    });
    expect(strategist.options[2].action).toEqual({
      type: 'treasury.liquidity.add',
      capability: 'treasury.liquidity',
      account: 'treasury-usd',
      amount: { value: '10000.00', asset: 'USDC' },
      params: { minAprBps: 500, maxSlippageBps: 100 },
    });
    expect(strategist.expectedOutcome.goals.map((g: { id: string }) => g.id)).toEqual([
      'liquid-floor',
      'staked-target',
      'liquidity-target',
    ]);

    // The confidence is computed, not the rule's constant: at 44 gwei opening the gate barely pays.
    const near = jsonLines(await simulate(['--agent', 'fee-watcher', '--set', 'gas.gwei=44', '--json']))[0]!;
    // gap (45 − 44) / 15 = 0.0667; score 0.0567; confidence 0.0567 / 0.1567 (unrounded: 0.3618)
    expect(near).toMatchObject({ chosen: 'rule:fees-normal', confidence: 0.3618 });
  });
});
