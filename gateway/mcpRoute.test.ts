import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayFixture, type GatewayFixture } from '../test/e2e/gatewayFixture.ts';
import { toolName } from './createMcpServer.ts';
import type { Role } from './roles.ts';

let fx: GatewayFixture;
beforeAll(async () => {
  fx = await startGatewayFixture();
});
afterAll(async () => {
  await fx?.close();
});

async function connect(role: Role): Promise<Client & AsyncDisposable> {
  const client = new Client({ name: 'mandate-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${fx.url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${fx.tokens[role]}` } },
  });
  await client.connect(transport);
  return Object.assign(client, { [Symbol.asyncDispose]: () => client.close() });
}

describe('gateway - MCP endpoint with the SDK client', () => {
  it('gateway - lists every capability as a tool with its input schema', async () => {
    await using client = await connect('operator');
    const { tools } = await client.listTools();
    const expected = fx.runtime
      .capabilities()
      .map((c) => toolName(c.name))
      .sort();
    expect(tools.map((t) => t.name).sort()).toEqual(expected);
    for (const tool of tools) expect(tool.inputSchema.type).toBe('object');
  });

  it('gateway - calling a tool runs a governed task and returns its result', async () => {
    await using client = await connect('operator');
    const { capability, input } = fx.allowedTask();
    const result = await client.callTool({ name: toolName(capability), arguments: input });
    expect(result.isError).not.toBe(true);
    const structured = result.structuredContent as {
      decisionId: string;
      agentId: string;
      verdict: { status: string } | null;
    };
    expect(structured.decisionId).toEqual(expect.any(String));
    expect(fx.runtime.capabilities().find((c) => c.name === capability)?.agents).toContain(structured.agentId);
    expect(structured.verdict?.status).toBe('approved');
  });

  it('gateway - a call that governance denies comes back as a tool error, not a protocol error', async () => {
    await using client = await connect('operator');
    const { capability, input } = fx.deniedTask();
    const result = await client.callTool({ name: toolName(capability), arguments: input });
    expect(result.isError).toBe(true);
    const text = (result.content as Array<{ type: string; text: string }>).map((c) => c.text).join('\n');
    expect(text).toMatch(/denied|not carried out/);
    expect((result.structuredContent as { verdict: { status: string } }).verdict.status).toBe('denied');
  });

  it('gateway - a call that needs a human approval answers at once with the pending approval, not after the approval timeout', async () => {
    await using client = await connect('operator');
    const { capability, input } = fx.invoiceTask('INV-1003');
    await fx.idle('payables');
    const result = await client.callTool({ name: toolName(capability), arguments: input });
    expect(result.isError).not.toBe(true);
    const pending = result.structuredContent as { status: string; approvalId: string; agentId: string };
    expect(pending).toMatchObject({ status: 'pending', agentId: 'payables' });
    expect(fx.runtime.listApprovals('pending').map((a) => a.id)).toContain(pending.approvalId);
    expect(fx.runtime.getAgent('payables')?.state).toBe('awaitingApproval');
    await fx.rejectApproval(pending.approvalId);
    await fx.idle('payables');
  });

  it('gateway - an observer may list tools but a call is refused as a tool error', async () => {
    await using client = await connect('observer');
    const { capability, input } = fx.allowedTask();
    const result = await client.callTool({ name: toolName(capability), arguments: input });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('MANDATE_ERR_AUTH_FORBIDDEN');
  });

  it('gateway - agents are resources whose contents are their live state', async () => {
    await using client = await connect('observer');
    const { resources } = await client.listResources();
    const agent = fx.runtime.listAgents()[0]!;
    const uri = `mandate://agents/${encodeURIComponent(agent.id)}`;
    expect(resources.map((r) => r.uri)).toContain(uri);
    expect(resources.map((r) => r.uri)).toContain('mandate://tree');
    const read = await client.readResource({ uri });
    const body = JSON.parse((read.contents[0] as { text: string }).text) as {
      id: string;
      state: string;
      machine: unknown;
    };
    expect(body.id).toBe(agent.id);
    expect(body.machine).toBeDefined();
    await expect(client.readResource({ uri: 'mandate://agents/nobody' })).rejects.toThrow(/No resource/);
  });

  it('gateway - an unknown tool is a protocol error naming it', async () => {
    await using client = await connect('operator');
    await expect(client.callTool({ name: 'no-such-tool', arguments: {} })).rejects.toThrow(/no-such-tool/);
  });
});
