import type { Trigger } from '../../machines/index.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import type { RuntimeBase } from '../Runtime.ts';
import { validateCron } from './Scheduler.ts';

/**
 * Fires a trigger at an agent if it may start a cycle: idle, not under the
 * kill switch, and every gate it depends on open. Returns whether it started.
 */
export function fireTrigger(runtime: RuntimeBase, host: AgentHost, trigger: Trigger): boolean {
  if (!runtime.canStart(host)) return false;
  const closed = runtime.gates.firstClosed(host.def.dependsOn);
  if (closed !== undefined) {
    if (host.blockedBy !== closed) runtime.alert('info', 'MANDATE_GATE_CLOSED', `${host.id} waits: gate "${closed}" is closed`, host.id);
    host.blockedBy = closed;
    return false;
  }
  host.blockedBy = undefined;
  host.deliver({ type: 'agent.trigger', trigger });
  return host.state === 'perceive';
}

/** Registers an agent's time and event triggers with the scheduler and the fact board. */
export function wireTriggers(runtime: RuntimeBase, host: AgentHost): void {
  for (const spec of host.def.triggers) {
    if ('every' in spec) {
      runtime.scheduler.add(host.id, { every: spec.every }, `every ${spec.every}ms`, (at, name) => void fireTrigger(runtime, host, { kind: 'time', name, at }));
    } else if ('cron' in spec) {
      validateCron(spec.cron, `agent "${host.id}"`);
      runtime.scheduler.add(host.id, { cron: spec.cron }, spec.cron, (at, name) => void fireTrigger(runtime, host, { kind: 'time', name, at }));
    } else if ('event' in spec) {
      const t = spec.event;
      const name = `${t.fact}${t.above === undefined ? '' : ` > ${t.above}`}${t.below === undefined ? '' : ` < ${t.below}`}`;
      runtime.facts.watch(host.id, t, (value) => void fireTrigger(runtime, host, { kind: 'event', name, at: runtime.clock.now(), data: { fact: t.fact, value } }));
    }
    // `message` triggers are fired by the transport when a verified envelope of that type arrives; `user` by operators.
  }
}
