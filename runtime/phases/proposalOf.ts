import type { Proposal } from '../../actors/index.ts';
import type { AgentContext } from '../../machines/index.ts';
import type { AgentHost } from '../host/AgentHost.ts';

/** The proposal an agent's current decision makes, as it travels up the supervisor chain. */
export function proposalOf(host: AgentHost, ctx: AgentContext, at: number): Proposal {
  return {
    agentId: host.id,
    group: host.def.group,
    capabilities: host.def.capabilities,
    decision: ctx.decision!,
    action: ctx.decision!.action!,
    facts: ctx.facts ?? {},
    at,
    ...(ctx.trigger == null ? {} : { trigger: ctx.trigger }),
  };
}
