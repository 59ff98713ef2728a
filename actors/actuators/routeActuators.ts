import type { Outcome, ProposedAction } from '../../machines/index.ts';
import type { ActContext, Actuator } from '../Actuator.ts';
import { PaymentActionError } from '../errors.ts';

/**
 * One actuator over several, chosen by the action's type: an agent that pays x402 resources and
 * calls MCP tools declares `act: routeActuators({ 'x402.pay': x402, 'mcp.tool.call': mcp })`. The
 * effect is `external` when any route is (then, in dry-run, every route only prepares); each call,
 * reconcile included, goes to the route of its action type, and an unknown type is refused.
 *
 * @example
 * defineAgent({ ..., act: routeActuators({ 'x402.pay': createX402Actuator(o), 'mcp.tool.call': createMcpActuator(mcp) }) });
 */
export function routeActuators(routes: Readonly<Record<string, Actuator>>, name = 'routed'): Actuator {
  const entries = Object.entries(routes);
  if (entries.length === 0)
    throw new PaymentActionError('routeActuators needs at least one route (action type → actuator).');
  if (entries.some(([, a]) => a.signatures !== undefined))
    throw new PaymentActionError(
      'routeActuators cannot route actuators whose approvals are signatures (a Safe): give that agent its own actuator.',
    );
  const external = entries.some(([, a]) => a.effect === 'external');
  const routeOf = (action: ProposedAction): Actuator => {
    const route = routes[action.type];
    if (route === undefined)
      throw new PaymentActionError(
        `No actuator for action type "${action.type}"; this agent routes ${entries.map(([t]) => t).join(', ')}.`,
        { details: { type: action.type } },
      );
    return route;
  };
  return {
    name,
    effect: external ? 'external' : 'internal',
    async prepare(action: ProposedAction, ctx: ActContext) {
      return (await routeOf(action).prepare?.(action, ctx)) ?? {};
    },
    async execute(action: ProposedAction, ctx: ActContext): Promise<Outcome> {
      return routeOf(action).execute(action, ctx);
    },
    async reconcile(action: ProposedAction, ctx: ActContext): Promise<Outcome | undefined> {
      const route = routeOf(action);
      if (route.reconcile === undefined)
        throw new PaymentActionError(
          `The actuator for "${action.type}" cannot reconcile an interrupted effect; check it by hand before a new cycle.`,
        );
      return route.reconcile(action, ctx);
    },
  };
}
