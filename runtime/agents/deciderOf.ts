import {
  AnthropicMessagesProvider,
  BudgetedLlmProvider,
  GoalDecider,
  GoalDefinitionError,
  HybridDecider,
  LocalAgentProvider,
  OpenAiChatProvider,
  RulesDecider,
  ShadowedDecider,
  StrategyPresetError,
  allowedCapabilities,
  decideConfigSchema,
  perTransactionLimit,
  strategyAllocation,
  strategySettings,
  type DecideConfig,
  type Decider,
  type LlmProvider,
} from '../../actors/index.ts';
import { systemClock } from '../../kernel/index.ts';
import { AgentDefinitionError } from '../errors.ts';
import type { AgentYaml } from './agentSchema.ts';
import type { AgentModelLink } from './AgentModelLink.ts';

const PROVIDERS = {
  openai: { keyEnv: 'OPENAI_API_KEY', baseEnv: 'OPENAI_BASE_URL', base: 'https://api.openai.com' },
  anthropic: { keyEnv: 'ANTHROPIC_API_KEY', baseEnv: 'ANTHROPIC_BASE_URL', base: 'https://api.anthropic.com' },
} as const;

/** The model named in an agent's `llm:` block, with its key from the environment (or the agent that answers). */
function provider(
  llm: NonNullable<AgentYaml['llm']>,
  { source, env, modelLink: link }: Pick<DeciderSource, 'source' | 'env' | 'modelLink'>,
): LlmProvider {
  if (llm.provider === 'agent') {
    if (link === undefined || llm.agent === undefined)
      throw new AgentDefinitionError(`${source}: "llm.provider" agent needs "llm.agent" and the runtime's messaging.`, {
        field: 'llm.agent',
      });
    return budgeted(llm, new LocalAgentProvider({ endpoint: link, to: llm.agent, timeoutMs: llm.timeout ?? 10_000 }));
  }
  const p = PROVIDERS[llm.provider];
  const apiKey = env[p.keyEnv];
  if (apiKey === undefined || apiKey === '') {
    throw new AgentDefinitionError(
      `${source}: "llm.provider" ${llm.provider} needs its API key in ${p.keyEnv}; keys are never read from YAML.`,
      { field: 'llm.provider', env: p.keyEnv },
    );
  }
  const baseUrl = env[llm.baseUrlEnv ?? p.baseEnv] ?? p.base;
  // The schema requires a model name for these providers.
  const name = llm.model!;
  return budgeted(
    llm,
    llm.provider === 'openai'
      ? new OpenAiChatProvider({ apiKey, model: name, baseUrl })
      : new AnthropicMessagesProvider({ apiKey, model: name, baseUrl }),
  );
}

function budgeted(llm: NonNullable<AgentYaml['llm']>, model: LlmProvider): LlmProvider {
  return llm.budget === undefined
    ? model
    : new BudgetedLlmProvider(model, { tokens: llm.budget.tokens, periodMs: llm.budget.per, clock: systemClock });
}

/** What a decider is built from: the parsed YAML, the file it came from, a reader for files beside it, the environment. */
interface DeciderSource {
  yaml: AgentYaml;
  source: string;
  readRelative: (path: string) => Promise<string>;
  env: Record<string, string | undefined>;
  /** For `llm.provider: agent`: the link the runtime's messaging binds to the agent's bus endpoint. */
  modelLink?: AgentModelLink | undefined;
}

/**
 * The decider an agent's YAML describes: its rules (compiled, or the engine with
 * `MANDATE_RULES_EVALUATOR=json-rules-engine`), with a model beside them (`llm:`), or weighed
 * against its `goals:`. `readRelative` loads a rules file named in it (shadow mode points it at
 * the new rules).
 */
export async function deciderOf({ yaml: y, source, readRelative, env, modelLink }: DeciderSource): Promise<Decider> {
  // MANDATE_RULES_EVALUATOR=json-rules-engine runs the engine itself instead of the compiled predicates.
  const evaluator = env.MANDATE_RULES_EVALUATOR === 'json-rules-engine' ? 'json-rules-engine' : 'compiled';
  if (y.rules === undefined)
    throw new AgentDefinitionError(
      `${source}: "rules" is required to build a rules decider; give rules or a strategy module's decide.`,
      {
        source,
        field: 'rules',
      },
    );
  const rules =
    typeof y.rules === 'string'
      ? RulesDecider.fromYaml(await readRelative(y.rules), y.rules, { evaluator })
      : RulesDecider.fromObject(y.rules, `${source} rules`, { evaluator });
  const decide: Decider =
    y.llm === undefined
      ? rules
      : new HybridDecider({
          rules,
          llm: provider(y.llm, { source, env, modelLink }),
          mode: y.llm.mode,
          allowedActions: y.llm.allowedActions,
          minConfidence: y.llm.minConfidence,
          instructions: y.llm.instructions,
        });
  const config = decisionSettings(y, source) ?? decideConfigSchema.parse({});
  // `strategy.allocate`: the preset's targets propose rebalance steps beside the rules, and stand in for goals.
  const allocation = y.strategy === undefined ? undefined : strategyAllocation(y.strategy, source);
  const goals = y.goals ?? allocation?.goals;
  if (goals !== undefined && y.llm !== undefined)
    throw new GoalDefinitionError(
      `${source}: "goals" and "llm" together are not supported yet; a goal-driven agent decides with its rules as the option generator.`,
      { source, field: 'llm' },
    );
  const live =
    goals === undefined
      ? decide
      : new GoalDecider({
          goals,
          generators: allocation === undefined ? [rules] : [rules, allocation.generator],
          config,
          constraints: [
            allowedCapabilities(y.capabilities),
            ...(y.limits.perTransaction === undefined ? [] : [perTransactionLimit(y.limits.perTransaction)]),
          ],
        });
  if (y.shadow === undefined) return live;
  // The candidate: the same agent with the shadow rules in place of its own, never a model.
  const { llm: _model, shadow, ...rest } = y;
  const candidate = await deciderOf({ yaml: { ...rest, rules: shadow.rules }, source, readRelative, env });
  return new ShadowedDecider(live, candidate, shadow.rules);
}

/**
 * The decision settings of an agent's YAML: its `strategy:` preset (with overrides) or its `decision:`
 * block; undefined when it has neither. A preset beside `decision:`, or without `goals:` to weigh, is
 * `MANDATE_ERR_STRATEGY_INVALID` naming the field.
 */
export function decisionSettings(y: AgentYaml, source: string): DecideConfig | undefined {
  if (y.strategy === undefined) return y.decision;
  if (y.decision !== undefined)
    throw new StrategyPresetError(
      `${source}: "decision" beside "strategy" is ambiguous; set the preset's keys under "strategy" instead.`,
      { source, field: 'decision' },
    );
  if (y.goals === undefined && strategyAllocation(y.strategy, source) === undefined)
    throw new StrategyPresetError(
      `${source}: "strategy" weighs options against goals; declare "goals", opt in to "strategy.allocate" or remove the preset.`,
      { source, field: 'goals' },
    );
  return strategySettings(y.strategy, source);
}
