/**
 * The MCP face of the agent system: capabilities as tools, agent state as
 * resources, prompts filled with live state (`mcpPrompts.ts`), completions of their arguments (`mcpCompletions.ts`). A tool call goes through `runtime.submitTask`, so an LLM client
 * asks for work under exactly the governance a peer agent gets; a denial comes
 * back as a tool error (`isError: true`), not a protocol failure.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  SetLevelRequestSchema,
  type CallToolResult,
  type LoggingLevel,
} from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Principal } from '../runtime/index.ts';
import { MandateError } from '../kernel/index.ts';
import { ForbiddenError } from './errors.ts';
import { registerMcpCompletions } from './mcpCompletions.ts';
import { registerMcpPrompts } from './mcpPrompts.ts';
import { can } from './roles.ts';
import type { MandateRuntime, TaskResult } from './RuntimeApi.ts';
import { submitGoverned } from './submitGoverned.ts';
import type { TokenIdentity } from './TokenStore.ts';

/** MCP tool names allow letters, digits, `_`, `-` and `.`; anything else in a capability name becomes `_`. */
export function toolName(capability: string): string {
  return capability.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 128);
}

const ArgsSchema = z.record(z.string(), z.unknown());
const REFUSED = new Set(['denied', 'rejected', 'refused', 'expired', 'failed']);

function text(value: unknown): { type: 'text'; text: string } {
  return { type: 'text', text: typeof value === 'string' ? value : JSON.stringify(value, null, 2) };
}

/** A tool result for a finished task: an error when governance, an approver or the rail said no. */
export function taskToolResult(result: TaskResult): CallToolResult {
  const verdict = result.verdict;
  const outcome = result.outcome;
  const structured = { ...result } as Record<string, unknown>;
  if (verdict?.status === 'denied' || (outcome !== null && REFUSED.has(outcome.status))) {
    const why =
      verdict?.status === 'denied'
        ? `${verdict.by} denied it: ${verdict.reason}`
        : `outcome ${outcome?.status}${outcome?.error ? `: ${outcome.error.message}` : ''}`;
    return {
      isError: true,
      content: [text(`Task ${result.decisionId} was not carried out; ${why}`), text(result)],
      structuredContent: structured,
    };
  }
  return {
    content: [
      text(`Task ${result.decisionId} done by ${result.agentId}: ${outcome?.status ?? 'no outcome'}`),
      text(result),
    ],
    structuredContent: structured,
  };
}

/** RFC 5424 severities of MCP log levels, lowest first. */
const SEVERITY: readonly LoggingLevel[] = [
  'debug',
  'info',
  'notice',
  'warning',
  'error',
  'critical',
  'alert',
  'emergency',
];

/**
 * Builds one MCP server bound to a caller's identity (the gateway serves it statelessly, one per request).
 * `logLevels` keeps each token's `logging/setLevel` across requests: a caller that set one gets
 * `notifications/message` entries about its tool calls (submitted, verdict) in the call's event stream.
 */
export function createMcpServer(
  runtime: MandateRuntime,
  identity: TokenIdentity,
  logLevels: Map<string, LoggingLevel> = new Map(),
): Server {
  const server = new Server(
    { name: 'mandate', version: '0.1.0' },
    { capabilities: { tools: {}, resources: {}, prompts: {}, logging: {}, completions: {} } },
  );
  registerMcpPrompts(server, runtime);
  registerMcpCompletions(server, runtime);
  const principal: Principal = { kind: 'agent', id: `mcp:${identity.name}` };

  server.setRequestHandler(SetLevelRequestSchema, async (request) => {
    logLevels.set(identity.name, request.params.level);
    return {};
  });
  /** Sends a log entry on the request's stream when the caller asked for this level or a lower one. */
  const log = async (
    send: (n: {
      method: 'notifications/message';
      params: { level: LoggingLevel; logger: string; data: unknown };
    }) => Promise<void>,
    level: LoggingLevel,
    data: Record<string, unknown>,
  ): Promise<void> => {
    const wanted = logLevels.get(identity.name);
    if (wanted === undefined || SEVERITY.indexOf(level) < SEVERITY.indexOf(wanted)) return;
    await send({ method: 'notifications/message', params: { level, logger: 'mandate.tasks', data } });
  };

  const byTool = (): Map<string, ReturnType<MandateRuntime['capabilities']>[number]> =>
    new Map(runtime.capabilities().map((c) => [toolName(c.name), c]));

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [...byTool().entries()].map(([name, c]) => ({
      name,
      title: c.name,
      description: `${c.description} (offered by ${c.agents.length} agent${c.agents.length === 1 ? '' : 's'}; every call passes sandbox, reputation and governance)`,
      inputSchema: { type: 'object' as const, ...(c.inputSchema ?? {}) },
    })),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const capability = byTool().get(request.params.name);
    if (capability === undefined)
      throw new McpError(
        ErrorCode.InvalidParams,
        `No tool "${request.params.name}"; tools/list shows the capabilities on offer`,
      );
    if (!can(identity.role, 'task.submit')) {
      const refused = new ForbiddenError(
        `Role "${identity.role}" may not submit tasks; ask an admin for an operator token`,
      );
      return { isError: true, content: [text(`${refused.code}: ${refused.message}`)] };
    }
    const args = ArgsSchema.safeParse(request.params.arguments ?? {});
    if (!args.success)
      throw new McpError(ErrorCode.InvalidParams, `Tool arguments must be an object: ${args.error.message}`);
    try {
      await log(extra.sendNotification, 'info', { event: 'task.submitted', capability: capability.name });
      const task = await submitGoverned(runtime, { capability: capability.name, input: args.data, by: principal });
      await log(extra.sendNotification, task.status === 'done' ? 'info' : 'notice', {
        event: task.status === 'done' ? 'task.done' : 'task.pending',
        capability: capability.name,
        ...(task.status === 'done'
          ? { decisionId: task.result.decisionId, verdict: task.result.verdict?.status ?? null }
          : { approvalId: task.approval.id }),
      });
      if (task.status === 'done') return taskToolResult(task.result);
      const a = task.approval;
      return {
        content: [
          text(
            `Task ${a.decisionId} by ${a.agentId} awaits human approval ${a.id} (${a.reason}); it expires at ${new Date(a.expiresAt).toISOString()}.`,
          ),
        ],
        structuredContent: {
          status: 'pending',
          approvalId: a.id,
          decisionId: a.decisionId,
          agentId: a.agentId,
          expiresAt: a.expiresAt,
        },
      };
    } catch (err) {
      if (err instanceof MandateError && err.status < 500)
        return { isError: true, content: [text(`${err.code}: ${err.message}`)] };
      throw err;
    }
  });

  server.setRequestHandler(ListResourcesRequestSchema, async () => ({
    resources: [
      {
        uri: 'mandate://tree',
        name: 'Supervision tree',
        mimeType: 'application/json',
        description: 'Supervisors and agents with their current states',
      },
      ...runtime.listAgents().map((a) => ({
        uri: `mandate://agents/${encodeURIComponent(a.id)}`,
        name: a.id,
        mimeType: 'application/json',
        description: `Agent ${a.id}: ${a.capabilities.join(', ')}; state ${a.state}`,
      })),
    ],
  }));

  server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
    const uri = request.params.uri;
    let body: unknown;
    if (uri === 'mandate://tree') body = runtime.tree();
    else if (uri.startsWith('mandate://agents/'))
      body = runtime.getAgent(decodeURIComponent(uri.slice('mandate://agents/'.length)));
    if (body === undefined)
      throw new McpError(ErrorCode.InvalidParams, `No resource "${uri}"; resources/list shows what exists`);
    return { contents: [{ uri, mimeType: 'application/json', text: JSON.stringify(body) }] };
  });

  return server;
}
