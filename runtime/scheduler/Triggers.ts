import type { Trigger } from '../../machines/index.ts';
import type { GateBoard } from '../control/GateBoard.ts';
import type { AgentHost, AlertInput } from '../host/AgentHost.ts';
import type { FactBoard } from './FactBoard.ts';
import { validateCron, type Scheduler } from './Scheduler.ts';
import { ErrorCode } from '../../kernel/index.ts';

/** What trigger wiring needs. */
export interface TriggersDeps {
  scheduler: Scheduler;
  facts: FactBoard;
  gates: GateBoard;
  clock: { now(): number };
  /** Whether the kill switch covers the agent. */
  killed(host: AgentHost): boolean;
  alert(alert: AlertInput): void;
  /** Whether interval and cron triggers are armed (off for what-if runs). */
  timeTriggers: boolean;
}

/**
 * Starts agents' cycles: time triggers (interval, cron) on the scheduler, fact thresholds on
 * the fact board, and one-off triggers (users, messages, tasks). A trigger starts a cycle only
 * when the agent is idle, the kill switch does not cover it, and every gate it depends on is open.
 */
export class Triggers {
  readonly #deps: TriggersDeps;

  constructor(deps: TriggersDeps) {
    this.#deps = deps;
  }

  /** Whether the agent could start a cycle now (idle, not killed, gates open). */
  canStart(host: AgentHost): boolean {
    return (
      host.state === 'idle' &&
      !this.#deps.killed(host) &&
      this.#deps.gates.firstClosed(host.def.dependsOn) === undefined
    );
  }

  /** Fires a trigger at an agent; returns whether a cycle started. A closed gate is alerted once per change. */
  fire(host: AgentHost, trigger: Trigger): boolean {
    const d = this.#deps;
    if (host.state !== 'idle' || d.killed(host)) return false;
    const closed = d.gates.firstClosed(host.def.dependsOn);
    if (closed !== undefined) {
      if (host.blockedBy !== closed)
        d.alert({
          severity: 'info',
          code: ErrorCode.MANDATE_GATE_CLOSED,
          message: `${host.id} waits: gate "${closed}" is closed`,
          actorId: host.id,
        });
      host.blockedBy = closed;
      return false;
    }
    host.blockedBy = undefined;
    host.deliver({ type: 'agent.trigger', trigger });
    // Read again: delivering the trigger moved the agent on (or a designer's machine refused it).
    return (host.state as string) === 'perceive';
  }

  /** Registers an agent's time and fact triggers. `message` triggers are fired by messaging, `user` ones by operators. */
  wire(host: AgentHost): void {
    const d = this.#deps;
    for (const spec of host.def.triggers) {
      if (('every' in spec || 'cron' in spec) && !d.timeTriggers) continue;
      if ('every' in spec) {
        d.scheduler.add({
          owner: host.id,
          schedule: { every: spec.every },
          name: `every ${spec.every}ms`,
          fire: (at, name) => void this.fire(host, { kind: 'time', name, at }),
        });
      } else if ('cron' in spec) {
        validateCron(spec.cron, `agent "${host.id}"`);
        d.scheduler.add({
          owner: host.id,
          schedule: { cron: spec.cron },
          name: spec.cron,
          fire: (at, name) => void this.fire(host, { kind: 'time', name, at }),
        });
      } else if ('event' in spec) {
        const t = spec.event;
        const name = `${t.fact}${t.above === undefined ? '' : ` > ${t.above}`}${t.below === undefined ? '' : ` < ${t.below}`}`;
        d.facts.watch(
          host.id,
          t,
          (value) => void this.fire(host, { kind: 'event', name, at: d.clock.now(), data: { fact: t.fact, value } }),
        );
      }
    }
  }

  /** Removes an agent's time and fact triggers. */
  unwire(agentId: string): void {
    this.#deps.scheduler.remove(agentId);
    this.#deps.facts.unwatch(agentId);
  }
}
