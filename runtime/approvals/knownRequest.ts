import type { Proposal } from '../../actors/index.ts';
import type { ApprovalRecord } from '../inspection/InspectionEvent.ts';
import type { Entry } from './ApprovalEntry.ts';

/**
 * What opening a request for `proposal` returns when its decision already has one (the agent
 * resumed or proposed again), or undefined when a new request is to be opened:
 * - an answered request: that answer, handed over again (the simulator, seed 25, saw a rejected
 *   request re-opened after a crash, then paid);
 * - a request being decided: its decided record once stored — a new pending record written
 *   meanwhile overwrote the grant (seed 104: paid, yet the store said "pending");
 * - an open one: the same request, its deadline and the answers counted so far kept.
 */
export async function knownRequest(known: Entry | undefined, proposal: Proposal): Promise<ApprovalRecord | undefined> {
  if (known === undefined) return undefined;
  if (known.finishing !== undefined) await known.finishing.catch(() => undefined);
  if (known.record.status !== 'pending') {
    known.delivered = false;
    return known.record;
  }
  if (known.actor.getSnapshot().status !== 'active') return undefined;
  known.proposal = proposal;
  return known.record;
}
