import type { SqlExecutor } from '../audit/SqlExecutor.ts';
import { FenceStaleError } from '../../kernel/index.ts';

/** How long a fenced write's transaction may sit idle (its owner paused) before the server ends it and frees the fence. */
const FENCED_IDLE_TIMEOUT = '5s';

/** One write for an agent, with the fencing token of the lease it was made under (none outside placement). */
export interface FencedWrite {
  agentId: string;
  fence?: number | undefined;
}

/**
 * Locks the `mandate_fence` rows of the agents written (FOR SHARE, so a successor's
 * {@link raiseFence} waits until this transaction has committed or rolled back) and returns the
 * agents whose write carries another token than the current one. A write is allowed when its
 * token is the agent's current token, or when it carries none and no fence exists for the agent
 * (a runtime without placement): once placement governs an agent, every write must carry a token.
 */
export async function staleWrites(tx: SqlExecutor, writes: readonly FencedWrite[]): Promise<Set<string>> {
  const ids = [...new Set(writes.map((w) => w.agentId))].sort();
  if (ids.length === 0) return new Set();
  // A writer paused mid-transaction (SIGSTOP, a frozen VM) would hold these locks, and so block its
  // successor's raiseFence, until it woke: the server ends such a transaction after 5 s idle instead.
  // Only placed agents (writes with a token) have successors; others pay no extra round trip.
  if (writes.some((w) => w.fence !== undefined))
    await tx.execute(`set local idle_in_transaction_session_timeout = '${FENCED_IDLE_TIMEOUT}'`, []);
  const rows = (await tx.execute(
    'select agent_id, token from mandate_fence where agent_id = any(?) order by agent_id for share',
    [ids],
  )) as { agent_id: string; token: string | number }[];
  const current = new Map(rows.map((r) => [r.agent_id, Number(r.token)]));
  return new Set(writes.filter((w) => current.get(w.agentId) !== w.fence).map((w) => w.agentId));
}

/** Throws {@link FenceStaleError} (naming the tokens) unless the write's token is the agent's current one; holds the fence row's share lock until commit. */
export async function assertFenced(tx: SqlExecutor, write: FencedWrite, what: string): Promise<void> {
  const stale = await staleWrites(tx, [write]);
  if (stale.size === 0) return;
  const rows = (await tx.execute('select token, node_id from mandate_fence where agent_id = ?', [write.agentId])) as {
    token: string;
    node_id: string;
  }[];
  const holder = rows[0] === undefined ? 'no fence' : `token ${rows[0].token} of node ${rows[0].node_id}`;
  throw new FenceStaleError(
    `Refused ${what} for agent "${write.agentId}" with fencing token ${write.fence ?? 'none'}: the agent's current lease is ${holder}. This node no longer owns the agent; its current owner acts for it.`,
    { details: { agentId: write.agentId, token: write.fence ?? null } },
  );
}

/**
 * Makes `token` the agent's current fencing token, unless a newer one is already there (then a
 * {@link FenceStaleError}). Waits for every in-flight fenced write of the agent to commit, so
 * whatever the successor reads after this returns is everything the old owner will ever write.
 */
export async function raiseFence(
  tx: SqlExecutor,
  fence: { agentId: string; token: number; nodeId: string; at: number },
): Promise<void> {
  const rows = (await tx.execute(
    `insert into mandate_fence (agent_id, token, node_id, at) values (?, ?, ?, ?)
     on conflict (agent_id) do update set token = excluded.token, node_id = excluded.node_id, at = excluded.at
     where mandate_fence.token <= excluded.token returning token`,
    [fence.agentId, fence.token, fence.nodeId, fence.at],
  )) as unknown[];
  if (rows.length === 0) {
    const current = (await tx.execute('select token, node_id from mandate_fence where agent_id = ?', [
      fence.agentId,
    ])) as { token: string; node_id: string }[];
    throw new FenceStaleError(
      `Cannot take agent "${fence.agentId}" with fencing token ${fence.token}: node ${current[0]?.node_id ?? '?'} already holds newer token ${current[0]?.token ?? '?'}.`,
      { details: { agentId: fence.agentId, token: fence.token } },
    );
  }
}

/** The error of a snapshot refused because another lease governs its agent now. */
export function staleSnapshotError(s: { agentId: string; seq: number; fence?: number | undefined }): FenceStaleError {
  return new FenceStaleError(
    `Refused the snapshot of agent "${s.agentId}" at step ${s.seq} with fencing token ${s.fence ?? 'none'}: another lease governs the agent now.`,
    { details: { agentId: s.agentId, token: s.fence ?? null } },
  );
}
