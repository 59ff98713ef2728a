/**
 * MCP tool calls as governed actions: an agent declaring `mcp:` proposes `mcp.tool.call` actions that go
 * through sandbox → reputation → governance before the real server (server-everything) is called, and
 * every call lands in the audit trail.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { McpConnection, type Decider } from '../../actors/index.ts';
import { ErrorCode } from '../../kernel/index.ts';
import { agentOf } from '../../test/support/agentOf.ts';
import { openTestStore, type TestStore } from '../../test/support/db.ts';
import { everythingStdio } from '../../test/support/everythingServer.ts';
import { createRuntime, defineAgent, PluginRegistry, type MandateRuntime } from '../index.ts';
import { parseAgentYaml } from './loadAgentYaml.ts';

const human = { kind: 'human' as const, id: 'alice' };

/** Proposes the tool call named in the trigger's input. */
const callFromInput: Decider = {
  async decide(facts) {
    const input = facts.input as { tool: string; arguments: Record<string, unknown> };
    return {
      action: {
        type: 'mcp.tool.call',
        capability: `mcp.everything.${input.tool}`,
        account: 'everything',
        params: { server: 'everything', tool: input.tool, arguments: input.arguments },
      },
      confidence: 1,
      rationale: `call ${input.tool}`,
      rulesFired: ['from-input'],
      model: null,
    };
  },
};

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('mcp tools under governance', () => {
  let t: TestStore;
  let runtime: MandateRuntime;
  const calls = vi.spyOn(McpConnection.prototype, 'callTool');

  beforeAll(async () => {
    t = await openTestStore('postgresql');
    runtime = await createRuntime({
      mode: 'live',
      store: t.store,
      governance: {
        approvalTimeout: 60_000,
        groupBudgets: {},
        rules: [
          {
            name: 'no-env-dumps',
            priority: 1,
            conditions: { all: [{ fact: 'capability', operator: 'equal', value: 'mcp.everything.get-env' }] },
            effect: 'deny',
            reason: 'agents may not read the server environment',
          },
        ],
      },
    });
    await runtime.start();
    await runtime.spawn(
      defineAgent({
        id: 'caller',
        capabilities: ['mcp.everything.get-sum', 'mcp.everything.get-env'],
        permissions: [
          { capability: 'mcp.everything.get-sum', accounts: ['everything'] },
          { capability: 'mcp.everything.get-env', accounts: ['everything'] },
        ],
        triggers: [{ user: true }],
        mcp: {
          servers: { everything: everythingStdio() },
          resources: { guide: { server: 'everything', uri: 'demo://resource/static/document/architecture.md' } },
        },
        perceive: () => ({}),
        decide: callFromInput,
      }),
    );
  });
  afterAll(async () => {
    calls.mockRestore();
    await runtime?.shutdown();
    await t?.[Symbol.asyncDispose]();
  });

  async function run(tool: string, args: Record<string, unknown>) {
    const host = agentOf(runtime, 'caller');
    const before = host.context.decision?.id;
    expect(await runtime.trigger('caller', human, { tool, arguments: args })).toBe(true);
    await until(() => host.state === 'idle' && host.context.decision?.id !== before);
    return host.context;
  }

  it('mcp - an approved tool call reaches the server once and is audited with its result', async () => {
    calls.mockClear();
    const ctx = await run('get-sum', { a: 20, b: 22 });
    expect(ctx.verdict?.status).toBe('approved');
    expect(ctx.outcome).toMatchObject({
      status: 'succeeded',
      receipt: { content: { text: 'The sum of 20 and 22 is 42.' } },
    });
    expect(String(ctx.facts?.guide)).toContain('# Everything Server');
    expect(calls).toHaveBeenCalledTimes(1);
    const page = await runtime.store!.audit!.query({ action: 'agent.mcp.tool.call.*', limit: 10 });
    expect(page.entries[0]).toMatchObject({
      action: 'agent.mcp.tool.call.succeeded',
      data: { agentId: 'caller', receipt: { tool: 'get-sum', server: 'everything' } },
    });
  });

  it('mcp - a tool governance denies is never called', async () => {
    calls.mockClear();
    const ctx = await run('get-env', {});
    expect(ctx.verdict).toMatchObject({ status: 'denied', by: 'governance' });
    expect(ctx.outcome?.status).toBe('denied');
    expect(calls).not.toHaveBeenCalled();
    const page = await runtime.store!.audit!.query({ action: 'agent.mcp.tool.call.denied', limit: 10 });
    expect(page.entries).toHaveLength(1);
  });

  it('mcp - a tool outside the agent capabilities is denied by the sandbox, never called', async () => {
    calls.mockClear();
    const ctx = await run('echo', { message: 'hi' });
    expect(ctx.verdict).toMatchObject({ status: 'denied', by: 'sandbox' });
    expect(calls).not.toHaveBeenCalled();
  });
});

describe('mcp in YAML', () => {
  it('mcp - `mcp:` and `act: mcp` wire the servers; a bad entry names the field', async () => {
    const yaml = (server: string) => `
id: yaml-caller
capabilities: [mcp.everything.echo]
mcp:
  servers:
    everything: ${server}
perceive: [nothing]
act: mcp
rules:
  rules:
    - name: echo
      conditions: { all: [{ fact: go, operator: equal, value: true }] }
      event:
        type: mcp.tool.call
        capability: mcp.everything.echo
        params: { server: everything, tool: echo, arguments: { message: from yaml } }
`;
    const plugins = new PluginRegistry().perceiver('nothing', () => ({ go: true }));
    const { command, args } = everythingStdio();
    const def = await parseAgentYaml({
      text: yaml(JSON.stringify({ command, args })),
      source: 'a.yaml',
      plugins,
      readRelative: async () => '',
    });
    try {
      expect(def.act?.name).toBe('mcp');
      const action = (await def.decide.decide({ go: true })).action!;
      const ctx = { agentId: 'yaml-caller', decisionId: 'd', idempotencyKey: 'k', mode: 'live' as const, now: 0 };
      expect(await def.act!.execute(action, ctx)).toMatchObject({ receipt: { content: { text: 'Echo: from yaml' } } });
    } finally {
      await def.mcpClients?.close();
    }
    await expect(
      parseAgentYaml({ text: yaml('{ url: "ftp://x" }'), source: 'a.yaml', plugins, readRelative: async () => '' }),
    ).rejects.toMatchObject({
      code: ErrorCode.MANDATE_ERR_AGENT_DEFINITION,
      message: expect.stringContaining('mcp.servers.everything'),
    });
  });
});
