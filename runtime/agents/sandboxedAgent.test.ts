import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createRuntime, parseAgentYaml, PluginRegistry } from '../index.ts';
import { spawnHost } from '../../test/support/agentOf.ts';

const plugins = new PluginRegistry()
  .perceiver('market.gas', () => ({ gas: { gwei: 80 } }))
  .actuator({ name: 'noop', effect: 'internal', execute: async () => ({ status: 'succeeded' }) }, ['gates.write']);

const agent = `id: watcher
capabilities: [gates.write]
permissions: [ { capability: gates.write, accounts: ["*"] } ]
perceive: [market.gas]
code: ./strategy.js
sandbox: { memoryMb: 16, cpuMs: 1000, timeoutMs: 3000 }
act: noop
`;

const strategies: Record<string, string> = {
  good: `export function decide(facts) {
    const spike = facts.gas.gwei > 60;
    return {
      action: spike ? { type: 'gate.set', capability: 'gates.write', params: { gate: 'fees-ok', open: false } } : null,
      confidence: 0.9, rationale: 'gas at ' + facts.gas.gwei + ' gwei', rulesFired: ['sandboxed-spike'],
    };
  }`,
  escapes: `export function decide() { return { action: null, confidence: 1, rationale: process.env.HOME, rulesFired: [] }; }`,
};

async function start(strategy: string) {
  const def = await parseAgentYaml({
    text: agent,
    source: 'watcher.yaml',
    plugins,
    readRelative: async (path) => {
      if (path === './strategy.js') return strategies[strategy]!;
      throw new Error(`no file ${path}`);
    },
  });
  const runtime = await createRuntime({ clock: new SimulatedClock() });
  const events: Array<{ type: string; code?: string }> = [];
  runtime.subscribe((e) => void events.push(e));
  const host = await spawnHost(runtime, def);
  await runtime.trigger('watcher', { kind: 'human', id: 'a' });
  const sandboxAlert = () => events.some((e) => e.type === 'alert' && e.code?.startsWith('MANDATE_ERR_SANDBOX_'));
  for (let i = 0; i < 400 && host.context.outcome == null && !sandboxAlert(); i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  return { runtime, host, events };
}

describe('sandboxed YAML agent', () => {
  it('sandboxed agent - a YAML agent with code: and no rules decides in the sandbox and acts', async () => {
    const { host } = await start('good');
    expect(host.context.decision).toMatchObject({ rulesFired: ['sandboxed-spike'], rationale: 'gas at 80 gwei' });
    expect(host.context.outcome?.status).toBe('succeeded');
  });

  it('sandboxed agent - a strategy that reaches for process fails decide, is alerted with its code and slashes reputation', async () => {
    const { runtime, host, events } = await start('escapes');
    expect(host.context.decision ?? null).toBeNull();
    expect(events.some((e) => e.type === 'alert' && e.code === 'MANDATE_ERR_SANDBOX_FORBIDDEN')).toBe(true);
    expect(runtime.listAgents().find((a) => a.id === 'watcher')?.reputation).toBe(57.6); // major compliance violation: penalty 15, compliance 75 − 12 (docs/reputation.md)
    expect(events.some((e) => e.type === 'alert' && e.code === 'MANDATE_REPUTATION_SLASHED')).toBe(true);
  });

  it('sandboxed agent - without code:, perceive and rules are required; with it, a module must export what is missing', async () => {
    const noCode = agent.replace('code: ./strategy.js\n', '');
    await expect(
      parseAgentYaml({ text: noCode, source: 'w.yaml', plugins, readRelative: async () => '' }),
    ).rejects.toMatchObject({
      code: 'MANDATE_ERR_AGENT_DEFINITION',
      details: { field: 'rules' },
    });
    const noPerceive = agent.replace('perceive: [market.gas]\n', '');
    await expect(
      parseAgentYaml({ text: noPerceive, source: 'w.yaml', plugins, readRelative: async () => strategies.good! }),
    ).rejects.toMatchObject({
      code: 'MANDATE_ERR_AGENT_DEFINITION',
      details: { field: 'perceive' },
    });
    await expect(
      parseAgentYaml({ text: agent, source: 'w.yaml', plugins, readRelative: async () => 'export const x = 1' }),
    ).rejects.toMatchObject({
      code: 'MANDATE_ERR_SANDBOX_CODE',
    });
  });
});
