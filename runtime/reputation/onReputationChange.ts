import type { ReputationChange } from '../../actors/index.ts';
import { ErrorCode } from '../../kernel/index.ts';
import type { AlertInput } from '../host/AgentHost.ts';
import type { AuditInput } from '../persistence/RuntimeStore.ts';

/** What a reputation change is reported to. */
export interface ReputationChangeDeps {
  listeners: ReadonlySet<(change: ReputationChange) => void>;
  alert(alert: AlertInput): void;
  audit(entry: AuditInput): Promise<void>;
  nodeId: string;
}

/**
 * Every reputation change: told to the listeners (registry descriptors), audited as
 * `reputation.changed`, and alerted when it crosses a threshold (below 50:
 * warning, limits tightened; above 90: bonus, limits loosened).
 */
export function onReputationChange(deps: ReputationChangeDeps): (change: ReputationChange) => void {
  return (c) => {
    for (const listener of deps.listeners) listener(c);
    if (c.threshold === 'warning') {
      const why = `${c.agentId} reputation ${c.after} < 50: limits tightened (${c.reason})`;
      deps.alert({ severity: 'warning', code: ErrorCode.MANDATE_REPUTATION_WARNING, message: why, actorId: c.agentId });
    }
    if (c.threshold === 'bonus') {
      deps.alert({
        severity: 'info',
        code: ErrorCode.MANDATE_REPUTATION_BONUS,
        message: `${c.agentId} reputation ${c.after} > 90: limits loosened`,
        actorId: c.agentId,
      });
    }
    void deps
      .audit({
        who: { kind: 'system', id: 'reputation' },
        action: 'reputation.changed',
        subject: c.agentId,
        where: deps.nodeId,
        why: c.reason,
        data: { agentId: c.agentId, before: c.before, after: c.after },
        at: c.at,
      })
      .catch((e: Error) =>
        deps.alert({
          severity: 'warning',
          code: ErrorCode.MANDATE_ERR_STORE,
          message: `reputation change of ${c.agentId} not audited: ${e.message}`,
          actorId: c.agentId,
        }),
      );
  };
}
