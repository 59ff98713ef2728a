/**
 * The MCP client against the MCP project's reference server, `@modelcontextprotocol/server-everything`
 * (a real third-party implementation), over stdio and over Streamable HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../kernel/index.ts';
import { everythingStdio, startEverythingHttp } from '../../test/support/everythingServer.ts';
import { createMcpActuator, McpClients, mcpResourcePerceiver, type McpConnection } from './index.ts';

const ctx = { agentId: 'a', decisionId: 'd-1', idempotencyKey: 'k-1', mode: 'live' as const, now: 0 };

function toolCall(tool: string, args: Record<string, unknown>, capability = `mcp.everything.${tool}`) {
  return { type: 'mcp.tool.call', capability, params: { server: 'everything', tool, arguments: args } };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe('mcp client over stdio (server-everything)', () => {
  let mcp: McpClients;
  let conn: McpConnection;
  beforeAll(() => {
    mcp = McpClients.fromSpec({
      servers: { everything: everythingStdio('20s') },
      resources: { architecture: { server: 'everything', uri: 'demo://resource/static/document/architecture.md' } },
    });
    conn = mcp.connection('everything');
  });
  afterAll(async () => mcp.close());

  it('mcp - lists the tools and follows tools/list_changed', async () => {
    const names = (await conn.tools()).map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'get-sum', 'get-structured-content']));
    // server-everything registers tools after initialize and announces them with list_changed.
    await until(() => conn.toolListLoads >= 2, 'the list_changed refresh');
    expect((await conn.tools()).map((t) => t.name)).toContain('simulate-research-query');
  });

  it('mcp - a tool call through the actuator returns the result in the receipt, structured content checked', async () => {
    const act = createMcpActuator(mcp);
    const sum = await act.execute(toolCall('get-sum', { a: 2, b: 40 }), ctx);
    expect(sum).toMatchObject({
      status: 'succeeded',
      receipt: { server: 'everything', tool: 'get-sum', content: { text: 'The sum of 2 and 40 is 42.' } },
    });
    const weather = await act.execute(toolCall('get-structured-content', { location: 'Chicago' }), ctx);
    expect(weather.receipt?.structuredContent).toEqual({
      temperature: 36,
      conditions: 'Light rain / drizzle',
      humidity: 82,
    });
  });

  it('mcp - bad arguments, an unknown tool and a borrowed capability are refused before any call', async () => {
    const act = createMcpActuator(mcp);
    const bad = await act.execute(toolCall('get-sum', { a: 'two', b: 1 }), ctx);
    expect(bad).toMatchObject({ status: 'failed', error: { code: ErrorCode.MANDATE_ERR_MCP_ARGUMENTS_INVALID } });
    const unknown = await act.execute(toolCall('transfer-funds', {}), ctx);
    expect(unknown.error?.code).toBe(ErrorCode.MANDATE_ERR_MCP_TOOL_UNKNOWN);
    expect(unknown.error?.message).toContain('get-sum');
    const borrowed = await act.execute(toolCall('get-env', {}, 'mcp.everything.echo'), ctx);
    expect(borrowed.error?.code).toBe(ErrorCode.MANDATE_ERR_MCP_CAPABILITY_MISMATCH);
    await expect(act.prepare!(toolCall('get-sum', { a: 1 }), ctx)).rejects.toMatchObject({
      code: ErrorCode.MANDATE_ERR_MCP_ARGUMENTS_INVALID,
    });
  });

  it('mcp - resources are listed and read into facts', async () => {
    const uris = (await conn.listResources()).map((r) => r.uri);
    expect(uris).toContain('demo://resource/static/document/architecture.md');
    const facts = await mcpResourcePerceiver(mcp)({ agentId: 'a', now: 0, trigger: {} });
    expect(String(facts.architecture)).toContain('# Everything Server');
    await expect(conn.readResource('demo://resource/static/document/no-such.md')).rejects.toMatchObject({
      code: ErrorCode.MANDATE_ERR_MCP_REQUEST_FAILED,
    });
  });

  it('mcp - a slow tool times out with a coded error; the connection keeps working', async () => {
    const slow = McpClients.fromSpec({ servers: { everything: everythingStdio('300ms') } });
    try {
      const c = slow.connection('everything');
      await c.tools();
      await expect(c.callTool('trigger-long-running-operation', { duration: 5, steps: 5 })).rejects.toMatchObject({
        code: ErrorCode.MANDATE_ERR_MCP_TIMEOUT,
      });
      expect((await c.callTool('echo', { message: 'still here' })).content).toEqual([
        { type: 'text', text: 'Echo: still here' },
      ]);
      // Through the actuator, a timed-out read-only tool is thrown for the act retry (repeating it is harmless).
      await expect(
        createMcpActuator(slow).execute(toolCall('trigger-long-running-operation', { duration: 5, steps: 5 }), ctx),
      ).rejects.toMatchObject({ code: ErrorCode.MANDATE_ERR_MCP_TIMEOUT });
    } finally {
      await slow.close();
    }
  });

  it('mcp - a server process that dies is restarted on the next call', async () => {
    const own = McpClients.fromSpec({ servers: { everything: everythingStdio() } });
    try {
      const c = own.connection('everything');
      await c.tools();
      const first = c.pid;
      expect(first).not.toBeNull();
      process.kill(first!, 'SIGKILL');
      await until(() => c.pid === null, 'the closed connection');
      expect((await c.callTool('echo', { message: 'again' })).isError).not.toBe(true);
      expect(c.pid).not.toBe(first);
    } finally {
      await own.close();
    }
  });

  it('mcp - a command that does not start is a connect error naming the server', async () => {
    const broken = McpClients.fromSpec({
      servers: { nope: { command: process.execPath, args: ['-e', 'process.exit(3)'] } },
    });
    await expect(broken.connection('nope').tools()).rejects.toMatchObject({ code: ErrorCode.MANDATE_ERR_MCP_CONNECT });
    await broken.close();
  });
});

describe('mcp client over Streamable HTTP (server-everything)', () => {
  let server: Awaited<ReturnType<typeof startEverythingHttp>>;
  beforeAll(async () => {
    server = await startEverythingHttp();
  });
  afterAll(async () => server.stop());

  it('mcp - calls a tool and reads a resource over HTTP', async () => {
    const mcp = McpClients.fromSpec({ servers: { everything: { url: server.url } } });
    try {
      const act = createMcpActuator(mcp);
      expect(await act.execute(toolCall('echo', { message: 'over http' }), ctx)).toMatchObject({
        status: 'succeeded',
        receipt: { content: { text: 'Echo: over http' } },
      });
      const read = await mcp.connection('everything').readResource('demo://resource/static/document/features.md');
      expect(read.contents[0]?.uri).toBe('demo://resource/static/document/features.md');
    } finally {
      await mcp.close();
    }
  });

  it('mcp - a refused endpoint is a connect error', async () => {
    const mcp = McpClients.fromSpec({ servers: { gone: { url: 'http://127.0.0.1:1/mcp', timeout: '2s' } } });
    await expect(mcp.connection('gone').tools()).rejects.toMatchObject({ code: ErrorCode.MANDATE_ERR_MCP_CONNECT });
    await mcp.close();
  });
});

describe('mcp spec', () => {
  it('mcp - an entry that is neither stdio nor HTTP is refused naming the field', () => {
    expect(() => McpClients.fromSpec({ servers: { x: { url: 'ftp://host' } } })).toThrow(/mcp\.servers\.x/);
    expect(() =>
      McpClients.fromSpec({ servers: { x: { command: 'a' } }, resources: { f: { server: 'y', uri: 'u://' } } }),
    ).toThrow(/mcp\.resources\.f\.server/);
    expect(() => McpClients.fromSpec({ servers: {} })).toThrow(/at least one server/);
  });
});
