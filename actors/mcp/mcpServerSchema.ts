import { z } from 'zod';
import { durationSchema } from '../policies/governanceSchema.ts';

const serverName = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]{0,62}$/,
    'MCP server names are lower-case letters, digits and dashes, starting with a letter',
  );

/** Common to both transports: how long one request may take, and how long starting and initialize may take. */
const common = { timeout: durationSchema.default(30_000), connectTimeout: durationSchema.default(30_000) };

/** An MCP server started as a child process, spoken to over stdio. */
export const mcpStdioServerSchema = z
  .object({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).default({}),
    cwd: z.string().min(1).optional(),
    ...common,
  })
  .strict();

/** An MCP server reached over Streamable HTTP. */
export const mcpHttpServerSchema = z
  .object({
    url: z.url({ protocol: /^https?$/, error: 'an http(s) URL of the MCP endpoint, e.g. http://127.0.0.1:3001/mcp' }),
    headers: z.record(z.string(), z.string()).default({}),
    ...common,
  })
  .strict();

/** One `mcp.servers` entry: `{ command, args, env }` (stdio) or `{ url, headers }` (Streamable HTTP). */
export const mcpServerSchema = z.union([mcpStdioServerSchema, mcpHttpServerSchema]);

/** A resource read into a fact by the MCP perceiver. */
export const mcpResourceSchema = z.object({ server: serverName, uri: z.string().min(1) }).strict();

/**
 * An agent's `mcp:` block: the servers it may call (tools become actions `mcp.tool.call` with capability
 * `mcp.<server>.<tool>`) and the resources its perceiver reads into facts (fact name → server and URI).
 */
export const mcpSpecSchema = z
  .object({
    servers: z
      .record(serverName, mcpServerSchema)
      .refine((s) => Object.keys(s).length > 0, 'declare at least one server'),
    resources: z.record(z.string().min(1), mcpResourceSchema).default({}),
  })
  .strict()
  .superRefine((spec, ctx) => {
    for (const [fact, r] of Object.entries(spec.resources))
      if (spec.servers[r.server] === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['resources', fact, 'server'],
          message: `names server "${r.server}", which is not among mcp.servers (${Object.keys(spec.servers).join(', ')})`,
        });
  });

/** A validated `mcp.servers` entry. */
export type McpServerSpec = z.output<typeof mcpServerSchema>;
/** A validated `mcp:` block. */
export type McpSpec = z.output<typeof mcpSpecSchema>;
/** The authored `mcp:` block (durations as text, defaults omitted). */
export type McpSpecInput = z.input<typeof mcpSpecSchema>;
