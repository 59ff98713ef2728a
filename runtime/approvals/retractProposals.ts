import type { Principal } from '../../machines/index.ts';
import type { RetractedItem } from '../control/Retraction.ts';
import type { Entry } from './ApprovalEntry.ts';

/**
 * Withdraws every pending signature approval (a Safe proposal) of a covered agent: its machine is
 * cancelled (the approval ends `rejected` with the kill switch's reason, persisted and audited
 * like any decision), so its signatures are never executed. One item per proposal.
 */
export async function retractProposals(
  entries: Iterable<Entry>,
  o: { covers(agentId: string): boolean; by: Principal; why: string; at: number },
): Promise<RetractedItem[]> {
  const items: RetractedItem[] = [];
  for (const entry of [...entries]) {
    const r = entry.record;
    if (r.status !== 'pending' || r.signatures === undefined || !o.covers(r.agentId) || entry.finishing !== undefined)
      continue;
    entry.actor.send({ type: 'approval.cancel', by: o.by, at: o.at, reason: `kill switch: ${o.why}` });
    // Sending the cancel starts the entry's finishing (narrowing above cannot see that).
    await finishingOf(entry);
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

function finishingOf(entry: Entry): Entry['finishing'] {
  return entry.finishing;
}
