import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode as JsonRpcCode,
  McpError,
  type CallToolResult,
  type ReadResourceResult,
  type Resource,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { McpConnectError, McpOutputError, McpRequestError, McpTimeoutError, McpToolUnknownError } from './errors.ts';
import type { McpServerSpec } from './mcpServerSchema.ts';
import { resolveEnvRefs } from './resolveEnvRefs.ts';

/** What Mandate tells servers it is. */
const CLIENT_INFO = { name: 'mandate', version: '1' };
/** How much of a stdio server's stderr is kept to explain a failed start. */
const STDERR_TAIL = 2_000;

/**
 * One agent's connection to one MCP server (stdio or Streamable HTTP) through the official SDK client.
 * It connects on first use and again after the connection closed (a crashed child, a dropped HTTP
 * session); it keeps the server's tool list, refreshed on `notifications/tools/list_changed`; every
 * request has the server's timeout, after which the SDK cancels it. A request is never retried here:
 * whether a tool call may be repeated is the actuator's decision.
 */
export class McpConnection {
  readonly name: string;
  readonly spec: McpServerSpec;
  #client: Client | undefined;
  #connecting: Promise<Client> | undefined;
  #tools = new Map<string, Tool>();
  #stderr = '';
  #closed = false;
  #pid: number | null = null;
  /** Times the tool list was (re)loaded: on connect and on each list-changed notification. */
  toolListLoads = 0;

  constructor(name: string, spec: McpServerSpec) {
    this.name = name;
    this.spec = spec;
  }

  /** Connects if not connected (joined by concurrent callers); throws `McpConnectError`. */
  async connect(): Promise<Client> {
    if (this.#closed) throw new McpConnectError(`MCP server "${this.name}" was closed; create a new connection.`);
    if (this.#client !== undefined) return this.#client;
    this.#connecting ??= this.#open().finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  async #open(): Promise<Client> {
    const client = new Client(CLIENT_INFO, {
      capabilities: {},
      listChanged: {
        tools: { onChanged: (error, tools) => (error === null && tools !== null ? this.#setTools(tools) : undefined) },
      },
    });
    const transport = this.#transport();
    client.onclose = () => {
      if (this.#client === client) this.#client = undefined;
    };
    try {
      await client.connect(transport, { timeout: this.spec.connectTimeout });
      this.#pid = transport instanceof StdioClientTransport ? transport.pid : null;
      this.#setTools((await client.listTools(undefined, { timeout: this.spec.connectTimeout })).tools);
    } catch (cause) {
      await client.close().catch(() => undefined);
      const where = 'command' in this.spec ? `command "${this.spec.command}"` : `URL ${this.spec.url}`;
      const stderr = this.#stderr.trim() === '' ? '' : ` Its stderr: ${this.#stderr.trim().slice(-500)}`;
      throw new McpConnectError(
        `MCP server "${this.name}" (${where}) could not be reached: ${(cause as Error).message}. Check the server declaration under mcp.servers.${this.name}.${stderr}`,
        { details: { server: this.name }, cause },
      );
    }
    this.#client = client;
    return client;
  }

  #transport(): Transport {
    const spec = this.spec;
    if ('command' in spec) {
      const t = new StdioClientTransport({
        command: spec.command,
        args: spec.args,
        env: { ...getDefaultEnvironment(), ...resolveEnvRefs(spec.env, `mcp.servers.${this.name}.env`) },
        ...(spec.cwd === undefined ? {} : { cwd: spec.cwd }),
        stderr: 'pipe',
      });
      t.stderr?.on('data', (chunk: Buffer) => {
        this.#stderr = (this.#stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
      });
      return t;
    }
    const headers = resolveEnvRefs(spec.headers, `mcp.servers.${this.name}.headers`);
    return new StreamableHTTPClientTransport(new URL(spec.url), { requestInit: { headers } });
  }

  /** The process id of a stdio server while connected (null over HTTP or when not connected). */
  get pid(): number | null {
    return this.#client === undefined ? null : this.#pid;
  }

  #setTools(tools: Tool[]): void {
    this.#tools = new Map(tools.map((t) => [t.name, t]));
    this.toolListLoads++;
  }

  /** The tools as last listed (connects first). */
  async tools(): Promise<Tool[]> {
    await this.connect();
    return [...this.#tools.values()];
  }

  /** The tool named `name`; an unknown name refreshes the list once before `McpToolUnknownError`. */
  async tool(name: string): Promise<Tool> {
    const client = await this.connect();
    let tool = this.#tools.get(name);
    if (tool === undefined) {
      this.#setTools((await this.#request(() => client.listTools(undefined, { timeout: this.spec.timeout }))).tools);
      tool = this.#tools.get(name);
    }
    if (tool === undefined)
      throw new McpToolUnknownError(
        `MCP server "${this.name}" has no tool "${name}". It lists: ${[...this.#tools.keys()].join(', ') || '(none)'}.`,
        { details: { server: this.name, tool: name } },
      );
    return tool;
  }

  /**
   * Calls a tool; the SDK checks `structuredContent` against the tool's output schema
   * (`McpOutputError` when it fails). `isError` results are returned, not thrown.
   */
  async callTool(name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult> {
    const client = await this.connect();
    const opts = { timeout: this.spec.timeout, ...(signal === undefined ? {} : { signal }) };
    return (await this.#request(() => client.callTool({ name, arguments: args }, undefined, opts))) as CallToolResult;
  }

  /** Lists the server's resources (every page). */
  async listResources(): Promise<Resource[]> {
    const client = await this.connect();
    const out: Resource[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#request(() =>
        client.listResources(cursor === undefined ? undefined : { cursor }, { timeout: this.spec.timeout }),
      );
      out.push(...page.resources);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return out;
  }

  /** Reads one resource. */
  async readResource(uri: string): Promise<ReadResourceResult> {
    const client = await this.connect();
    return this.#request(() => client.readResource({ uri }, { timeout: this.spec.timeout }));
  }

  /** Turns the SDK's errors into coded ones naming the server. */
  async #request<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (cause) {
      const details = { server: this.name };
      if (cause instanceof McpError) {
        if (cause.code === Number(JsonRpcCode.RequestTimeout))
          throw new McpTimeoutError(
            `MCP server "${this.name}" did not answer within ${this.spec.timeout} ms; the request was cancelled. Raise mcp.servers.${this.name}.timeout if the tool is slow.`,
            { details, cause },
          );
        if (cause.code === Number(JsonRpcCode.ConnectionClosed))
          throw new McpConnectError(`MCP server "${this.name}" closed the connection during a request.`, {
            details,
            cause,
          });
        if (/output schema|structured content/i.test(cause.message))
          throw new McpOutputError(`MCP server "${this.name}": ${cause.message}`, { details, cause });
        throw new McpRequestError(`MCP server "${this.name}" answered error ${cause.code}: ${cause.message}`, {
          details: { ...details, rpcCode: cause.code },
          cause,
        });
      }
      throw new McpConnectError(`MCP server "${this.name}" request failed: ${(cause as Error).message}`, {
        details,
        cause,
      });
    }
  }

  /** Closes the connection (a stdio server's process ends); later calls throw. */
  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client ?? (await this.#connecting?.catch(() => undefined));
    this.#client = undefined;
    await client?.close();
  }

  /** Drops the connection without closing the object: the next request reconnects (used after a transport fault). */
  async reset(): Promise<void> {
    const client = this.#client;
    this.#client = undefined;
    await client?.close();
  }
}
