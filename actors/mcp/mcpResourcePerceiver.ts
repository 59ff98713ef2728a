import type { Perceiver } from '../Actuator.ts';
import { McpOutputError } from './errors.ts';
import type { McpClients } from './McpClients.ts';
import type { McpSpec } from './mcpServerSchema.ts';

/** One fact read from an MCP resource: parsed JSON for a JSON resource, else its text. */
async function readFact(
  clients: McpClients,
  fact: string,
  { server, uri }: McpSpec['resources'][string],
): Promise<unknown> {
  const result = await clients.connection(server).readResource(uri);
  const first = result.contents.find((c) => c.uri === uri) ?? result.contents[0];
  if (first === undefined || !('text' in first) || typeof first.text !== 'string')
    throw new McpOutputError(
      `MCP resource ${uri} on "${server}" (fact "${fact}") has no text content${first === undefined ? '' : ' (it is binary)'}; a fact needs a text or JSON resource.`,
      { details: { server, uri, fact } },
    );
  if (first.mimeType !== 'application/json' && !(first.mimeType ?? '').endsWith('+json')) return first.text;
  try {
    return JSON.parse(first.text) as unknown;
  } catch (cause) {
    throw new McpOutputError(
      `MCP resource ${uri} on "${server}" (fact "${fact}") says JSON but is not: ${(cause as Error).message}.`,
      {
        details: { server, uri, fact },
        cause,
      },
    );
  }
}

/**
 * The perceiver of an agent's `mcp.resources`: reads each declared resource (`resources/read`) into
 * the fact of its name, in parallel, under each server's timeout. A resource that cannot be read or
 * is not what it says fails the perceive phase with a coded error (the agent retries per its limits).
 *
 * @example
 * const mcp = McpClients.fromSpec({ servers: { everything: { ... } },
 *   resources: { guide: { server: 'everything', uri: 'demo://resource/static/document/architecture.md' } } });
 * defineAgent({ ..., perceive: mcpResourcePerceiver(mcp) }); // facts: { guide: '# Everything Server …' }
 */
export function mcpResourcePerceiver(clients: McpClients): Perceiver {
  const entries = Object.entries(clients.spec.resources);
  return async () => {
    const values = await Promise.all(entries.map(([fact, r]) => readFact(clients, fact, r)));
    return Object.fromEntries(entries.map(([fact], i) => [fact, values[i]]));
  };
}
