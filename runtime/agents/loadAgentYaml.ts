import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  AnthropicMessagesProvider,
  HybridDecider,
  OpenAiChatProvider,
  RulesDecider,
  type Decider,
  type Learner,
  type LlmProvider,
  type Perceiver,
} from '../../actors/index.ts';
import { AgentDefinitionError } from '../errors.ts';
import { agentYamlSchema, type AgentYaml } from './agentSchema.ts';
import { definitionError, type AgentDefinition } from './defineAgent.ts';
import type { PluginRegistry } from './PluginRegistry.ts';

/** Runs several named perceivers and merges their facts (later names win on a clash). */
function combine(perceivers: Perceiver[]): Perceiver {
  if (perceivers.length === 1) return perceivers[0]!;
  return async (ctx) => {
    const all = await Promise.all(perceivers.map(async (p) => await p(ctx)));
    return Object.assign({}, ...all) as Record<string, unknown>;
  };
}

function chain(learners: Learner[]): Learner | undefined {
  if (learners.length === 0) return undefined;
  return async (ctx) => {
    const flags: string[] = [];
    for (const l of learners) flags.push(...((await l(ctx))?.flags ?? []));
    return { flags };
  };
}

const PROVIDERS = {
  openai: { keyEnv: 'OPENAI_API_KEY', baseEnv: 'OPENAI_BASE_URL', base: 'https://api.openai.com' },
  anthropic: { keyEnv: 'ANTHROPIC_API_KEY', baseEnv: 'ANTHROPIC_BASE_URL', base: 'https://api.anthropic.com' },
} as const;

/** The model named in an agent's `llm:` block, with its key from the environment. */
function provider(
  llm: NonNullable<AgentYaml['llm']>,
  source: string,
  env: Record<string, string | undefined>,
): LlmProvider {
  const p = PROVIDERS[llm.provider];
  const apiKey = env[p.keyEnv];
  if (apiKey === undefined || apiKey === '') {
    throw new AgentDefinitionError(
      `${source}: "llm.provider" ${llm.provider} needs its API key in ${p.keyEnv}; keys are never read from YAML.`,
      { field: 'llm.provider', env: p.keyEnv },
    );
  }
  const baseUrl = env[llm.baseUrlEnv ?? p.baseEnv] ?? p.base;
  return llm.provider === 'openai'
    ? new OpenAiChatProvider({ apiKey, model: llm.model, baseUrl })
    : new AnthropicMessagesProvider({ apiKey, model: llm.model, baseUrl });
}

/**
 * Loads a configuration-only agent from YAML: data, named perceivers and
 * actuator from the plugin registry, and json-rules-engine rules (inline or a
 * file path relative to the YAML file). Errors name the file and field.
 */
export async function loadAgentYaml(path: string, plugins: PluginRegistry): Promise<AgentDefinition> {
  const text = await readFile(path, 'utf8');
  return parseAgentYaml(text, path, plugins, async (rel) => readFile(resolve(dirname(path), rel), 'utf8'));
}

/** Parses agent YAML text; `readRelative` loads a rules file named in it. */
export async function parseAgentYaml(
  text: string,
  source: string,
  plugins: PluginRegistry,
  readRelative: (path: string) => Promise<string>,
  env: Record<string, string | undefined> = process.env,
): Promise<AgentDefinition> {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (cause) {
    throw new AgentDefinitionError(`${source} is not valid YAML: ${(cause as Error).message}`, { source }, { cause });
  }
  const parsed = agentYamlSchema.safeParse(raw);
  if (!parsed.success) throw definitionError(source, parsed.error);
  const y = parsed.data;
  const rules =
    typeof y.rules === 'string'
      ? RulesDecider.fromYaml(await readRelative(y.rules), y.rules)
      : RulesDecider.fromObject(y.rules, `${source} rules`);
  const decide: Decider =
    y.llm === undefined
      ? rules
      : new HybridDecider({
          rules,
          llm: provider(y.llm, source, env),
          mode: y.llm.mode,
          allowedActions: y.llm.allowedActions,
          minConfidence: y.llm.minConfidence,
          instructions: y.llm.instructions,
        });
  const { perceive, rules: _rules, llm: _llm, act, learn, ...data } = y;
  return {
    ...data,
    perceive: combine(perceive.map((n) => plugins.getPerceiver(n, source))),
    decide,
    act: act === undefined ? undefined : plugins.getActuator(act, source),
    learn: chain(learn.map((n) => plugins.getLearner(n, source))),
  };
}
