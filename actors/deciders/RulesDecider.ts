import { Engine, type RuleProperties } from 'json-rules-engine';
import { parse as parseYaml } from 'yaml';
import type { Decision, ProposedAction } from '../../machines/index.ts';
import { amountToNumber } from '../amount.ts';
import { RuleDefinitionError } from '../errors.ts';
import { compileCondition, type Predicate } from './compileRules.ts';
import { bindRuleParams, paramFact, type RuleParameter } from './ruleParams.ts';
import { finiteNumber, resolveFact as resolve } from './factPath.ts';
import type { CandidateOption, GeneratedOptions, OptionGenerator } from './OptionGenerator.ts';
import { ruleFileSchema, type RuleDefinition } from './ruleSchema.ts';

/** Which evaluator runs a rule set's conditions. */
export type RulesEvaluator = 'compiled' | 'json-rules-engine';

/** A decision without its id (the runtime assigns ids). */
export type DraftDecision = Omit<Decision, 'id'>;

/** The rule parameters a decider lets the learning loop read and set (a `RulesDecider`). */
export interface TunableDecider {
  parameters(): (RuleParameter & { value: number })[];
  setParameter(key: string, value: number): void;
}

/** Something that turns facts into a decision: rules, an LLM, or both. */
export interface Decider {
  decide(facts: Record<string, unknown>): Promise<DraftDecision>;
  /** The rule set whose `params:` the runtime's tuner adjusts, when the decider has one. */
  readonly tunable?: TunableDecider | undefined;
}

/**
 * Decides with json-rules-engine rules authored in YAML. Each rule's event is
 * a proposed action; fact references (`$fact:invoice.amount`) are resolved
 * when it fires. Safeguard: rules proposing different actions at once is a
 * conflict, and a conflict means no action (with the conflict as rationale).
 *
 * @example
 * const decider = RulesDecider.fromYaml(text, 'rules/payables.yaml');
 * const decision = await decider.decide({ invoice: { amount: '120.00' } });
 */
export class RulesDecider implements Decider, OptionGenerator, TunableDecider {
  readonly name = 'rules';
  /** The rule set is its own tunable part. */
  readonly tunable: TunableDecider = this;
  readonly rules: readonly RuleDefinition[];
  /** `compiled`: plain predicates compiled from the conditions; `json-rules-engine`: the engine itself. */
  readonly evaluator: RulesEvaluator;
  readonly #engine: Engine;
  readonly #byName: Map<string, RuleDefinition>;
  readonly #order: Map<string, number>;
  readonly #compiled: { rule: RuleDefinition; test: Predicate }[] | undefined;
  readonly #params: Map<string, RuleParameter & { value: number }>;

  /**
   * `options.evaluator` (default `compiled`) picks the evaluator; a rule set whose paths need full
   * JSONPath runs on the engine whatever is asked.
   */
  constructor(rules: RuleDefinition[], options: { evaluator?: RulesEvaluator } = {}) {
    this.rules = rules;
    this.#byName = new Map(rules.map((r) => [r.name, r]));
    this.#order = new Map(rules.map((r, i) => [r.name, i]));
    if (this.#byName.size !== rules.length) {
      const twice = rules.map((r) => r.name).filter((n, i, all) => all.indexOf(n) !== i);
      throw new RuleDefinitionError(
        `Rule names must be unique within a rule set; ${[...new Set(twice)].map((n) => `"${n}"`).join(', ')} appear more than once: rename them.`,
        { names: rules.map((r) => r.name) },
      );
    }
    const bound = bindRuleParams(rules);
    this.#params = new Map(bound.params.map((p) => [p.key, { ...p, value: p.declared }]));
    this.#engine = new Engine([], { allowUndefinedFacts: true });
    for (const rule of bound.rules) {
      this.#engine.addRule({
        name: rule.name,
        priority: rule.priority,
        conditions: rule.conditions,
        event: { type: rule.name },
      } as RuleProperties);
    }
    const compiled = bound.rules.map((rule) => ({
      rule: this.#byName.get(rule.name)!,
      test: compileCondition(rule.conditions),
    }));
    this.#compiled =
      options.evaluator !== 'json-rules-engine' && compiled.every((c) => c.test !== undefined)
        ? (compiled as { rule: RuleDefinition; test: Predicate }[])
        : undefined;
    this.evaluator = this.#compiled === undefined ? 'json-rules-engine' : 'compiled';
  }

  /** Parses and validates a YAML rule file; errors name the file and the offending field. */
  static fromYaml(text: string, source = 'rules', options: { evaluator?: RulesEvaluator } = {}): RulesDecider {
    let raw: unknown;
    try {
      raw = parseYaml(text);
    } catch (cause) {
      throw new RuleDefinitionError(`${source} is not valid YAML: ${(cause as Error).message}`, { source }, { cause });
    }
    return RulesDecider.fromObject(raw, source, options);
  }

  /** Validates an already-parsed rule set. */
  static fromObject(raw: unknown, source = 'rules', options: { evaluator?: RulesEvaluator } = {}): RulesDecider {
    const parsed = ruleFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.join('.');
      throw new RuleDefinitionError(`${source}: invalid rule at "${field}": ${issue.message}`, {
        source,
        field,
        issues: parsed.error.issues.length,
      });
    }
    return new RulesDecider(parsed.data.rules, options);
  }

  /** The rule set's parameters (`params:`) with the value each has now. */
  parameters(): (RuleParameter & { value: number })[] {
    return [...this.#params.values()].map((p) => ({ ...p }));
  }

  /**
   * Sets a tunable parameter (`<rule>.<name>`); the next cycle uses it.
   * @throws RuleDefinitionError for an unknown or fixed parameter, or a value outside its bounds.
   */
  setParameter(key: string, value: number): void {
    const p = this.#params.get(key);
    const t = p?.tunable;
    if (p === undefined || t === undefined)
      throw new RuleDefinitionError(
        `"${key}" is not a tunable parameter of this rule set; tunable ones: ${
          [...this.#params.values()]
            .filter((q) => q.tunable)
            .map((q) => q.key)
            .join(', ') || '(none)'
        }.`,
        { field: 'params', param: key },
      );
    if (!(Number.isFinite(value) && value >= t.min && value <= t.max))
      throw new RuleDefinitionError(`"${key}" must stay within ${t.min}..${t.max}; ${value} is outside.`, {
        field: 'params',
        param: key,
        value,
      });
    p.value = value;
  }

  /** The rules that fire on `facts`, highest priority first. */
  async fired(input: Record<string, unknown>): Promise<RuleDefinition[]> {
    let facts = input;
    if (this.#params.size > 0) {
      facts = { ...input };
      for (const p of this.#params.values()) facts[paramFact(p.key)] = p.value;
    }
    let fired: RuleDefinition[];
    if (this.#compiled !== undefined) {
      fired = [];
      for (const c of this.#compiled) if (c.test(facts)) fired.push(c.rule);
    } else fired = (await this.#engine.run(facts)).events.map((e) => this.#byName.get(e.type)!);
    // Priority first, then the order in the file: the engine finishes equal-priority rules in any order.
    return fired.sort((a, b) => b.priority - a.priority || this.#order.get(a.name)! - this.#order.get(b.name)!);
  }

  /** As an option generator: every fired rule is one option; rules firing different action types are a conflict. */
  async generate(facts: Record<string, unknown>): Promise<GeneratedOptions> {
    const fired = await this.fired(facts);
    const rulesFired = fired.map((r) => r.name);
    const types = new Set(fired.map((r) => r.event.type));
    if (types.size > 1)
      return {
        options: [],
        rulesFired,
        conflict: `rules ${rulesFired.join(', ')} propose ${[...types].join(' and ')}`,
      };
    return { options: fired.map((r) => this.#option(r, facts)), rulesFired };
  }

  async decide(facts: Record<string, unknown>): Promise<DraftDecision> {
    const fired = await this.fired(facts);
    const rulesFired = fired.map((r) => r.name);
    if (fired.length === 0) return { action: null, confidence: 1, rationale: 'no rule fired', rulesFired, model: null };
    const types = new Set(fired.map((r) => r.event.type));
    if (types.size > 1) {
      return {
        action: null,
        confidence: 0,
        rationale: `conflicting rules (${rulesFired.join(', ')}) propose ${[...types].join(' and ')}: no action`,
        rulesFired,
        model: null,
        conflict: { kind: 'rules', detail: `rules ${rulesFired.join(', ')} propose ${[...types].join(' and ')}` },
      };
    }
    const top = fired[0]!;
    const rationale = top.event.rationale || `rule ${top.name} fired`;
    if (top.event.type === 'none')
      return { action: null, confidence: top.event.confidence, rationale, rulesFired, model: null };
    return { action: this.#action(top, facts), confidence: top.event.confidence, rationale, rulesFired, model: null };
  }

  #option(rule: RuleDefinition, facts: Record<string, unknown>): CandidateOption {
    const e = rule.event;
    const expect: Record<string, number | boolean> = {};
    for (const [metric, v] of Object.entries(e.expect ?? {})) {
      const value = resolve(v, facts);
      if (typeof value === 'boolean') {
        expect[metric] = value;
        continue;
      }
      const n = finiteNumber(value);
      if (n === undefined)
        throw new RuleDefinitionError(
          `rule ${rule.name}: "expect.${metric}" is ${JSON.stringify(value)}, not a number; name a numeric fact, a number or a boolean.`,
          { rule: rule.name, field: `event.expect.${metric}` },
        );
      expect[metric] = n;
    }
    const cost = e.cost === undefined ? undefined : finiteNumber(resolve(e.cost, facts));
    if (e.cost !== undefined && cost === undefined)
      throw new RuleDefinitionError(
        `rule ${rule.name}: "cost" is ${JSON.stringify(resolve(e.cost, facts))}, not a number; name a numeric fact or a number.`,
        { rule: rule.name, field: 'event.cost' },
      );
    const option: CandidateOption = {
      id: `rule:${rule.name}`,
      source: this.name,
      action: e.type === 'none' ? null : this.#action(rule, facts),
      expect,
      risks: e.risks ?? [],
      rationale: e.rationale || `rule ${rule.name} fired`,
      priority: rule.priority,
    };
    if (cost !== undefined) option.cost = cost;
    return option;
  }

  #action(rule: RuleDefinition, facts: Record<string, unknown>): ProposedAction {
    const e = rule.event;
    const params: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e.params)) params[k] = resolve(v, facts);
    const action: ProposedAction = { type: e.type, capability: e.capability ?? e.type, params };
    if (e.account !== undefined) action.account = e.account;
    if (e.counterparty !== undefined) action.counterparty = String(resolve(e.counterparty, facts));
    if (e.amount !== undefined) {
      const value = resolve(e.amount.value, facts);
      const asset = resolve(e.amount.asset, facts);
      const text = typeof value === 'number' ? value.toFixed(2) : String(value);
      amountToNumber(text); // throws a coded error if a fact produced a malformed amount
      action.amount = { value: text, asset: String(asset) };
    }
    return action;
  }
}
