/** The MCP client: agents call tools and read resources of external MCP servers, under governance. */
export { McpClients, mcpToolCapability } from './McpClients.ts';
export { McpConnection } from './McpConnection.ts';
export { createMcpActuator, MCP_TOOL_CALL } from './createMcpActuator.ts';
export { mcpResourcePerceiver } from './mcpResourcePerceiver.ts';
export { mcpServerSchema, mcpSpecSchema } from './mcpServerSchema.ts';
export type { McpServerSpec, McpSpec, McpSpecInput } from './mcpServerSchema.ts';
export {
  McpArgumentsError,
  McpCapabilityMismatchError,
  McpConnectError,
  McpOutputError,
  McpRequestError,
  McpServerSpecError,
  McpTimeoutError,
  McpToolUnknownError,
} from './errors.ts';
