import { createServer, type Server } from 'node:http';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

/** The running MCP server: its Streamable HTTP endpoint and how many tool calls it answered. */
export interface RatesServer {
  readonly url: string;
  readonly calls: () => number;
  close(): Promise<void>;
}

/**
 * A small MCP server over Streamable HTTP on a random loopback port (stateless: one server and
 * transport per request), with one tool, `convert`: an amount in EUR at a EUR/USD rate, in USD.
 * It stands for any third-party MCP server the buyer agent calls under governance.
 */
export async function startRatesServer(): Promise<RatesServer> {
  let calls = 0;
  const mcpServer = (): McpServer => {
    const server = new McpServer({ name: 'commerce-rates', version: '1.0.0' });
    server.registerTool(
      'convert',
      {
        description: 'Converts an amount in EUR to USD at the given EUR/USD rate',
        inputSchema: { eur: z.number().positive(), rate: z.string().regex(/^\d+(\.\d+)?$/) },
        outputSchema: { usd: z.string(), rate: z.string() },
      },
      async ({ eur, rate }) => {
        calls++;
        const usd = (eur * Number(rate)).toFixed(2);
        return {
          content: [{ type: 'text', text: `${eur} EUR is ${usd} USD at ${rate}` }],
          structuredContent: { usd, rate },
        };
      },
    );
    return server;
  };
  const http: Server = createServer((req, res) => {
    const server = mcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => void transport.close().then(() => server.close()));
    server
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(error));
      });
  });
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  const { port } = http.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    calls: () => calls,
    close: () => new Promise<void>((ok) => http.close(() => ok())),
  };
}
