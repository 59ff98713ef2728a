/**
 * MCP completions (`completion/complete`) and the agent resource template: a client completing a
 * prompt argument (`agent-status`'s `agent`, `request-task`'s `capability`) or the `{id}` of
 * `mandate://agents/{id}` gets the live agent ids or capability names that start with what was
 * typed. Reads state only, like the prompts.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CompleteRequestSchema,
  ErrorCode,
  ListResourceTemplatesRequestSchema,
  McpError,
  type CompleteResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { MandateRuntime } from './RuntimeApi.ts';

/** The URI template of one agent's resource (`resources/templates/list`). */
export const AGENT_RESOURCE_TEMPLATE = 'mandate://agents/{id}';

/** The spec caps a completion at 100 values. */
const MAX_VALUES = 100;

type Candidates = (runtime: MandateRuntime) => string[];

const agentIds: Candidates = (runtime) => runtime.listAgents().map((a) => a.id);
const capabilityNames: Candidates = (runtime) => runtime.capabilities().map((c) => c.name);

/** Per prompt, the arguments that complete and where their values come from; other arguments complete to nothing. */
const PROMPT_ARGUMENTS: Readonly<Record<string, Readonly<Record<string, Candidates>>>> = {
  'agent-status': { agent: agentIds },
  'review-approvals': {},
  'request-task': { capability: capabilityNames },
};

/** The values of `candidates` starting with `typed` (case-insensitive), sorted, at most 100 with the total. */
export function completionOf(candidates: readonly string[], typed: string): CompleteResult {
  const prefix = typed.toLowerCase();
  const matching = [...new Set(candidates)].filter((c) => c.toLowerCase().startsWith(prefix)).sort();
  return {
    completion: {
      values: matching.slice(0, MAX_VALUES),
      total: matching.length,
      hasMore: matching.length > MAX_VALUES,
    },
  };
}

/**
 * Registers `completion/complete` and `resources/templates/list` on `server` (which must declare
 * the `completions` and `resources` capabilities). An unknown prompt or template is `InvalidParams`,
 * as the spec asks.
 */
export function registerMcpCompletions(server: Server, runtime: MandateRuntime): void {
  server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({
    resourceTemplates: [
      {
        uriTemplate: AGENT_RESOURCE_TEMPLATE,
        name: 'agent',
        title: 'One agent',
        mimeType: 'application/json',
        description: "An agent's state, counters, last decision and outcome; {id} completes to the agent ids",
      },
    ],
  }));
  server.setRequestHandler(CompleteRequestSchema, async (request): Promise<CompleteResult> => {
    const { ref, argument } = request.params;
    if (ref.type === 'ref/prompt') {
      const args = PROMPT_ARGUMENTS[ref.name];
      if (args === undefined)
        throw new McpError(ErrorCode.InvalidParams, `No prompt "${ref.name}"; prompts/list shows the prompts on offer`);
      const candidates = args[argument.name];
      return completionOf(candidates === undefined ? [] : candidates(runtime), argument.value);
    }
    if (ref.uri !== AGENT_RESOURCE_TEMPLATE)
      throw new McpError(
        ErrorCode.InvalidParams,
        `No resource template "${ref.uri}"; resources/templates/list shows ${AGENT_RESOURCE_TEMPLATE}`,
      );
    return completionOf(argument.name === 'id' ? agentIds(runtime) : [], argument.value);
  });
}
