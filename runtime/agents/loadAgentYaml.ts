import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { McpClients, SandboxStrategy, type Decider, type Learner, type Perceiver } from '../../actors/index.ts';
import { AgentDefinitionError } from '../errors.ts';
import { agentYamlSchema, type AgentYaml } from './agentSchema.ts';
import { deciderOf, decisionSettings } from './deciderOf.ts';
import { AgentModelLink } from './AgentModelLink.ts';
import { definitionError, type AgentDefinition } from './defineAgent.ts';
import type { PluginRegistry } from './PluginRegistry.ts';
import { withMcp } from './withMcp.ts';
import type { AgentSource } from '../versions/AgentVersion.ts';
import { checkPassivation } from './checkPassivation.ts';
import { shareDefinitionParts } from './shareDefinitionParts.ts';

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

/**
 * Loads a configuration-only agent from YAML: data, named perceivers and
 * actuator from the plugin registry, and json-rules-engine rules (inline or a
 * file path relative to the YAML file). With `code:`, the strategy module's
 * perceive/decide/learn run in the sandbox (after the named perceivers, in
 * place of missing rules, after the named learners). Errors name the file and field.
 */
export async function loadAgentYaml(path: string, plugins: PluginRegistry): Promise<AgentDefinition> {
  const text = await readFile(path, 'utf8');
  return parseAgentYaml({
    text,
    source: path,
    plugins,
    readRelative: async (rel) => readFile(resolve(dirname(path), rel), 'utf8'),
  });
}

/** Parses and validates agent YAML text into its data, without resolving plugins or rules. */
export function parseAgentYamlData(text: string, source: string): AgentYaml {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (cause) {
    throw new AgentDefinitionError(`${source} is not valid YAML: ${(cause as Error).message}`, { source }, { cause });
  }
  const parsed = agentYamlSchema.safeParse(raw);
  if (!parsed.success) throw definitionError(source, parsed.error);
  checkPassivation(parsed.data, source);
  return parsed.data;
}

/**
 * The agent data without the YAML-only keys (decide, strategy module); the confidence floor of
 * `decision:` (or of the `strategy:` preset) becomes the data's floor.
 */
function omitYamlOnly(y: AgentYaml, source: string) {
  const { rules: _rules, llm: _llm, goals: _goals, decision: _d, code: _code, sandbox: _sandbox, ...rest } = y;
  const { strategy: _strategy, shadow: _shadow, ...data } = rest;
  return { ...data, confidenceFloor: decisionSettings(y, source)?.confidenceFloor ?? data.confidenceFloor };
}

/** Agent YAML to parse: the text, the file it came from, the plugins it names, a reader for files beside it. */
export interface AgentYamlText {
  text: string;
  source: string;
  plugins: PluginRegistry;
  /** Loads a rules file or strategy module named in the YAML, relative to it. */
  readRelative: (path: string) => Promise<string>;
  /** Environment read for the rules evaluator and model settings; `process.env` unless given. */
  env?: Record<string, string | undefined>;
}

/** Parses agent YAML text; `readRelative` loads a rules file or strategy module named in it. */
export async function parseAgentYaml({
  text,
  source,
  plugins,
  readRelative,
  env = process.env,
}: AgentYamlText): Promise<AgentDefinition> {
  // Every file the YAML names is kept with the definition: a version is the YAML and those files.
  const files: Record<string, string> = { [source]: text };
  const read = async (rel: string): Promise<string> => (files[rel] = await readRelative(rel));
  const reload = (from: AgentSource): Promise<AgentDefinition> =>
    parseAgentYaml({
      text: from.files[from.entry] ?? '',
      source: from.entry,
      plugins,
      readRelative: async (rel) => fileOf(from, rel),
      env,
    });
  const def = await buildFromYaml(parseAgentYamlData(text, source), { source, plugins, readRelative: read, env });
  return { ...def, source: { entry: source, files }, reload };
}

/** A file of a stored version; one the version does not hold is a definition error naming it. */
function fileOf(from: AgentSource, rel: string): string {
  const text = from.files[rel];
  if (text === undefined)
    throw new AgentDefinitionError(`The stored version of ${from.entry} holds no file "${rel}".`, {
      source: from.entry,
      field: rel,
    });
  return text;
}

async function buildFromYaml(
  y: AgentYaml,
  {
    source,
    plugins,
    readRelative,
    env,
  }: Omit<AgentYamlText, 'text' | 'env'> & { env: Record<string, string | undefined> },
): Promise<AgentDefinition> {
  const strategy =
    y.code === undefined
      ? undefined
      : await SandboxStrategy.load(
          await readRelative(y.code),
          y.code,
          y.sandbox === undefined ? {} : { limits: y.sandbox },
        );
  for (const [field, standIn] of [
    ['perceive', strategy?.perceiver],
    ['rules', strategy?.decider],
  ] as const) {
    if (y[field] === undefined && standIn === undefined) {
      const why =
        strategy === undefined
          ? 'name a strategy module under "code"'
          : `export ${field === 'rules' ? 'decide' : 'perceive'} from ${y.code}`;
      throw new AgentDefinitionError(`Invalid agent definition ${source}: "${field}" is required; give it or ${why}.`, {
        source,
        field,
      });
    }
  }
  for (const field of ['llm', 'goals', 'strategy', 'shadow'] as const) {
    if (y.rules === undefined && y[field] !== undefined)
      throw new AgentDefinitionError(
        `Invalid agent definition ${source}: "${field}" needs "rules" beside it; a strategy module's decide takes no model, goals, preset or shadow rules.`,
        { source, field },
      );
  }
  const modelLink = y.llm?.provider === 'agent' ? new AgentModelLink() : undefined;
  const decide: Decider =
    y.rules === undefined ? strategy!.decider! : await deciderOf({ yaml: y, source, readRelative, env, modelLink });
  const perceivers = (y.perceive ?? []).map((n) => plugins.getPerceiver(n, source));
  if (strategy?.perceiver !== undefined) perceivers.push(strategy.perceiver);
  const learners = y.learn.map((n) => plugins.getLearner(n, source));
  if (strategy?.learner !== undefined) learners.push(strategy.learner);
  const { perceive: _p, act, learn: _l, ...data } = omitYamlOnly(y, source);
  // `act: mcp` names the MCP actuator of the agent's own `mcp:` servers, not a registered plugin.
  const mcpAct = act === 'mcp' && y.mcp !== undefined;
  const def: AgentDefinition = {
    ...shareDefinitionParts(data),
    decide,
    perceive: combine(perceivers),
    act: act === undefined || mcpAct ? undefined : plugins.getActuator(act, source),
    learn: chain(learners),
  };
  if (strategy !== undefined) def.sandbox = strategy.sandbox;
  if (modelLink !== undefined) def.modelLink = modelLink;
  return y.mcp === undefined ? def : withMcp(def, new McpClients(y.mcp), mcpAct);
}
