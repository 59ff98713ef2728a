import { ErrorCode, type Clock } from '../../kernel/index.ts';
import type { AlertInput } from '../host/AgentHost.ts';
import type { TransitionJournal } from '../journal/TransitionJournal.ts';
import type { SupervisorEnv } from './SupervisorHost.ts';

/** The supervisors' environment: their transitions journaled, restarts, escalations and ended children alerted. */
export function supervisorEnvOf(deps: {
  clock: Clock;
  journal: TransitionJournal;
  unwire(agentId: string): void;
  alert(alert: AlertInput): void;
}): SupervisorEnv {
  const journal = deps.journal;
  const alert = (a: AlertInput) => deps.alert(a);
  return {
    clock: deps.clock,
    onSupervisorTransition: (host, change) => {
      journal.supervisor(host, change);
      if (change.to === 'escalated')
        alert({
          severity: 'critical',
          code: ErrorCode.MANDATE_ERR_SUPERVISOR_ESCALATED,
          message: `${host.id} exceeded its restart intensity and escalates`,
          actorId: host.id,
        });
    },
    onRestart: (host, { failedId, restarted, reason }) =>
      alert({
        severity: 'warning',
        code: ErrorCode.MANDATE_ERR_ACTOR_CRASHED,
        message: `${host.id} restarts ${restarted.join(', ')} (${host.spec.strategy}) after ${failedId} failed: ${reason}`,
        actorId: host.id,
      }),
    onEscalatedRoot: (host) =>
      alert({
        severity: 'critical',
        code: ErrorCode.MANDATE_ERR_SUPERVISOR_ESCALATED,
        message: `root supervisor ${host.id} gave up: every agent is stopped`,
        actorId: host.id,
      }),
    onChildEnded: (_host, childId, exit) => {
      deps.unwire(childId);
      alert({
        severity: 'info',
        code: ErrorCode.MANDATE_CHILD_ENDED,
        message: `${childId} ended (${exit}) and is not restarted`,
        actorId: childId,
      });
    },
  };
}
