import type { Principal } from '../../machines/index.ts';
import type { RetractedItem } from '../control/Retraction.ts';
import type { Entry } from './ApprovalEntry.ts';

/**
 * Withdraws every pending signature approval (a Safe proposal) of a covered agent: `cancel` ends it
 * `rejected` with the kill switch's reason, stored and audited before it applies like any decision,
 * so its signatures are never executed. One item per proposal.
 */
export async function retractProposals(
  entries: Iterable<Entry>,
  o: {
    covers(agentId: string): boolean;
    by: Principal;
    why: string;
    at: number;
    cancel(id: string, answer: { by: Principal; at: number; reason: string }): Promise<unknown>;
  },
): Promise<RetractedItem[]> {
  const items: RetractedItem[] = [];
  for (const entry of [...entries]) {
    const r = entry.record;
    if (r.status !== 'pending' || r.signatures === undefined || !o.covers(r.agentId) || entry.finishing !== undefined)
      continue;
    await o.cancel(r.id, { by: o.by, at: o.at, reason: `kill switch: ${o.why}` });
    items.push({
      kind: 'safe-proposal',
      id: r.id,
      agentId: r.agentId,
      status: 'retracted',
      detail: `Safe transaction ${r.signatures.request.digest} withdrawn; ${Object.keys(r.signatures.signatures).length} signature(s) discarded`,
    });
  }
  return items;
}
