/**
 * The MCP endpoint (Streamable HTTP, stateless: one server per request, JSON responses).
 */
import type { FastifyInstance } from 'fastify';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpServer } from '../createMcpServer.ts';
import { AuthMissingError, MethodNotAllowedError } from '../errors.ts';
import type { MandateRuntime } from '../RuntimeApi.ts';

/** Path of the MCP endpoint. */
export const MCP_PATH = '/mcp';

/** Registers POST /mcp (GET and DELETE answer 405: there are no sessions to stream or end). */
export function mcpRoute(app: FastifyInstance, runtime: MandateRuntime): void {
  app.post(MCP_PATH, { config: { permission: 'read' } }, async (request, reply) => {
    const identity = request.identity;
    if (identity === undefined) throw new AuthMissingError();
    const server = createMcpServer(runtime, identity);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(request.raw, reply.raw, request.body);
  });

  const notAllowed = async (): Promise<never> => {
    throw new MethodNotAllowedError('The MCP endpoint is stateless: send JSON-RPC with POST');
  };
  app.get(MCP_PATH, { config: { permission: 'read' } }, notAllowed);
  app.delete(MCP_PATH, { config: { permission: 'read' } }, notAllowed);
}
