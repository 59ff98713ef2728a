/**
 * MCP prompts on the gateway's endpoint: prompts/list and prompts/get with live state (an agent's
 * record, the approvals waiting, a capability's schema), and coded protocol errors for an unknown
 * prompt, a missing argument or an unknown agent — through the official SDK client over HTTP.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RulesDecider } from '../actors/index.ts';
import { createRuntime, defineAgent, type MandateRuntime } from '../runtime/index.ts';
import { createGateway } from './createGateway.ts';
import { TokenStore } from './TokenStore.ts';

let runtime: MandateRuntime;
let app: FastifyInstance;
let client: Client;

beforeAll(async () => {
  runtime = await createRuntime({
    governance: {
      approvalTimeout: 600_000,
      groupBudgets: {},
      rules: [
        {
          name: 'refunds-need-a-human',
          priority: 1,
          conditions: { all: [{ fact: 'capability', operator: 'equal', value: 'refunds.issue' }] },
          effect: 'require-approval',
          reason: 'every refund needs a treasurer',
        },
      ],
    },
  });
  await runtime.spawn(
    defineAgent({
      id: 'refunder',
      capabilities: ['refunds.issue'],
      permissions: [{ capability: 'refunds.issue', accounts: ['refunds'] }],
      perceive: () => ({}),
      decide: RulesDecider.fromObject({
        rules: [
          {
            name: 'refund',
            conditions: { all: [{ fact: 'input', operator: 'notEqual', value: null }] },
            event: { type: 'refund.issue', capability: 'refunds.issue', account: 'refunds', rationale: 'asked to' },
          },
        ],
      }),
      act: { name: 'refund', effect: 'internal', execute: async () => ({ status: 'succeeded', receipt: {} }) },
    }),
  );
  const tokens = new TokenStore();
  const { token } = tokens.issue('op', 'operator');
  app = await createGateway({ runtime, tokens });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as { port: number }).port;
  client = new Client({ name: 't', version: '1' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
});
afterAll(async () => {
  await client?.close();
  await app?.close();
  await runtime?.shutdown();
});

describe('gateway - MCP prompts', () => {
  it('mcp prompts - the server declares prompts and lists them with their arguments', async () => {
    expect(client.getServerCapabilities()?.prompts).toEqual({});
    const { prompts } = await client.listPrompts();
    expect(prompts.map((p) => p.name)).toEqual(['agent-status', 'review-approvals', 'request-task']);
    expect(prompts[0]?.arguments).toEqual([expect.objectContaining({ name: 'agent', required: true })]);
  });

  it('mcp prompts - agent-status embeds the agent live record as a resource', async () => {
    const got = await client.getPrompt({ name: 'agent-status', arguments: { agent: 'refunder' } });
    expect(got.messages).toHaveLength(2);
    const embedded = got.messages[1]!.content as { type: string; resource: { uri: string; text: string } };
    expect(embedded.type).toBe('resource');
    expect(embedded.resource.uri).toBe('mandate://agents/refunder');
    expect(JSON.parse(embedded.resource.text)).toMatchObject({ id: 'refunder', capabilities: ['refunds.issue'] });
  });

  it('mcp prompts - review-approvals lists what waits for a human, after a tool call was held', async () => {
    const empty = await client.getPrompt({ name: 'review-approvals' });
    expect((empty.messages[0]!.content as { text: string }).text).toMatch(/No action/);
    const held = await client.callTool({ name: 'refunds.issue', arguments: { order: 'o-1' } });
    const approvalId = (held.structuredContent as { approvalId: string }).approvalId;
    expect(approvalId).toEqual(expect.any(String));
    const got = await client.getPrompt({ name: 'review-approvals' });
    expect(got.description).toBe('1 pending approval');
    const text = (got.messages[0]!.content as { text: string }).text;
    expect(text).toContain(approvalId);
    expect(text).toContain('every refund needs a treasurer');
  });

  it('mcp prompts - request-task carries the capability and the goal', async () => {
    const got = await client.getPrompt({
      name: 'request-task',
      arguments: { capability: 'refunds.issue', goal: 'refund order o-2' },
    });
    const text = (got.messages[0]!.content as { text: string }).text;
    expect(text).toContain('"refunds.issue"');
    expect(text).toContain('refund order o-2');
    expect(text).toContain('refunder');
  });

  it('mcp prompts - unknown prompt, missing argument and unknown agent are InvalidParams errors naming the value', async () => {
    await expect(client.getPrompt({ name: 'teleport' })).rejects.toThrow(/No prompt "teleport"/);
    await expect(client.getPrompt({ name: 'agent-status', arguments: {} })).rejects.toThrow(
      /needs the argument "agent"/,
    );
    await expect(client.getPrompt({ name: 'agent-status', arguments: { agent: 'ghost' } })).rejects.toThrow(
      /No agent "ghost"/,
    );
    await expect(client.getPrompt({ name: 'request-task', arguments: { capability: 'nope' } })).rejects.toMatchObject({
      code: -32602,
    });
  });

  it('mcp completions - prompt arguments and the agent template complete to live ids; unknown references are InvalidParams', async () => {
    expect(client.getServerCapabilities()?.completions).toEqual({});
    const agent = await client.complete({
      ref: { type: 'ref/prompt', name: 'agent-status' },
      argument: { name: 'agent', value: 'REF' },
    });
    expect(agent.completion).toEqual({ values: ['refunder'], total: 1, hasMore: false });
    const capability = await client.complete({
      ref: { type: 'ref/prompt', name: 'request-task' },
      argument: { name: 'capability', value: 'x' },
    });
    expect(capability.completion.values).toEqual([]);
    const goal = await client.complete({
      ref: { type: 'ref/prompt', name: 'request-task' },
      argument: { name: 'goal', value: '' },
    });
    expect(goal.completion).toEqual({ values: [], total: 0, hasMore: false });
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['mandate://agents/{id}']);
    const id = await client.complete({
      ref: { type: 'ref/resource', uri: 'mandate://agents/{id}' },
      argument: { name: 'id', value: '' },
    });
    expect(id.completion.values).toEqual(['refunder']);
    await expect(
      client.complete({ ref: { type: 'ref/prompt', name: 'teleport' }, argument: { name: 'a', value: '' } }),
    ).rejects.toMatchObject({ code: -32602 });
    await expect(
      client.complete({ ref: { type: 'ref/resource', uri: 'test://x/{y}' }, argument: { name: 'y', value: '' } }),
    ).rejects.toThrow(/No resource template "test:\/\/x\/\{y\}"/);
  });
});
