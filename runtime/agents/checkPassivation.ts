import { AgentDefinitionError } from '../errors.ts';
import type { AgentData } from './agentSchema.ts';

/**
 * Refuses `passivation:` on an agent that something other than its own triggers must find in memory:
 * a fact threshold (`event` trigger) is watched on the node's fact board, and a contractor bids for
 * contract-net work as it is announced. Time, message and user triggers reactivate a passivated agent.
 */
export function checkPassivation(
  data: Pick<AgentData, 'passivation' | 'triggers' | 'contractor'>,
  source: string,
): void {
  if (data.passivation === undefined) return;
  const index = data.triggers.findIndex((t) => 'event' in t);
  if (index >= 0)
    throw new AgentDefinitionError(
      `Invalid agent definition ${source}: "passivation" needs time, message or user triggers only, but triggers.${index} is a fact threshold (event); remove one of them.`,
      { source, field: `triggers.${index}` },
    );
  if (data.contractor !== undefined)
    throw new AgentDefinitionError(
      `Invalid agent definition ${source}: "passivation" cannot be combined with "contractor" (a contractor must be in memory to bid); remove one of them.`,
      { source, field: 'passivation' },
    );
}
