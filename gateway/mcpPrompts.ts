/**
 * MCP prompts of the agent system (`prompts/list`, `prompts/get`): templates an LLM client offers
 * its user, filled with live state — one agent's status, the approvals waiting for a human, a
 * capability to ask for as a governed task. Every prompt reads state only (the `read` permission the
 * endpoint already checked); acting on it still goes through `tools/call` and governance.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  McpError,
  type GetPromptResult,
  type Prompt,
} from '@modelcontextprotocol/sdk/types.js';
import type { MandateRuntime } from './RuntimeApi.ts';

/** The prompts on offer, as `prompts/list` shows them. */
const MANDATE_PROMPTS: readonly Prompt[] = [
  {
    name: 'agent-status',
    title: 'Agent status',
    description: "Summarize one agent's state, last decision, verdict and outcome, and say what needs attention",
    arguments: [{ name: 'agent', description: 'The agent id (resources/list shows them)', required: true }],
  },
  {
    name: 'review-approvals',
    title: 'Review pending approvals',
    description:
      'Go through the actions waiting for human approval: amount, payee, reason, expiry; a human decides in the console',
    arguments: [],
  },
  {
    name: 'request-task',
    title: 'Ask for a governed task',
    description: 'Prepare a tools/call of one capability with the input its schema asks for; governance decides',
    arguments: [
      { name: 'capability', description: 'The capability (tools/list shows them)', required: true },
      { name: 'goal', description: 'What the task should achieve, in words', required: false },
    ],
  },
];

function argument(args: Record<string, string> | undefined, name: string, prompt: string): string {
  const value = args?.[name];
  if (value === undefined || value.trim() === '')
    throw new McpError(ErrorCode.InvalidParams, `Prompt "${prompt}" needs the argument "${name}"`);
  return value;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function agentStatus(runtime: MandateRuntime, args: Record<string, string> | undefined): GetPromptResult {
  const id = argument(args, 'agent', 'agent-status');
  const agent = runtime.getAgent(id);
  if (agent === undefined)
    throw new McpError(ErrorCode.InvalidParams, `No agent "${id}"; resources/list shows the agents`);
  const uri = `mandate://agents/${encodeURIComponent(id)}`;
  return {
    description: `Status of agent ${id}`,
    messages: [
      {
        role: 'user',
        content: {
          type: 'text',
          text: `Summarize the state of the Mandate agent "${id}": its current state, its last decision (action, confidence, rationale, rules fired), the verdict of governance and the outcome. Point out anything an operator should act on (a failure, a denial, a long wait for approval, a pause or kill). The agent's live record follows.`,
        },
      },
      {
        role: 'user',
        content: { type: 'resource', resource: { uri, mimeType: 'application/json', text: json(agent) } },
      },
    ],
  };
}

function reviewApprovals(runtime: MandateRuntime): GetPromptResult {
  const pending = runtime.listApprovals('pending').map((a) => ({
    id: a.id,
    agentId: a.agentId,
    decisionId: a.decisionId,
    reason: a.reason,
    action: a.action,
    expiresAt: new Date(a.expiresAt).toISOString(),
  }));
  return {
    description: `${pending.length} pending approval${pending.length === 1 ? '' : 's'}`,
    messages: [
      {
        role: 'user',
        content: {
          type: 'text',
          text:
            pending.length === 0
              ? 'No action of the Mandate agent system is waiting for approval. Say so.'
              : `These ${pending.length} actions of the Mandate agent system wait for human approval. For each one, state the amount, payee, account and why it was held, flag anything unusual (a new payee, an amount near a limit, an expiry soon) and recommend approve or reject with a reason. A human decides in the console; you cannot approve.\n\n${json(pending)}`,
        },
      },
    ],
  };
}

function requestTask(runtime: MandateRuntime, args: Record<string, string> | undefined): GetPromptResult {
  const name = argument(args, 'capability', 'request-task');
  const capability = runtime.capabilities().find((c) => c.name === name);
  if (capability === undefined)
    throw new McpError(ErrorCode.InvalidParams, `No capability "${name}"; tools/list shows the capabilities on offer`);
  const goal = args?.goal?.trim();
  return {
    description: `Ask for ${name}`,
    messages: [
      {
        role: 'user',
        content: {
          type: 'text',
          text: `Prepare a call of the Mandate tool for the capability "${name}" (${capability.description}), offered by ${capability.agents.join(', ')}.${goal ? ` The goal: ${goal}.` : ''} Build the arguments from its input schema below, show them to me before calling, and report the verdict and outcome the tool returns: every call passes sandbox, reputation and governance, and may be denied or held for approval.\n\nInput schema:\n${json(capability.inputSchema ?? { type: 'object' })}`,
        },
      },
    ],
  };
}

/** Registers `prompts/list` and `prompts/get` on `server` (which must declare the `prompts` capability). */
export function registerMcpPrompts(server: Server, runtime: MandateRuntime): void {
  server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: [...MANDATE_PROMPTS] }));
  server.setRequestHandler(GetPromptRequestSchema, async (request): Promise<GetPromptResult> => {
    const { name, arguments: args } = request.params;
    switch (name) {
      case 'agent-status':
        return agentStatus(runtime, args);
      case 'review-approvals':
        return reviewApprovals(runtime);
      case 'request-task':
        return requestTask(runtime, args);
      default:
        throw new McpError(ErrorCode.InvalidParams, `No prompt "${name}"; prompts/list shows the prompts on offer`);
    }
  });
}
