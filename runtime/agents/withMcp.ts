import {
  createMcpActuator,
  mcpResourcePerceiver,
  type Actuator,
  type McpClients,
  type Perceiver,
} from '../../actors/index.ts';

/** The parts of a definition `withMcp` fills in. */
interface McpParts {
  perceive: Perceiver;
  act?: Actuator | undefined;
  mcpClients?: McpClients | undefined;
}

/**
 * Wires an agent's declared MCP servers into its definition: the MCP actuator when the agent names
 * no other (`act: mcp` in YAML), the declared `mcp.resources` read into facts beside its own
 * perceiver's (its own facts win on a clash), and the connections kept so the runtime closes them.
 */
export function withMcp<T extends McpParts>(def: T, clients: McpClients, useActuator: boolean): T {
  const own = def.perceive;
  const resources = mcpResourcePerceiver(clients);
  const perceive: Perceiver =
    Object.keys(clients.spec.resources).length === 0
      ? own
      : async (ctx) => ({ ...(await resources(ctx)), ...(await own(ctx)) });
  return { ...def, perceive, act: useActuator ? createMcpActuator(clients) : def.act, mcpClients: clients };
}
