import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { DecisionRecord } from '../runtime/persistence/index.ts';
import { shadowDeciders, type ShadowReport } from '../runtime/index.ts';
import { openTestStore } from '../test/support/db.ts';
import { shadowCommand } from './shadowCommand.ts';

const example = 'examples/treasury';

describe('mandate shadow', () => {
  it("mandate shadow - replays the journal's perceptions through new rules: same, changed, new and dropped, with the money", async () => {
    // The journal: fx-rebalancer decisions as the example's own rules made them, plus one recorded
    // when an older rule set held at 0.52 (so the new rules' swap there is "new").
    const current = (await shadowDeciders(example, join(example, 'rules'))).get('fx-rebalancer')!;
    const facts = (eurShare: number, eurExcess: string) => ({ bands: { eurShare, eurExcess }, fx: { EURUSD: 1.08 } });
    const now = Date.now();
    const records: DecisionRecord[] = [];
    for (const [i, f] of [facts(0.4, '0.00'), facts(0.47, '1200.00'), facts(0.55, '9000.00')].entries()) {
      const d = await current.decide(f);
      records.push(
        record({ id: `d${i}`, facts: f, action: d.action as never, rulesFired: d.rulesFired, at: now - 1_000 + i }),
      );
    }
    records.push(record({ id: 'd3', facts: facts(0.52, '5000.00'), action: null, rulesFired: [], at: now - 500 }));
    records.push(
      record({ id: 'old', facts: facts(0.55, '9000.00'), action: null, rulesFired: [], at: now - 3 * 86_400_000 }),
    ); // outside --since 24h

    await using t = await openTestStore('postgresql');
    const env = { DATABASE_URL: t.store.databaseUrl, MANDATE_DATA_DIR: t.dataDir };
    for (const r of records) await t.store.saveDecision(r);

    // New rules: the upper band moves from 0.45 to 0.5 and the slippage bound tightens to 50 bps.
    const rulesDir = mkdtempSync(join(tmpdir(), 'mandate-shadow-'));
    const text = readFileSync(join(example, 'rules', 'fx-rebalancer.yaml'), 'utf8');
    writeFileSync(
      join(rulesDir, 'fx-rebalancer.yaml'),
      text
        .replace('operator: greaterThan, value: 0.45', 'operator: greaterThan, value: 0.5')
        .replace('maxSlippageBps: 100', 'maxSlippageBps: 50'),
    );
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    try {
      expect(await shadowCommand([example, '--rules', rulesDir, '--json'], env)).toBe(0);
    } finally {
      log.mockRestore();
    }
    const report = JSON.parse(lines.join('\n')) as ShadowReport;
    expect(report.counts).toEqual({ same: 1, changed: 1, new: 1, dropped: 1 });
    expect(report.rows.map((r) => [r.decisionId, r.kind, r.was, r.now, r.money])).toEqual([
      ['d0', 'same', null, null, {}],
      ['d1', 'dropped', 'fx.swap 1200.00 EURC', null, { EURC: '-1200' }],
      ['d2', 'changed', 'fx.swap 9000.00 EURC', 'fx.swap 9000.00 EURC', {}],
      ['d3', 'new', null, 'fx.swap 5000.00 EURC', { EURC: '5000' }],
    ]);
    expect(report.rows[1]!.why).toMatch(/^fired then: eur-above-band; now: \(none\) — chose hold/);
    expect(report.money).toEqual({ EURC: '3800' });
  });

  it('mandate shadow - without --rules, or with a rules dir naming no agent, it is a usage error', async () => {
    await expect(shadowCommand([example], {})).rejects.toMatchObject({ code: 'MANDATE_ERR_USAGE' });
    const empty = mkdtempSync(join(tmpdir(), 'mandate-shadow-'));
    await expect(shadowCommand([example, '--rules', empty], {})).rejects.toThrow(/nothing to replay/);
    await expect(shadowCommand([example, '--rules', empty, '--since', 'yesterday'], {})).rejects.toThrow(
      /not a duration/,
    );
  });
});

function record({
  id,
  facts,
  action,
  rulesFired,
  at,
}: {
  id: string;
  facts: Record<string, unknown>;
  action: Record<string, unknown> | null;
  rulesFired: string[];
  at: number;
}): DecisionRecord {
  return {
    id,
    agentId: 'fx-rebalancer',
    cycle: 1,
    trigger: { kind: 'time', name: 'every 5s', at },
    facts,
    rulesFired,
    rationale: 'recorded',
    confidence: 0.9,
    model: null,
    action,
    verdict: null,
    outcome: null,
    createdAt: at,
    updatedAt: at,
  };
}
