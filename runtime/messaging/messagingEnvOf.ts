import type { RuntimeServices } from '../composeRuntime.ts';
import type { MessagingEnv } from './MessagingEnv.ts';

/** What messaging may use of a runtime's services: the narrow {@link MessagingEnv}. */
export function messagingEnvOf(s: RuntimeServices): MessagingEnv {
  return {
    nodeId: s.nodeId,
    clock: s.clock,
    agents: () => s.tree.agents(),
    agent: (id) => s.tree.get(id),
    killed: (host) => s.killSwitch.covers(host.target),
    canStart: (host) => s.triggers.canStart(host),
    reputationOf: (agentId) => s.reputation.score(agentId),
    reputationListeners: s.reputationListeners,
    subscribe: (listener) => s.inspection.subscribe(listener),
    submitTask: (task) => s.tasks.submit(task),
    traceparentOf: (agentId) => s.tracing?.tracer.traceparentOf(agentId),
    runTaskOn: (task) => s.tasks.submitTo(task),
    send: (agentId, event) => s.operator.send(agentId, event),
    killSwitch: s.killSwitch,
    alert: (a) => void s.alerts.raise(a),
    requestDone: (d) => s.telemetry?.requestReply.observe([d.type, d.outcome], d.ms / 1000),
    audit: (entry) => s.audit(entry),
    walletsOf: (agentId) => {
      const chain = s.options.chain;
      return chain === undefined ? undefined : { [`eip155:${chain.chainId}`]: chain.walletOf(agentId) };
    },
  };
}
