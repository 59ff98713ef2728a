/**
 * Compiles json-rules-engine conditions (the subset Mandate's rule schema allows) into plain
 * JavaScript predicates, once per rule set. json-rules-engine stays the reference: the property
 * test `compileRules.test.ts` checks, on random rules × random facts, that the compiled form fires
 * exactly the rules the engine fires and throws exactly when the engine rejects.
 *
 * What is reproduced, from json-rules-engine 7.3 and jsonpath-plus 10:
 * - a fact is defined when it is an enumerable key of the facts (`for … in`), else undefined;
 * - `path` applies only to a fact value that is a non-null object (else the value itself is used),
 *   and follows a property only when the current value is truthy and has it as an own property;
 * - a condition `value` that is an object with a `fact` key is that fact's value (with its `path`);
 * - every condition of `all`/`any` is evaluated (the engine evaluates them all in parallel), so an
 *   operator that throws (`in` against a value without `indexOf`) throws here too;
 * - operators are the engine's default ones, validators included.
 * Paths other than `$` or `$.name.name…` (wildcards, filters, brackets) are not compiled: such a rule
 * set runs on the engine itself.
 */

type Facts = Record<string, unknown>;
type Getter = (facts: Facts) => unknown;
/** A compiled condition. */
export type Predicate = (facts: Facts) => boolean;

const numeric = (a: unknown): boolean => Number.parseFloat(a as string).toString() !== 'NaN';

/** The engine's default operators, each `validator(fact) && compare(fact, value)`. */
const OPERATORS: Record<string, (a: unknown, b: unknown) => boolean> = {
  equal: (a, b) => a === b,
  notEqual: (a, b) => a !== b,
  in: (a, b) => (b as unknown[]).indexOf(a) > -1,
  notIn: (a, b) => (b as unknown[]).indexOf(a) === -1,
  contains: (a, b) => Array.isArray(a) && a.indexOf(b) > -1,
  doesNotContain: (a, b) => Array.isArray(a) && a.indexOf(b) === -1,
  lessThan: (a, b) => numeric(a) && (a as number) < (b as number),
  lessThanInclusive: (a, b) => numeric(a) && (a as number) <= (b as number),
  greaterThan: (a, b) => numeric(a) && (a as number) > (b as number),
  greaterThanInclusive: (a, b) => numeric(a) && (a as number) >= (b as number),
};

const SIMPLE_PATH = /^\$(\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const isEnumerable = (o: object, key: PropertyKey): boolean => Object.prototype.propertyIsEnumerable.call(o, key);

/** A getter for fact `id` at `path`; undefined when the path needs a full JSONPath evaluator. */
function factGetter(id: string, path: unknown): Getter | undefined {
  const own = (facts: Facts) => (isEnumerable(facts, id) ? facts[id] : undefined);
  if (path === undefined || path === null || path === '' || path === false || path === 0) return own;
  if (typeof path !== 'string' || !SIMPLE_PATH.test(path)) return undefined;
  const segments = path.split('.').slice(1);
  return (facts) => {
    let v = own(facts);
    if (v === null || typeof v !== 'object') return v;
    for (const s of segments) {
      if (v && Object.hasOwn(v, s)) v = (v as Record<string, unknown>)[s];
      else return undefined;
    }
    return v;
  };
}

function valueGetter(value: unknown): Getter | undefined {
  if (value !== null && typeof value === 'object' && Object.hasOwn(value, 'fact')) {
    const ref = value as { fact: unknown; path?: unknown };
    return factGetter(String(ref.fact), ref.path);
  }
  return () => value;
}

/** Compiles one condition tree; undefined when some part must run on the engine. */
export function compileCondition(condition: unknown): Predicate | undefined {
  const c = condition as Record<string, unknown>;
  for (const op of ['all', 'any'] as const) {
    if (Array.isArray(c[op])) {
      const parts = (c[op] as unknown[]).map(compileCondition);
      if (parts.some((p) => p === undefined)) return undefined;
      const ps = parts as Predicate[];
      if (ps.length === 0) return () => true;
      if (ps.length === 1) return ps[0]!;
      return op === 'all'
        ? (f) => {
            let ok = true;
            for (const p of ps) if (p(f) !== true) ok = false;
            return ok;
          }
        : (f) => {
            let ok = false;
            for (const p of ps) if (p(f) === true) ok = true;
            return ok;
          };
    }
  }
  if (c.not !== undefined) {
    const inner = compileCondition(c.not);
    return inner === undefined ? undefined : (f) => !inner(f);
  }
  const compare = OPERATORS[String(c.operator)];
  const lhs = factGetter(String(c.fact), c.path);
  const rhs = valueGetter(c.value);
  if (compare === undefined || lhs === undefined || rhs === undefined) return undefined;
  return (f) => {
    const b = rhs(f);
    return compare(lhs(f), b);
  };
}
