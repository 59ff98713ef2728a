import type { AgentContext } from '../../machines/index.ts';
import { PhaseError } from '../errors.ts';
import type { AgentHost } from '../host/AgentHost.ts';
import { isPlainObject } from './isPlainObject.ts';
import type { PhaseEnv } from './PhaseEnv.ts';

/**
 * Perceive: the agent's perceiver gathers facts (a plain object), what-if overrides are applied,
 * the facts are published for threshold triggers, and a trigger's data is added as `input`.
 */
export async function perceivePhase(
  env: PhaseEnv,
  host: AgentHost,
  ctx: AgentContext,
): Promise<Record<string, unknown>> {
  const trigger = ctx.trigger ?? { kind: 'user', name: 'unknown', at: env.clock.now() };
  const facts = await host.def.perceive({
    agentId: host.id,
    now: env.clock.now(),
    trigger: trigger as unknown as Record<string, unknown>,
  });
  if (!isPlainObject(facts))
    throw new PhaseError(
      'perceive',
      host.id,
      `its perceiver returned ${facts === null ? 'null' : typeof facts}, not a plain object of facts; return an object such as { balance: 1250 }.`,
    );
  const forced = env.overrideFacts(facts);
  env.facts.publish(forced);
  return trigger.data === undefined ? forced : { ...forced, input: trigger.data };
}
