/**
 * How `mandate simulate` prints without `--json`: each agent's options and decision, or a
 * sweep's table of decisions per value.
 */
import type { ScenarioFacts, SimulationRow, SweepStep } from '../runtime/index.ts';

/** A value as text: strings as they are, nothing as '-', the rest as JSON. */
function show(value: unknown): string {
  if (value === undefined || value === null) return '-';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The chosen action of a row in a few words: `payment.send 1840.00 USDC`, `gate.set`, `no action`. */
function actionText(row: SimulationRow): string {
  const chosen = row.options.find((o) => o.id === row.chosen)?.action ?? null;
  const action = chosen as { type: string; amount?: { value: string; asset: string } } | null;
  if (action !== null) return `${action.type}${action.amount ? ` ${action.amount.value} ${action.amount.asset}` : ''}`;
  if (row.chosen === 'hold') return 'hold';
  return row.chosen === null ? 'no action' : `rule ${row.chosen}`;
}

/** Prints one scenario's decisions, agent by agent. */
export function printRows(facts: ScenarioFacts, rows: readonly SimulationRow[]): void {
  console.log(`scenario: ${JSON.stringify(facts)}`);
  for (const r of rows) {
    console.log(`\n${r.agent}: ${actionText(r)} (confidence ${show(r.confidence)})`);
    console.log(`  rules fired: ${r.rulesFired.join(', ') || '(none)'}`);
    for (const o of r.options)
      console.log(
        `  option ${o.id}: ${o.score ?? `rejected (${o.rejected ?? '-'})`}${o.id === r.chosen ? ' (chosen)' : ''}`,
      );
    if (r.risk != null) console.log(`  risk: ${r.risk.level} (${r.risk.score})`);
    if (r.verdict !== null) console.log(`  verdict: ${r.verdict.status} by ${r.verdict.by}: ${r.verdict.reason}`);
  }
}

/** Prints a sweep as a table: one line per value and agent. */
export function printSweepTable(path: string, steps: readonly SweepStep[]): void {
  const lines = [[path, 'agent', 'decision', 'confidence', 'risk', 'verdict']];
  for (const { value, rows } of steps)
    for (const r of rows)
      lines.push([
        String(value),
        r.agent,
        actionText(r),
        show(r.confidence),
        r.risk?.level ?? '-',
        r.verdict === null ? '-' : `${r.verdict.status} (${r.verdict.by})`,
      ]);
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  for (const l of lines)
    console.log(
      l
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    );
}
