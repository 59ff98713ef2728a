import type { Trigger } from '../../machines/index.ts';
import type { AgentDefinition } from '../agents/defineAgent.ts';
import type { GateBoard } from '../control/GateBoard.ts';
import type { KillTarget } from '../control/KillScopes.ts';
import type { AgentHost, AlertInput } from '../host/AgentHost.ts';
import type { FactBoard } from './FactBoard.ts';
import { validateCron, type Scheduler } from './Scheduler.ts';
import { codeOf, ErrorCode } from '../../kernel/index.ts';

/** Agents not in memory that a trigger reactivates (runtime/passivation). */
export interface Dormancy {
  definition(agentId: string): AgentDefinition | undefined;
  wake(agentId: string): Promise<AgentHost> | undefined;
}

/** What trigger wiring needs. */
export interface TriggersDeps {
  scheduler: Scheduler;
  facts: FactBoard;
  gates: GateBoard;
  clock: { now(): number };
  /** Whether the kill switch covers the agent. */
  killed(target: KillTarget): boolean;
  /** The agents in memory by id: wired triggers fire at the agent's current host (absent: at the host wired). */
  agents?: { get(agentId: string): AgentHost | undefined };
  /** Passivated agents, reactivated by their triggers. */
  dormant?: Dormancy;
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
      !this.#deps.killed(host.target) &&
      this.#deps.gates.firstClosed(host.def.dependsOn) === undefined
    );
  }

  /** Fires a trigger at an agent; returns whether a cycle started. A closed gate is alerted once per change. */
  fire(host: AgentHost, trigger: Trigger): boolean {
    const d = this.#deps;
    if (host.state !== 'idle' || d.killed(host.target)) return false;
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

  /** Whether a passivated agent's trigger would start a cycle (not killed, gates open): only then is it reactivated. */
  canWake(def: AgentDefinition): boolean {
    return (
      !this.#deps.killed({ id: def.id, group: def.group, capabilities: def.capabilities }) &&
      this.#deps.gates.firstClosed(def.dependsOn) === undefined
    );
  }

  /**
   * Fires a trigger at the agent with this id, reactivating it first when it is passivated (then the
   * answer is a promise). False for an agent neither here nor passivated.
   */
  fireAt(agentId: string, trigger: Trigger): boolean | Promise<boolean> {
    const d = this.#deps;
    const host = d.agents?.get(agentId);
    if (host !== undefined) return this.fire(host, trigger);
    const def = d.dormant?.definition(agentId);
    if (def === undefined || !this.canWake(def)) return false; // nothing would start: it stays passivated
    const woken = d.dormant!.wake(agentId);
    if (woken === undefined) return false;
    return woken.then(
      (h) => this.fire(h, trigger),
      (error: unknown) => {
        d.alert({
          severity: 'critical',
          code: codeOf(error, ErrorCode.MANDATE_ERR_STORE),
          message: `${agentId} could not be reactivated for its ${trigger.kind} trigger "${trigger.name}": ${(error as Error).message}`,
          actorId: agentId,
        });
        return false;
      },
    );
  }

  /** Fires a time trigger at whatever host holds the agent then: one callback for every agent (a passivated agent keeps no closure). */
  readonly #fireTime = (at: number, name: string, owner: string): void =>
    void this.fireAt(owner, { kind: 'time', name, at });
  /** Interval names by period, shared by every agent with that period. */
  readonly #names = new Map<number, string>();

  #onTime(host: AgentHost): (at: number, name: string, owner: string) => void {
    if (this.#deps.agents === undefined) return (at, name) => void this.fire(host, { kind: 'time', name, at });
    return this.#fireTime;
  }

  #intervalName(ms: number): string {
    let name = this.#names.get(ms);
    if (name === undefined) this.#names.set(ms, (name = `every ${ms}ms`));
    return name;
  }

  /** Registers an agent's time and fact triggers. `message` triggers are fired by messaging, `user` ones by operators. */
  wire(host: AgentHost): void {
    // Time triggers fire at whatever host holds the agent then (a passivated one is reactivated).
    const d = this.#deps;
    for (const spec of host.def.triggers) {
      if (('every' in spec || 'cron' in spec) && !d.timeTriggers) continue;
      if ('every' in spec) {
        d.scheduler.add({
          owner: host.id,
          schedule: spec, // the definition's own object: shared by every agent of a template
          name: this.#intervalName(spec.every),
          fire: this.#onTime(host),
        });
      } else if ('cron' in spec) {
        validateCron(spec.cron, `agent "${host.id}"`);
        d.scheduler.add({ owner: host.id, schedule: spec, name: spec.cron, fire: this.#onTime(host) });
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
