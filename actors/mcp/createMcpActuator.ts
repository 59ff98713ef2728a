import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import type { JsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { ErrorCode, isMandateError, type MandateError } from '../../kernel/index.ts';
import type { Outcome, ProposedAction } from '../../machines/index.ts';
import type { Actuator } from '../Actuator.ts';
import { McpArgumentsError, McpCapabilityMismatchError, McpServerSpecError } from './errors.ts';
import { mcpToolCapability, type McpClients } from './McpClients.ts';
import { summarizeContent } from './summarizeContent.ts';

/** The action type of a governed MCP tool call. */
export const MCP_TOOL_CALL = 'mcp.tool.call';

/** The parts of an `mcp.tool.call` action: `params: { server, tool, arguments }`. */
interface ToolCall {
  server: string;
  tool: string;
  arguments: Record<string, unknown>;
}

function callOf(action: ProposedAction): ToolCall {
  const { server, tool, arguments: args = {} } = action.params;
  if (action.type !== MCP_TOOL_CALL || typeof server !== 'string' || typeof tool !== 'string')
    throw new McpServerSpecError(
      `The MCP actuator takes actions of type "${MCP_TOOL_CALL}" with params { server, tool, arguments }; got type "${action.type}" with params ${JSON.stringify(Object.keys(action.params))}.`,
      { details: { type: action.type } },
    );
  if (typeof args !== 'object' || args === null || Array.isArray(args))
    throw new McpArgumentsError(`MCP tool "${tool}": "arguments" must be an object, got ${JSON.stringify(args)}.`, {
      details: { server, tool },
    });
  return { server, tool, arguments: args as Record<string, unknown> };
}

/** Whether repeating the call is harmless: the server marks the tool read-only or idempotent. */
function repeatable(tool: Tool): boolean {
  return tool.annotations?.readOnlyHint === true || tool.annotations?.idempotentHint === true;
}

function failed(error: MandateError, receipt: Record<string, unknown>): Outcome {
  return { status: 'failed', receipt, error: { code: error.code, message: error.message } };
}

/**
 * The actuator that turns approved `mcp.tool.call` actions into `tools/call` requests on the agent's
 * declared MCP servers. The action's capability must be the tool's (`mcp.<server>.<tool>`, see
 * {@link mcpToolCapability}), so the sandbox, reputation and governance decide per tool; a tool the
 * pipeline denied never reaches this actuator. Arguments are checked against the tool's input schema
 * before the call (dry-run stops there), the result against its output schema. A call that timed out
 * or lost its connection is retried (by the runtime's act retry) only when the server marks the tool
 * read-only or idempotent; otherwise the outcome is failed and says the call may have run.
 *
 * @example
 * const mcp = McpClients.fromSpec({ servers: { everything: { command: 'npx', args: ['mcp-server-everything'] } } });
 * defineAgent({ id: 'caller', capabilities: ['mcp.everything.get-sum'], act: createMcpActuator(mcp), ... });
 * // a rule's event: { type: 'mcp.tool.call', capability: 'mcp.everything.get-sum',
 * //                  params: { server: 'everything', tool: 'get-sum', arguments: { a: 1, b: 2 } } }
 */
export function createMcpActuator(clients: McpClients, name = 'mcp'): Actuator {
  const ajv = new AjvJsonSchemaValidator();
  const validators = new WeakMap<Tool, JsonSchemaValidator<unknown>>();

  /** The tool, after the capability and argument checks; throws coded errors. */
  async function checked(action: ProposedAction): Promise<{ call: ToolCall; tool: Tool }> {
    const call = callOf(action);
    const capability = mcpToolCapability(call.server, call.tool);
    if (action.capability !== capability)
      throw new McpCapabilityMismatchError(
        `MCP tool "${call.tool}" on "${call.server}" is exercised under capability "${capability}", but the action claims "${action.capability}"; use "${capability}".`,
        { details: { server: call.server, tool: call.tool, capability, claimed: action.capability } },
      );
    const tool = await clients.connection(call.server).tool(call.tool);
    let validate = validators.get(tool);
    if (validate === undefined) {
      validate = ajv.getValidator(tool.inputSchema);
      validators.set(tool, validate);
    }
    const result = validate(call.arguments);
    if (!result.valid)
      throw new McpArgumentsError(
        `MCP tool "${call.tool}" on "${call.server}": arguments ${JSON.stringify(call.arguments)} fail its input schema: ${result.errorMessage}.`,
        { details: { server: call.server, tool: call.tool } },
      );
    return { call, tool };
  }

  return {
    name,
    effect: 'external',
    async prepare(action) {
      const { call, tool } = await checked(action);
      return { server: call.server, tool: call.tool, arguments: call.arguments, repeatable: repeatable(tool) };
    },
    async execute(action): Promise<Outcome> {
      let call: ToolCall;
      let tool: Tool;
      try {
        ({ call, tool } = await checked(action));
      } catch (error) {
        // Refused before anything was sent: a failed outcome, never a retry. Unreachable servers are retried.
        if (isMandateError(error) && error.code !== ErrorCode.MANDATE_ERR_MCP_CONNECT)
          return failed(error, { params: action.params });
        throw error;
      }
      const base = { server: call.server, tool: call.tool, arguments: call.arguments };
      try {
        const result = await clients.connection(call.server).callTool(call.tool, call.arguments);
        const receipt = {
          ...base,
          reference: `mcp:${call.server}/${call.tool}`,
          content: summarizeContent(result.content),
          ...(result.structuredContent === undefined ? {} : { structuredContent: result.structuredContent }),
        };
        if (result.isError === true)
          return {
            status: 'failed',
            receipt,
            error: { code: ErrorCode.MANDATE_ERR_MCP_TOOL_FAILED, message: receipt.content.text || 'tool error' },
          };
        return { status: 'succeeded', receipt };
      } catch (error) {
        if (!isMandateError(error)) throw error;
        const inDoubt =
          error.code === ErrorCode.MANDATE_ERR_MCP_TIMEOUT || error.code === ErrorCode.MANDATE_ERR_MCP_CONNECT;
        if (inDoubt && repeatable(tool)) throw error; // the act retry calls it again: harmless by the server's word
        if (inDoubt)
          return failed(error, {
            ...base,
            inDoubt: true,
            note: `"${call.tool}" is not marked idempotent: it may have run and is not called again`,
          });
        return failed(error, base);
      }
    },
    async reconcile(action): Promise<Outcome | undefined> {
      const call = callOf(action);
      const tool = await clients.connection(call.server).tool(call.tool);
      if (repeatable(tool)) return undefined;
      return {
        status: 'failed',
        receipt: { server: call.server, tool: call.tool, inDoubt: true },
        error: {
          code: ErrorCode.MANDATE_ERR_MCP_OUTCOME_UNKNOWN,
          message: `the call of "${call.tool}" on "${call.server}" was interrupted and may have run; it is not marked idempotent, so it is not repeated. Check the server, then start a new cycle.`,
        },
      };
    },
  };
}
