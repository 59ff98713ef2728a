import { z } from 'zod';
import { McpServerSpecError } from './errors.ts';
import { McpConnection } from './McpConnection.ts';
import { mcpSpecSchema, type McpSpec } from './mcpServerSchema.ts';

/**
 * The capability an MCP tool call exercises: `mcp.<server>.<tool>`, the tool name lower-cased with
 * every character outside `a-z0-9-` turned into `-` (`get_sum` → `get-sum`, `getSum` → `getsum`).
 *
 * @example
 * mcpToolCapability('everything', 'get-sum'); // 'mcp.everything.get-sum'
 */
export function mcpToolCapability(server: string, tool: string): string {
  const slug = tool.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  return `mcp.${server}.${/^[a-z]/.test(slug) ? slug : `t-${slug}`}`;
}

/**
 * The MCP servers one agent declares (`mcp: { servers, resources }`), one {@link McpConnection}
 * each, connected on first use. `close()` ends them all (the runtime calls it on shutdown).
 *
 * @example
 * const mcp = McpClients.fromSpec({ servers: { everything: { command: 'npx', args: ['mcp-server-everything'] } } });
 * defineAgent({ ..., mcp: mcp.spec, act: createMcpActuator(mcp) });
 */
export class McpClients {
  readonly spec: McpSpec;
  readonly #connections = new Map<string, McpConnection>();

  constructor(spec: McpSpec) {
    this.spec = spec;
    for (const [name, server] of Object.entries(spec.servers))
      this.#connections.set(name, new McpConnection(name, server));
  }

  /** Validates an authored `mcp:` block; throws `McpServerSpecError` naming the field. */
  static fromSpec(input: unknown, source = 'mcp'): McpClients {
    const parsed = mcpSpecSchema.safeParse(input);
    if (!parsed.success) throw specError(source, parsed.error);
    return new McpClients(parsed.data);
  }

  /** The connection to server `name`; throws `McpServerSpecError` for a server the agent did not declare. */
  connection(name: string): McpConnection {
    const c = this.#connections.get(name);
    if (c === undefined)
      throw new McpServerSpecError(
        `MCP server "${name}" is not declared; this agent declares: ${[...this.#connections.keys()].join(', ')}. Add it under mcp.servers.`,
        { details: { server: name } },
      );
    return c;
  }

  /** Names of the declared servers. */
  servers(): string[] {
    return [...this.#connections.keys()];
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    await Promise.all([...this.#connections.values()].map((c) => c.close()));
  }
}

/** The first zod issue as a coded error naming the field. */
export function specError(source: string, error: z.ZodError): McpServerSpecError {
  const issue = error.issues[0]!;
  const field = ['mcp', ...issue.path].join('.');
  return new McpServerSpecError(`${source}: "${field}" ${issue.message}.`, { details: { source, field } });
}
