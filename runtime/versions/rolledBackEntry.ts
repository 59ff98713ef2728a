import type { AuditInput } from '../persistence/RuntimeStore.ts';
import type { AgentVersionRow, RollbackRequest, VersionStamp } from './AgentVersion.ts';

/** The audit entry of a rollback, written before the active version moves. */
export function rolledBack(
  r: { agentId: string; by: RollbackRequest['by']; why: string; where: string; at: number },
  from: VersionStamp | undefined,
  to: AgentVersionRow,
): AuditInput & { data: Record<string, unknown> } {
  return {
    who: r.by,
    action: 'config.agent.rolledback',
    subject: r.agentId,
    where: r.where,
    why: r.why,
    data: {
      agentId: r.agentId,
      from: from?.number ?? null,
      fromHash: from?.hash ?? null,
      to: to.number,
      toHash: to.hash,
    },
    at: r.at,
  };
}
