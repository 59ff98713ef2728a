/**
 * Errors of the MCP client. Each has a stable code listed in docs/errors.md ("MCP client").
 */
import { createError } from '../../kernel/index.ts';

/** An `mcp.servers` entry that is neither `{ command, args, env }` nor `{ url, headers }`, or an unknown server name. */
export class McpServerSpecError extends createError('MANDATE_ERR_MCP_SERVER_INVALID', 'McpServerSpecError') {}

/** A server that could not be started or reached, or whose initialize failed. */
export class McpConnectError extends createError('MANDATE_ERR_MCP_CONNECT', 'McpConnectError') {}

/** A request with no answer within its timeout (it was cancelled). */
export class McpTimeoutError extends createError('MANDATE_ERR_MCP_TIMEOUT', 'McpTimeoutError') {}

/** A tool the server does not list. */
export class McpToolUnknownError extends createError('MANDATE_ERR_MCP_TOOL_UNKNOWN', 'McpToolUnknownError') {}

/** An action whose capability is not its tool's. */
export class McpCapabilityMismatchError extends createError(
  'MANDATE_ERR_MCP_CAPABILITY_MISMATCH',
  'McpCapabilityMismatchError',
) {}

/** Arguments that fail the tool's input schema. */
export class McpArgumentsError extends createError('MANDATE_ERR_MCP_ARGUMENTS_INVALID', 'McpArgumentsError') {}

/** A structured result that fails the tool's output schema, or resource content of the wrong kind. */
export class McpOutputError extends createError('MANDATE_ERR_MCP_OUTPUT_INVALID', 'McpOutputError') {}

/** A JSON-RPC error answer from the server. */
export class McpRequestError extends createError('MANDATE_ERR_MCP_REQUEST_FAILED', 'McpRequestError') {}
