/**
 * The MCP endpoint (Streamable HTTP, stateless: one server per request, JSON responses).
 */
import type { FastifyInstance } from 'fastify';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { LoggingLevel } from '@modelcontextprotocol/sdk/types.js';
import { createMcpServer } from '../createMcpServer.ts';
import { AuthMissingError, MethodNotAllowedError } from '../errors.ts';
import { checkMcpOrigin, type McpOriginPolicy } from '../mcpOriginGuard.ts';
import type { MandateRuntime } from '../RuntimeApi.ts';

/** Path of the MCP endpoint. */
export const MCP_PATH = '/mcp';

/**
 * Registers POST /mcp (GET and DELETE answer 405: there are no sessions to stream or end). Every
 * method checks `Origin` and `Host` first (DNS-rebinding protection, `policy`). Answers are JSON,
 * except for a caller that set a log level (`logging/setLevel`): its requests are answered as an
 * event stream carrying the log entries before the result.
 */
export function mcpRoute(app: FastifyInstance, runtime: MandateRuntime, policy: McpOriginPolicy = {}): void {
  const logLevels = new Map<string, LoggingLevel>();
  const guard = async (request: Parameters<typeof checkMcpOrigin>[0]): Promise<void> => checkMcpOrigin(request, policy);
  const tags = ['mcp'];
  app.post(
    MCP_PATH,
    {
      config: { permission: 'read' },
      onRequest: guard,
      schema: {
        summary: 'MCP Streamable HTTP (stateless JSON-RPC): capabilities as tools, the tree and agents as resources',
        tags,
      },
    },
    async (request, reply) => {
      const identity = request.identity;
      if (identity === undefined) throw new AuthMissingError();
      const server = createMcpServer(runtime, identity, logLevels);
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: !logLevels.has(identity.name),
      });
      reply.hijack();
      reply.raw.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(request.raw, reply.raw, request.body);
    },
  );

  const notAllowed = async (): Promise<never> => {
    throw new MethodNotAllowedError('The MCP endpoint is stateless: send JSON-RPC with POST');
  };
  const refused = { summary: 'Answers 405: the endpoint is stateless, it has no session to stream or end', tags };
  app.get(MCP_PATH, { config: { permission: 'read' }, onRequest: guard, schema: refused }, notAllowed);
  app.delete(MCP_PATH, { config: { permission: 'read' }, onRequest: guard, schema: refused }, notAllowed);
}
