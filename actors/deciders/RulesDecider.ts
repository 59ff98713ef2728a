import { Engine, type RuleProperties } from 'json-rules-engine';
import { parse as parseYaml } from 'yaml';
import type { Decision, ProposedAction } from '../../machines/index.ts';
import { amountToNumber } from '../amount.ts';
import { RuleDefinitionError } from '../errors.ts';
import { ruleFileSchema, type RuleDefinition } from './ruleSchema.ts';

/** A decision without its id (the runtime assigns ids). */
export type DraftDecision = Omit<Decision, 'id'>;

/** Something that turns facts into a decision: rules, an LLM, or both. */
export interface Decider {
  decide(facts: Record<string, unknown>): Promise<DraftDecision>;
}

function lookup(facts: Record<string, unknown>, path: string): unknown {
  let value: unknown = facts;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function resolve(value: unknown, facts: Record<string, unknown>): unknown {
  return typeof value === 'string' && value.startsWith('$fact:') ? lookup(facts, value.slice(6)) : value;
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
export class RulesDecider implements Decider {
  readonly rules: readonly RuleDefinition[];
  readonly #engine: Engine;
  readonly #byName: Map<string, RuleDefinition>;

  constructor(rules: RuleDefinition[]) {
    this.rules = rules;
    this.#byName = new Map(rules.map((r) => [r.name, r]));
    if (this.#byName.size !== rules.length) {
      const twice = rules.map((r) => r.name).filter((n, i, all) => all.indexOf(n) !== i);
      throw new RuleDefinitionError(
        `Rule names must be unique within a rule set; ${[...new Set(twice)].map((n) => `"${n}"`).join(', ')} appear more than once: rename them.`,
        { names: rules.map((r) => r.name) },
      );
    }
    this.#engine = new Engine([], { allowUndefinedFacts: true });
    for (const rule of rules) {
      this.#engine.addRule({
        name: rule.name,
        priority: rule.priority,
        conditions: rule.conditions,
        event: { type: rule.name },
      } as RuleProperties);
    }
  }

  /** Parses and validates a YAML rule file; errors name the file and the offending field. */
  static fromYaml(text: string, source = 'rules'): RulesDecider {
    let raw: unknown;
    try {
      raw = parseYaml(text);
    } catch (cause) {
      throw new RuleDefinitionError(`${source} is not valid YAML: ${(cause as Error).message}`, { source }, { cause });
    }
    return RulesDecider.fromObject(raw, source);
  }

  /** Validates an already-parsed rule set. */
  static fromObject(raw: unknown, source = 'rules'): RulesDecider {
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
    return new RulesDecider(parsed.data.rules);
  }

  async decide(facts: Record<string, unknown>): Promise<DraftDecision> {
    const { events } = await this.#engine.run(facts);
    const fired = events.map((e) => this.#byName.get(e.type)!).sort((a, b) => b.priority - a.priority);
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
      };
    }
    const top = fired[0]!;
    const rationale = top.event.rationale || `rule ${top.name} fired`;
    if (top.event.type === 'none')
      return { action: null, confidence: top.event.confidence, rationale, rulesFired, model: null };
    return { action: this.#action(top, facts), confidence: top.event.confidence, rationale, rulesFired, model: null };
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
