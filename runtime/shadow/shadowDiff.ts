import { compareActions, describeAction, formatAmount, parseAmount, type Decider } from '../../actors/index.ts';
import type { Amount, ProposedAction } from '../../machines/index.ts';
import type { DecisionRecord } from '../persistence/RuntimeStore.ts';

/** How one replayed decision compares with what was decided. */
export type ShadowKind = 'same' | 'changed' | 'new' | 'dropped';

/** One recorded decision replayed through the new rules. */
export interface ShadowRow {
  decisionId: string;
  agentId: string;
  at: number;
  kind: ShadowKind;
  /** `<type> <amount> <asset>`, or null for no action. */
  was: string | null;
  now: string | null;
  /** For a difference: the rules that fired then and now, and the new decision's rationale. */
  why?: string;
  /** Money the difference moves, by asset: new amount − old amount (negative: would not have moved). */
  money: Record<string, string>;
}

/** The whole replay: every row, counts by kind, and the money the differences move by asset. */
export interface ShadowReport {
  rows: ShadowRow[];
  counts: Record<ShadowKind, number>;
  /** Recorded decisions of agents without new rules. */
  skipped: number;
  money: Record<string, string>;
}

function addMoney(into: Map<string, bigint>, amount: Amount | undefined, sign: 1n | -1n): void {
  if (amount === undefined) return;
  into.set(amount.asset, (into.get(amount.asset) ?? 0n) + sign * parseAmount(amount.value));
}

const asStrings = (m: Map<string, bigint>): Record<string, string> =>
  Object.fromEntries([...m].filter(([, v]) => v !== 0n).map(([k, v]) => [k, formatAmount(v)]));

/**
 * Shadow mode: replays each recorded decision's perceived facts through the agent's new decider
 * and compares the actions (type, account, amount, counterparty and parameters). Nothing is
 * proposed or acted on; the deciders only compute.
 */
export async function shadowDiff(
  records: readonly DecisionRecord[],
  deciderOf: (agentId: string) => Decider | undefined,
): Promise<ShadowReport> {
  const rows: ShadowRow[] = [];
  const counts: Record<ShadowKind, number> = { same: 0, changed: 0, new: 0, dropped: 0 };
  const total = new Map<string, bigint>();
  let skipped = 0;
  for (const r of records) {
    const decider = deciderOf(r.agentId);
    if (decider === undefined) {
      skipped++;
      continue;
    }
    const was = r.action as unknown as ProposedAction | null;
    const d = await decider.decide(r.facts);
    const now = d.action;
    const kind: ShadowKind = compareActions(was, now);
    counts[kind]++;
    const money = new Map<string, bigint>();
    if (kind !== 'same') {
      addMoney(money, now?.amount, 1n);
      addMoney(money, was?.amount, -1n);
      for (const [k, v] of money) total.set(k, (total.get(k) ?? 0n) + v);
    }
    const row: ShadowRow = {
      decisionId: r.id,
      agentId: r.agentId,
      at: r.createdAt,
      kind,
      was: describeAction(was),
      now: describeAction(now),
      money: asStrings(money),
    };
    if (kind !== 'same')
      row.why = `fired then: ${r.rulesFired.join(', ') || '(none)'}; now: ${d.rulesFired.join(', ') || '(none)'} — ${d.rationale}`;
    rows.push(row);
  }
  return { rows, counts, skipped, money: asStrings(total) };
}
