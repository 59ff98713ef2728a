import type { InspectionEvent } from '../inspection/InspectionEvent.ts';
import type { RuntimeLogger } from './createLogger.ts';

/**
 * Writes one inspection event as one structured line: `agent`, `event` (the machine event or
 * `alert` / `approval`), `decisionId` where the cycle has a decision, plus the transition's
 * `from`/`to`, an alert's `code` and `severity`, an approval's `approvalId` and `status`.
 * Failures and critical alerts are `error`, warnings `warn`, the rest `info`.
 */
export function logInspectionEvent(log: RuntimeLogger, e: InspectionEvent): void {
  switch (e.type) {
    case 'transition': {
      const s = e.summary;
      const fields: Record<string, unknown> = {
        [e.actorKind === 'agent' ? 'agent' : 'supervisor']: e.actorId,
        event: e.event,
        from: e.from,
        to: e.to,
        seq: e.seq,
      };
      for (const key of ['decisionId', 'traceId', 'cycle', 'action', 'outcome', 'error', 'effect'] as const)
        if (s[key] !== undefined) fields[key] = s[key];
      const line = `${e.actorId} ${e.from} → ${e.to}`;
      if (e.to === 'failed' || e.to === 'escalated') log.error(fields, line);
      else log.info(fields, line);
      return;
    }
    case 'approval': {
      const a = e.approval;
      log.info(
        {
          agent: a.agentId,
          event: 'approval',
          decisionId: a.decisionId,
          approvalId: a.id,
          status: a.status,
          seq: e.seq,
        },
        `approval ${a.id} ${a.status}: ${a.reason}`,
      );
      return;
    }
    case 'alert': {
      const fields: Record<string, unknown> = { event: 'alert', code: e.code, severity: e.severity, seq: e.seq };
      if (e.actorId !== undefined) fields.agent = e.actorId;
      const line = `${e.code}: ${e.message}`;
      if (e.severity === 'critical') log.error(fields, line);
      else if (e.severity === 'warning') log.warn(fields, line);
      else log.info(fields, line);
    }
  }
}
