import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { createRuntime, parseAgentYaml, PluginRegistry } from '../index.ts';
import { spawnHost } from '../../test/support/agentOf.ts';

const plugins = new PluginRegistry()
  .perceiver('market.gas', () => ({ gas: { gwei: 80 } }))
  .actuator({ name: 'noop', effect: 'internal', execute: async () => ({ status: 'succeeded' }) }, ['gates.write']);

const rules = `rules:
  - name: spike
    conditions: { all: [ { fact: gas, path: $.gwei, operator: greaterThan, value: 60 } ] }
    event: { type: gate.set, capability: gates.write, params: { gate: fees-ok, open: false } }
`;

const agent = (extra = '') => `id: watcher
capabilities: [gates.write]
triggers: [ { every: 2s } ]
permissions: [ { capability: gates.write, accounts: ["*"] } ]
perceive: [market.gas]
rules: rules.yaml
act: noop
${extra}`;

const read = async (path: string) => {
  if (path === 'rules.yaml') return rules;
  throw new Error(`no file ${path}`);
};

describe('agent YAML', () => {
  it('agent YAML - a configuration-only agent loads, runs and decides from its rules', async () => {
    const def = await parseAgentYaml({ text: agent(), source: 'watcher.yaml', plugins, readRelative: read });
    expect(def.triggers).toEqual([{ every: 2_000 }]);
    const runtime = await createRuntime({ clock: new SimulatedClock() });
    const host = await spawnHost(runtime, def);
    await runtime.trigger('watcher', { kind: 'human', id: 'a' });
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(host.context.decision?.rulesFired).toEqual(['spike']);
    expect(host.context.outcome?.status).toBe('succeeded');
  });

  it.each([
    { name: 'unknown field', text: agent('colour: red'), code: 'MANDATE_ERR_AGENT_DEFINITION', field: '' },
    {
      name: 'bad trigger',
      text: agent().replace('every: 2s', 'every: soon'),
      code: 'MANDATE_ERR_AGENT_DEFINITION',
      field: 'triggers.0',
    },
    {
      name: 'unknown perceiver',
      text: agent().replace('market.gas', 'market.weather'),
      code: 'MANDATE_ERR_AGENT_DEFINITION',
      field: 'perceive',
    },
    { name: 'not YAML', text: 'id: [unclosed', code: 'MANDATE_ERR_AGENT_DEFINITION', field: undefined },
  ])('agent YAML - $name is refused with a coded error naming the field', async ({ text, code, field }) => {
    const error = await parseAgentYaml({ text, source: 'watcher.yaml', plugins, readRelative: read }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code });
    if (field) expect((error as { details: { field: string } }).details.field).toContain(field);
  });

  it('agent YAML - a malformed rule file is refused naming the rule field', async () => {
    const bad = rules.replace('operator: greaterThan', 'operator: biggerThan');
    const error = await parseAgentYaml({
      text: agent(),
      source: 'watcher.yaml',
      plugins,
      readRelative: async () => bad,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'MANDATE_ERR_RULE_INVALID',
      details: { field: expect.stringContaining('rules.0.conditions') },
    });
  });

  it('agent YAML - an event of the wrong shape sent to a running agent is refused and changes nothing', async () => {
    const runtime = await createRuntime({ clock: new SimulatedClock() });
    const host = await spawnHost(
      runtime,
      await parseAgentYaml({ text: agent(), source: 'watcher.yaml', plugins, readRelative: read }),
    );
    expect(() =>
      runtime.send('watcher', { type: 'agent.trigger', trigger: { kind: 'psychic', name: 'x', at: 0 } }),
    ).toThrowError(
      expect.objectContaining({
        code: 'MANDATE_ERR_EVENT_INVALID',
        details: expect.objectContaining({ path: 'trigger.kind' }),
      }),
    );
    expect(() =>
      runtime.send('watcher', { type: 'agent.act.done', step: 1, outcome: { status: 'succeeded' } }),
    ).toThrowError(expect.objectContaining({ code: 'MANDATE_ERR_EVENT_INVALID' }));
    expect(host.state).toBe('idle');
    expect(runtime.send('watcher', { type: 'agent.pause' })).toBe(true); // in memory: answered at once
    expect(host.state).toBe('paused');
  });
});

describe('agent YAML with a model', () => {
  const llmBlock = `llm:
  provider: openai
  model: gpt-test
  mode: review
  allowedActions: [gate.set]
  instructions: Close the fee gate only when gas is really spiking.
`;
  it('agent YAML - an llm block builds a hybrid decider; its key must come from the environment', async () => {
    const error = await parseAgentYaml({
      text: agent(llmBlock),
      source: 'watcher.yaml',
      plugins,
      readRelative: read,
      env: {},
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'MANDATE_ERR_AGENT_DEFINITION',
      details: { field: 'llm.provider', env: 'OPENAI_API_KEY' },
    });
    const def = await parseAgentYaml({
      text: agent(llmBlock),
      source: 'watcher.yaml',
      plugins,
      readRelative: read,
      env: {
        OPENAI_API_KEY: 'sk-x',
        OPENAI_BASE_URL: 'http://127.0.0.1:9',
      },
    });
    expect(def.decide.constructor.name).toBe('HybridDecider');
    const badKey = await parseAgentYaml({
      text: agent(`${llmBlock}  apiKey: sk-in-yaml\n`),
      source: 'watcher.yaml',
      plugins,
      readRelative: read,
      env: {
        OPENAI_API_KEY: 'k',
      },
    }).catch((e: unknown) => e);
    expect(badKey).toMatchObject({ code: 'MANDATE_ERR_AGENT_DEFINITION' });
  });

  it('agent YAML - goals make the agent weigh options; an inverted band or goals with a model are refused with a code', async () => {
    const goals = `goals:\n  - { id: gas, kind: operational, metric: gas.gwei, band: { max: 60 }, scale: 40 }\ndecision: { confidenceFloor: 0.4 }`;
    const def = await parseAgentYaml({ text: agent(goals), source: 'watcher.yaml', plugins, readRelative: read });
    expect(def.confidenceFloor).toBe(0.4);
    const d = await def.decide.decide({ gas: { gwei: 80 } });
    // gap (80 − 60) / 40 = 0.5, but the rule names no expected effect: benefit 0, default cost 0.01
    expect(d.options!.map((o) => [o.id, o.score])).toEqual([
      ['hold', 0],
      ['rule:spike', -0.01],
    ]);
    expect(d.chosen).toBe('hold');
    await expect(
      parseAgentYaml({
        text: agent(goals.replace('{ max: 60 }', '{ min: 70, max: 60 }')),
        source: 'w.yaml',
        plugins,
        readRelative: read,
      }),
    ).rejects.toMatchObject({ code: 'MANDATE_ERR_GOAL_INVALID' });
    const llm = 'llm: { provider: openai, model: m, mode: review, allowedActions: [gate.set], instructions: x }';
    await expect(
      parseAgentYaml({
        text: agent(`${goals}\n${llm}`),
        source: 'w.yaml',
        plugins,
        readRelative: read,
        env: { OPENAI_API_KEY: 'k' },
      }),
    ).rejects.toMatchObject({
      code: 'MANDATE_ERR_GOAL_INVALID',
      message: expect.stringContaining('not supported yet'),
    });
  });
});
