/**
 * Fencing of rail writes by the placement lease an agent runs under. When several runtime nodes
 * share one PostgreSQL, the node taking an agent's lease raises the agent's row in `mandate_fence`
 * (created by the runtime's migrations, raised by its placement) to the lease's token; a rail built
 * with `fenced: true` checks that row inside the very transaction that records an intent, reserves
 * limits or signs, so a paused or partitioned old owner can never pay after its successor took over.
 */
import { FenceStaleError } from '../../kernel/index.ts';
import type { RailSql } from './RailSql.ts';

/** The lease a rail call is made under: the agent, and its lease's fencing token (undefined outside placement). */
export interface LeaseFence {
  readonly agentId: string;
  readonly token: number | undefined;
}

/**
 * Inside `tx`: share-locks the agent's `mandate_fence` row (a successor's raise waits until `tx` has
 * committed or rolled back) and throws {@link FenceStaleError} unless the call's token is the agent's
 * current one — or the call carries none and no fence exists for the agent (no placement). `what`
 * names the refused write in the message.
 */
export async function assertLease(tx: RailSql, fence: LeaseFence, what: string): Promise<void> {
  // A rail paused mid-transaction would hold the share lock, and so block its successor's lease,
  // until it woke: the server ends such a transaction after 5 s idle instead (nothing was sent yet).
  // Only a placed agent (a token) has a successor to block; unplaced rails pay no extra round trip.
  if (fence.token !== undefined) await tx.query(`SET LOCAL idle_in_transaction_session_timeout = '5s'`, []);
  const rows = await tx.query<{ token: string | number; node_id: string }>(
    'SELECT token, node_id FROM mandate_fence WHERE agent_id = $1 FOR SHARE',
    [fence.agentId],
  );
  const current = rows[0] === undefined ? undefined : Number(rows[0].token);
  if (current === fence.token) return;
  const holder = rows[0] === undefined ? 'no fence' : `token ${current} of node ${rows[0].node_id}`;
  throw new FenceStaleError(
    `Refused ${what} for agent "${fence.agentId}" with fencing token ${fence.token ?? 'none'}: the agent's current lease is ${holder}. This node no longer owns the agent; its current owner pays for it.`,
    { details: { agentId: fence.agentId, token: fence.token ?? null, current: current ?? null } },
  );
}
