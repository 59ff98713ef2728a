/**
 * Rule parameters (`params:` in a rule, `value: "$param:<name>"` in its conditions): the
 * conditions read them as facts named `param:<rule>.<name>`, so a tuned value takes effect on the
 * next cycle without recompiling the rules.
 */
import { RuleDefinitionError } from '../errors.ts';
import type { RuleDefinition } from './ruleSchema.ts';

/** One parameter of a rule set with its bounds (absent for a fixed one). */
export interface RuleParameter {
  /** `<rule>.<name>`, e.g. `fees-spiking.threshold`. */
  key: string;
  /** The value the YAML declares (revert goes back to it). */
  declared: number;
  tunable?: { min: number; max: number; step: number };
}

const REF = /^\$param:([A-Za-z][\w-]*)$/;

/** The fact a parameter is read from. */
export const paramFact = (key: string): string => `param:${key}`;

function bind(node: unknown, rule: RuleDefinition): unknown {
  if (Array.isArray(node)) return node.map((n) => bind(n, rule));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    const m = k === 'value' && typeof v === 'string' ? REF.exec(v) : null;
    if (m === null) out[k] = k === 'value' ? v : bind(v, rule);
    else if (rule.params?.[m[1]!] === undefined)
      throw new RuleDefinitionError(
        `rule ${rule.name}: "${v}" names no parameter; declare it under params: (e.g. params: { ${m[1]}: 40 }).`,
        { rule: rule.name, field: 'conditions', param: m[1] },
      );
    else out[k] = { fact: paramFact(`${rule.name}.${m[1]}`) };
  }
  return out;
}

/**
 * Rewrites each `value: "$param:<name>"` of the rules' conditions into a reference to the
 * parameter's fact and lists the parameters.
 * @throws RuleDefinitionError when a condition names a parameter its rule does not declare.
 */
export function bindRuleParams(rules: readonly RuleDefinition[]): {
  rules: RuleDefinition[];
  params: RuleParameter[];
} {
  const params: RuleParameter[] = [];
  for (const rule of rules)
    for (const [name, p] of Object.entries(rule.params ?? {}))
      params.push(
        typeof p === 'number'
          ? { key: `${rule.name}.${name}`, declared: p }
          : { key: `${rule.name}.${name}`, declared: p.value, tunable: p.tunable },
      );
  return {
    rules: rules.map((r) =>
      r.params === undefined ? r : { ...r, conditions: bind(r.conditions, r) as RuleDefinition['conditions'] },
    ),
    params,
  };
}
