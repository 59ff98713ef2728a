import type { ReputationChange } from '../../actors/index.ts';
import { ErrorCode } from '../../kernel/index.ts';
import type { AlertInput } from '../host/AgentHost.ts';
import type { ReputationEvent } from '../persistence/ReputationEvent.ts';
import type { AuditInput } from '../persistence/RuntimeStore.ts';

/** What a reputation change is reported to. */
export interface ReputationChangeDeps {
  listeners: ReadonlySet<(change: ReputationChange) => void>;
  alert(alert: AlertInput): void;
  /**
   * Records the change in the order given: appends it to the store's reputation history (what a
   * restart restores) with its audit entry `audit` and, for a slash, slashes the stake, all in the
   * same transaction (StakeLedger).
   */
  record(event: ReputationEvent, change: ReputationChange, audit: AuditInput): Promise<unknown>;
  nodeId: string;
}

/** The stored form of a change: the full state in `data.state`, so the newest event per agent restores it. */
export function reputationEventOf(c: ReputationChange): ReputationEvent {
  return {
    agentId: c.agentId,
    kind: c.kind,
    delta: Math.round((c.after - c.before) * 100) / 100,
    score: c.after,
    reason: c.reason,
    data: {
      state: c.state,
      ...(c.violation === undefined ? {} : { violation: c.violation }),
      ...(c.threshold === undefined ? {} : { threshold: c.threshold }),
    },
    at: c.at,
  };
}

function thresholdAlert(c: ReputationChange): AlertInput | undefined {
  const actorId = c.agentId;
  switch (c.threshold) {
    case 'suspended':
      return {
        severity: 'critical',
        code: ErrorCode.MANDATE_REPUTATION_SUSPENDED,
        message: `${c.agentId} reputation ${c.before} → ${c.after}, below the floor: no action with an amount is approved until it recovers (${c.reason})`,
        actorId,
      };
    case 'warning':
      return {
        severity: 'warning',
        code: ErrorCode.MANDATE_REPUTATION_WARNING,
        message: `${c.agentId} reputation ${c.after} < 50: limits tightened (${c.reason})`,
        actorId,
      };
    case 'bonus':
      return {
        severity: 'info',
        code: ErrorCode.MANDATE_REPUTATION_BONUS,
        message: `${c.agentId} reputation ${c.after} > 90: limits loosened`,
        actorId,
      };
    case undefined:
      return undefined;
  }
}

/**
 * Every reputation change: told to the listeners (registry descriptors), recorded with its audit
 * entry `reputation.changed` (its dimensions) and, for a slash, the stake's slash, in one transaction
 * and in the order the changes were made, and alerted when it crosses a threshold (below 50: warning, limits
 * tightened; below the floor: suspended; above 90: bonus) or is a major or critical slash.
 */
export function onReputationChange(deps: ReputationChangeDeps): (change: ReputationChange) => void {
  const failed = (c: ReputationChange, what: string) => (e: Error) =>
    deps.alert({
      severity: 'warning',
      code: ErrorCode.MANDATE_ERR_STORE,
      message: `reputation change of ${c.agentId} not ${what}: ${e.message}`,
      actorId: c.agentId,
    });
  return (c) => {
    for (const listener of deps.listeners) listener(c);
    const crossed = thresholdAlert(c);
    if (crossed !== undefined) deps.alert(crossed);
    if (c.violation !== undefined && c.violation.severity !== 'minor') {
      deps.alert({
        severity: c.violation.severity === 'critical' ? 'critical' : 'warning',
        code: ErrorCode.MANDATE_REPUTATION_SLASHED,
        message: `${c.agentId} slashed (${c.reason}): reputation ${c.before} → ${c.after}`,
        actorId: c.agentId,
      });
    }
    const { score } = c.state;
    const audit: AuditInput = {
      who: { kind: 'system', id: 'reputation' },
      action: 'reputation.changed',
      subject: c.agentId,
      where: deps.nodeId,
      why: c.reason,
      data: { agentId: c.agentId, kind: c.kind, before: c.before, after: c.after, dimensions: { ...score } },
      at: c.at,
    };
    deps.record(reputationEventOf(c), c, audit).catch(failed(c, 'stored'));
  };
}
