import fc from 'fast-check';
import { Engine, type RuleProperties } from 'json-rules-engine';
import { describe, expect, it } from 'vitest';
import { compileCondition, type Predicate } from './compileRules.ts';
import { RulesDecider } from './RulesDecider.ts';

const RUNS = Number(process.env.MANDATE_RULES_PROPERTY_RUNS ?? 1000);

const factNames = ['a', 'b', 'c', 'constructor', 'length'];
const paths = [undefined, '$', '$.x', '$.x.y', '$.x.length', '$.length', '$.y', '$.constructor'];
const operators = [
  'equal',
  'notEqual',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
];
const scalar = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0.5, -0.5, NaN, Infinity),
  fc.constantFrom('', '1', '2.5', 'x', 'abc', ' 3', '1e2'),
  fc.boolean(),
  fc.constant(null),
);
const leafValue = fc.oneof(
  { weight: 4, arbitrary: scalar },
  { weight: 2, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.record({ fact: fc.constantFrom(...factNames), path: fc.constantFrom(...paths) }) },
);
const leaf = fc
  .record({
    fact: fc.constantFrom(...factNames),
    operator: fc.constantFrom(...operators),
    value: leafValue,
    path: fc.constantFrom(...paths),
  })
  .map(({ path, ...c }) => (path === undefined ? c : { ...c, path }));
const { condition } = fc.letrec<{ condition: unknown }>((tie) => ({
  condition: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ all: fc.array(tie('condition'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ any: fc.array(tie('condition'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ not: tie('condition') }),
  ),
}));
const root = fc.oneof(
  fc.record({ all: fc.array(condition, { minLength: 1, maxLength: 3 }) }),
  fc.record({ any: fc.array(condition, { minLength: 1, maxLength: 3 }) }),
  fc.record({ not: condition }),
);
const { json } = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('json'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('x', 'y', 'length', 'constructor'), tie('json'), { maxKeys: 3 }),
  ),
}));
const facts = fc.dictionary(fc.constantFrom(...factNames), fc.oneof(json, fc.constant(undefined)), { maxKeys: 4 });
const rules = fc.array(fc.record({ conditions: root, priority: fc.integer({ min: 1, max: 3 }) }), {
  minLength: 1,
  maxLength: 4,
});

type Result = { threw: true } | { threw: false; fired: string[] };

async function viaEngine(
  set: { conditions: unknown; priority: number }[],
  f: Record<string, unknown>,
): Promise<Result> {
  const engine = new Engine([], { allowUndefinedFacts: true });
  set.forEach((r, i) =>
    engine.addRule({
      name: `r${i}`,
      priority: r.priority,
      conditions: structuredClone(r.conditions),
      event: { type: `r${i}` },
    } as RuleProperties),
  );
  try {
    const { events } = await engine.run(f);
    return { threw: false, fired: events.map((e) => e.type).sort() };
  } catch {
    return { threw: true };
  }
}

function viaCompiled(predicates: Predicate[], f: Record<string, unknown>): Result {
  try {
    const fired: string[] = [];
    predicates.forEach((p, i) => p(f) && fired.push(`r${i}`));
    return { threw: false, fired: fired.sort() };
  } catch {
    return { threw: true };
  }
}

describe('compiled rules', () => {
  it(`compiled rules - fire exactly the rules json-rules-engine fires, and throw when it rejects (${RUNS} rule sets × 3 fact sets)`, async () => {
    let fired = 0;
    let threw = 0;
    await fc.assert(
      fc.asyncProperty(rules, fc.array(facts, { minLength: 3, maxLength: 3 }), async (set, factSets) => {
        const predicates = set.map((r) => compileCondition(r.conditions)!);
        expect(predicates.every((p) => typeof p === 'function')).toBe(true);
        for (const f of factSets) {
          const expected = await viaEngine(set, f);
          expect(viaCompiled(predicates, f)).toEqual(expected);
          if (expected.threw) threw++;
          else fired += expected.fired.length;
        }
      }),
      { numRuns: RUNS },
    );
    // The generators reach both sides: rules that fire, and operators that make the engine reject.
    expect(fired).toBeGreaterThan(RUNS / 10);
    expect(threw).toBeGreaterThan(0);
  });

  it('compiled rules - edge cases agree with the engine: falsy values on a path, inherited keys, non-object facts', async () => {
    const cases: [unknown, Record<string, unknown>][] = [
      [{ fact: 'a', path: '$.x.length', operator: 'equal', value: 0 }, { a: { x: '' } }],
      [{ fact: 'a', path: '$.x.length', operator: 'equal', value: 3 }, { a: { x: 'abc' } }],
      [{ fact: 'a', path: '$.x.y', operator: 'equal', value: undefined }, { a: { x: 0 } }],
      [{ fact: 'a', path: '$.x', operator: 'equal', value: 5 }, { a: 5 }],
      [{ fact: 'toString', operator: 'equal', value: undefined }, {}],
      [{ fact: 'a', path: '$.constructor', operator: 'equal', value: undefined }, { a: {} }],
      [{ fact: 'a', operator: 'in', value: 'abc' }, { a: 'b' }],
      [{ fact: 'a', operator: 'in', value: 'xundefinedx' }, {}],
      [{ fact: 'a', operator: 'greaterThan', value: 1 }, { a: '2abc' }],
      [{ fact: 'a', operator: 'lessThan', value: 3 }, { a: [2] }],
    ];
    for (const [c, f] of cases) {
      const set = [{ conditions: { all: [c] }, priority: 1 }];
      expect(viaCompiled([compileCondition(set[0]!.conditions)!], f)).toEqual(await viaEngine(set, f));
    }
    expect(viaCompiled([compileCondition({ all: [cases[0]![0]] })!], cases[0]![1])).toEqual({
      threw: false,
      fired: [],
    });
    expect(viaCompiled([compileCondition({ all: [{ fact: 'a', operator: 'in', value: 5 }] })!], { a: 1 })).toEqual({
      threw: true,
    });
  });

  it('compiled rules - paths needing full JSONPath are not compiled; that rule set runs on the engine', async () => {
    expect(compileCondition({ all: [{ fact: 'a', path: '$.items[0]', operator: 'equal', value: 1 }] })).toBeUndefined();
    const d = RulesDecider.fromObject({
      rules: [
        {
          name: 'first',
          conditions: { all: [{ fact: 'a', path: '$.items[0]', operator: 'equal', value: 1 }] },
          event: { type: 'x.y' },
        },
      ],
    });
    expect(d.evaluator).toBe('json-rules-engine');
    expect((await d.fired({ a: { items: [1] } })).map((r) => r.name)).toEqual(['first']);
  });

  it('compiled rules - the switch runs the engine itself; both give the same decision on the same rules', async () => {
    const spec = {
      rules: [
        {
          name: 'low',
          priority: 5,
          conditions: { any: [{ fact: 'n', operator: 'lessThan', value: 3 }] },
          event: { type: 'a.b', rationale: 'low' },
        },
        {
          name: 'also-low',
          priority: 5,
          conditions: { all: [{ fact: 'n', operator: 'lessThan', value: 2 }] },
          event: { type: 'a.b', rationale: 'also' },
        },
      ],
    };
    const compiled = RulesDecider.fromObject(spec);
    const engine = RulesDecider.fromObject(spec, 'rules', { evaluator: 'json-rules-engine' });
    expect([compiled.evaluator, engine.evaluator]).toEqual(['compiled', 'json-rules-engine']);
    for (const n of [0, 1, 2, 5]) expect(await compiled.decide({ n })).toEqual(await engine.decide({ n }));
  });
});

describe('rule schema', () => {
  it('rule schema - "in" against a value the engine cannot search is refused at load, naming the field', () => {
    const rule = (value: unknown) => ({
      rules: [{ name: 'r', conditions: { all: [{ fact: 'a', operator: 'in', value }] }, event: { type: 'x.y' } }],
    });
    expect(() => RulesDecider.fromObject(rule(5))).toThrowError(
      expect.objectContaining({
        code: 'MANDATE_ERR_RULE_INVALID',
        message: expect.stringContaining('conditions.all.0'),
      }),
    );
    expect(RulesDecider.fromObject(rule(['a', 'b'])).evaluator).toBe('compiled');
  });
});
