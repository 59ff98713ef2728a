import type { CodeEntry } from './CodeEntry.ts';

/** Codes of the MCP client (agents calling external MCP servers) and of the gateway's MCP endpoint guard. Documented in docs/errors.md, "MCP client and endpoint (actors/mcp, gateway)". */
export const MCP_CODES = {
  MANDATE_ERR_MCP_ORIGIN_REFUSED: {
    status: 403,
    kind: 'error',
    meaning:
      "the MCP endpoint refused a request whose `Origin` is not the gateway's own or listed in `MANDATE_MCP_ALLOWED_ORIGINS`, or whose `Host` is not allowed (DNS-rebinding protection); nothing was run",
  },
  MANDATE_ERR_MCP_SERVER_INVALID: {
    status: 400,
    kind: 'error',
    meaning:
      'an `mcp.servers` entry is invalid (neither `{ command, args, env }` nor `{ url, headers }`, or an unknown server name); the message names the field',
  },
  MANDATE_ERR_MCP_CONNECT: {
    status: 502,
    kind: 'error',
    meaning:
      'an MCP server could not be started or reached (stdio command failed, HTTP endpoint refused, initialize failed); nothing was called',
  },
  MANDATE_ERR_MCP_TIMEOUT: {
    status: 504,
    kind: 'error',
    meaning:
      'an MCP request got no answer within its timeout; the request was cancelled (`notifications/cancelled`); a tool that is not idempotent is not called again',
  },
  MANDATE_ERR_MCP_TOOL_UNKNOWN: {
    status: 404,
    kind: 'error',
    meaning: 'the action names a tool the MCP server does not list (after a refresh of its tools)',
  },
  MANDATE_ERR_MCP_CAPABILITY_MISMATCH: {
    status: 403,
    kind: 'error',
    meaning:
      "an `mcp.tool.call` action claims a capability other than its tool's (`mcp.<server>.<tool>`); the tool is not called",
  },
  MANDATE_ERR_MCP_ARGUMENTS_INVALID: {
    status: 400,
    kind: 'error',
    meaning: "a tool call's arguments fail the tool's input schema; the tool is not called",
  },
  MANDATE_ERR_MCP_OUTPUT_INVALID: {
    status: 502,
    kind: 'error',
    meaning:
      "a tool's structured result fails its declared output schema, or a resource's content is not what was asked for; the result is not used",
  },
  MANDATE_ERR_MCP_TOOL_FAILED: {
    status: null,
    kind: 'outcome',
    meaning: 'the tool ran and answered `isError: true`; its text is in the outcome',
  },
  MANDATE_ERR_MCP_OUTCOME_UNKNOWN: {
    status: null,
    kind: 'outcome',
    meaning:
      'a call of a tool that is not marked idempotent was interrupted (crash, lost connection) and may have run; it is not repeated: check the server and start a new cycle',
  },
  MANDATE_ERR_MCP_REQUEST_FAILED: {
    status: 502,
    kind: 'error',
    meaning: 'the MCP server answered a request with a JSON-RPC error (code and message quoted)',
  },
} as const satisfies Record<string, CodeEntry>;
