import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../kernel/index.ts';
import { AgentIdentity } from '../../transport/index.ts';
import { parseAgentYaml } from './loadAgentYaml.ts';
import { PluginRegistry } from './PluginRegistry.ts';

const plugins = new PluginRegistry()
  .perceiver('none', () => ({}))
  .actuator({ name: 'quote', effect: 'internal', execute: async () => ({ status: 'succeeded', receipt: {} }) }, [
    'fx.quote',
  ]);
const rules = `rules:
  - name: quote-it
    conditions: { all: [ { fact: input, path: $.n, operator: greaterThan, value: 0 } ] }
    event: { type: fx.quote, capability: fx.quote }
`;
const yaml = (adopters: string) => `id: quoter
capabilities: [fx.quote]
perceive: [none]
rules: rules.yaml
act: quote
contractor:
  eta: 200ms
${adopters}
`;
const parse = (adopters: string) =>
  parseAgentYaml({ text: yaml(adopters), source: 'quoter.yaml', plugins, readRelative: async () => rules });

describe('agent YAML: contractor.adopters', () => {
  it('agent yaml - contractor.adopters lists the managers (dids) that may take over an award; absent means any holder of contractnet.adopt, [] nobody', async () => {
    const a = AgentIdentity.generate().did;
    const b = AgentIdentity.generate().did;
    expect((await parse(`  adopters: ["${a}", "${b}"]`)).contractor?.adopters).toEqual([a, b]);
    expect((await parse('  adopters: []')).contractor?.adopters).toEqual([]);
    expect((await parse('')).contractor).not.toHaveProperty('adopters');
  });

  it('agent yaml - a bad adopters value is MANDATE_ERR_AGENT_DEFINITION naming the field and the entry', async () => {
    const a = AgentIdentity.generate().did;
    // A did:key of the right shape whose key is not Ed25519 (wrong multicodec prefix): decoded, not only matched.
    const notEd25519 = `did:key:z${'1'.repeat(46)}`;
    const cases: Array<[string, RegExp]> = [
      ['  adopters: "did:key:z6Mk"', /"contractor\.adopters" /],
      ['  adopters: ["manager-1"]', /"contractor\.adopters\.0" must be a manager's did:key/],
      [`  adopters: ["${a}", "${notEd25519}"]`, /"contractor\.adopters\.1" must be a manager's did:key/],
      [`  adopters: ["${a}", 7]`, /"contractor\.adopters\.1" /],
      [`  adopters: ["${a}", "${a}"]`, /"contractor\.adopters" must not name a manager twice/],
    ];
    for (const [line, message] of cases)
      await expect(parse(line), line).rejects.toMatchObject({
        code: ErrorCode.MANDATE_ERR_AGENT_DEFINITION,
        message: expect.stringMatching(message),
        details: expect.objectContaining({
          source: 'quoter.yaml',
          field: expect.stringMatching(/^contractor\.adopters/),
        }),
      });
  });
});
