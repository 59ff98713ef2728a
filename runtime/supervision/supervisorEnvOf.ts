import { ErrorCode, type Clock } from '../../kernel/index.ts';
import type { AlertSeverity } from '../host/AgentHost.ts';
import type { TransitionJournal } from '../journal/TransitionJournal.ts';
import type { SupervisorEnv } from './SupervisorHost.ts';

/** The supervisors' environment: their transitions journaled, restarts, escalations and ended children alerted. */
export function supervisorEnvOf(deps: {
  clock: Clock;
  journal: TransitionJournal;
  unwire(agentId: string): void;
  alert(severity: AlertSeverity, code: ErrorCode, message: string, actorId?: string): void;
}): SupervisorEnv {
  const journal = deps.journal;
  const alert = deps.alert.bind(deps);
  return {
    clock: deps.clock,
    onSupervisorTransition: (host, from, to, event) => {
      journal.supervisor(host, from, to, event);
      if (to === 'escalated')
        alert(
          'critical',
          ErrorCode.MANDATE_ERR_SUPERVISOR_ESCALATED,
          `${host.id} exceeded its restart intensity and escalates`,
          host.id,
        );
    },
    onRestart: (host, failedId, restarted, reason) =>
      alert(
        'warning',
        ErrorCode.MANDATE_ERR_ACTOR_CRASHED,
        `${host.id} restarts ${restarted.join(', ')} (${host.spec.strategy}) after ${failedId} failed: ${reason}`,
        host.id,
      ),
    onEscalatedRoot: (host) =>
      alert(
        'critical',
        ErrorCode.MANDATE_ERR_SUPERVISOR_ESCALATED,
        `root supervisor ${host.id} gave up: every agent is stopped`,
        host.id,
      ),
    onChildEnded: (_host, childId, exit) => {
      deps.unwire(childId);
      alert('info', ErrorCode.MANDATE_CHILD_ENDED, `${childId} ended (${exit}) and is not restarted`, childId);
    },
  };
}
