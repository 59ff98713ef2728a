/**
 * Decision benchmark (issue 11). Prints, side by side in one run:
 *  - decisions/s of the compiled rules (`RulesDecider`, default evaluator) vs raw json-rules-engine
 *    evaluations/s on the same 12 rules (target ≥ 5×), and the same for the decider running the engine;
 *  - full rules-only agent cycles/s (compiled rules) vs raw json-rules-engine evaluations/s (target ≥ 1.0);
 *  - simulation scenarios/s: dry-run cycles of a goal-driven agent (goals → options → evaluate → select),
 *    each on a different scenario (EURC share swept), vs raw engine evaluations/s of its rules.
 *
 * Run: npm run bench -- decisions
 */
import { Engine, type RuleProperties } from 'json-rules-engine';
import { decideConfigSchema, GoalDecider, goalSchema, RulesDecider } from '../actors/index.ts';
import { defineAgent, MandateRuntimeImpl } from '../runtime/index.ts';
import { facts, rulesObject } from './treasuryRules.ts';

const rate = (n: number, ms: number) => Math.round((n / ms) * 1000);

function rawEngine(rules: { rules: { name: string; priority: number; conditions: unknown }[] }): Engine {
  const engine = new Engine([], { allowUndefinedFacts: true });
  for (const r of rules.rules)
    engine.addRule({
      name: r.name,
      priority: r.priority,
      conditions: r.conditions,
      event: { type: r.name },
    } as RuleProperties);
  return engine;
}

/** Best of interleaved rounds for each contestant (shared, noisy machine; JIT warm-up favours later runs). */
async function best(rounds: number, runs: Record<string, () => Promise<void>>): Promise<Record<string, number>> {
  const out: Record<string, number> = Object.fromEntries(Object.keys(runs).map((k) => [k, Infinity]));
  for (let i = 0; i < rounds; i++)
    for (const [k, run] of Object.entries(runs)) {
      const t0 = performance.now();
      await run();
      out[k] = Math.min(out[k]!, performance.now() - t0);
    }
  return out;
}

async function decisions(): Promise<void> {
  const N = 20_000;
  const engine = rawEngine(rulesObject);
  const compiled = RulesDecider.fromObject(rulesObject);
  const viaEngine = RulesDecider.fromObject(rulesObject, 'rules', { evaluator: 'json-rules-engine' });
  const t = await best(5, {
    raw: async () => {
      for (let i = 0; i < N; i++) await engine.run(facts);
    },
    compiled: async () => {
      for (let i = 0; i < N; i++) await compiled.decide(facts);
    },
    engine: async () => {
      for (let i = 0; i < N / 10; i++) await viaEngine.decide(facts);
    },
  });
  const raw = rate(N, t.raw!);
  const c = rate(N, t.compiled!);
  const e = rate(N / 10, t.engine!);
  console.log(
    `decisions/s   12 rules: raw json-rules-engine ${raw.toLocaleString()} evals/s   compiled RulesDecider ${c.toLocaleString()} decisions/s   ratio ${(c / raw).toFixed(1)}× (target ≥ 5×: ${c / raw >= 5 ? 'met' : 'NOT met'})   RulesDecider on the engine (switch) ${e.toLocaleString()} decisions/s`,
  );
}

interface CycleBench {
  label: string;
  decide: RulesDecider | GoalDecider;
  perceive: () => Record<string, unknown>;
  /** The facts and rules the raw engine evaluates for the comparison. */
  rawFacts: Record<string, unknown>;
  rules: { rules: { name: string; priority: number; conditions: unknown }[] };
  /** Whether the ≥ 1.0 target applies. */
  target: boolean;
}

async function cycles({ label, decide, perceive, rawFacts, rules, target }: CycleBench): Promise<void> {
  const N = 5_000;
  const engine = rawEngine(rules);
  const runtime = new MandateRuntimeImpl();
  await runtime.start();
  await runtime.spawn(defineAgent({ id: 'bench', capabilities: ['fx.swap'], perceive, decide }));
  const { tree, tasks } = runtime.services();
  const host = tree.require('bench');
  const cycle = (): Promise<unknown> => {
    const done = tasks.waitForCycle(host, host.context.cycle + 1);
    host.deliver({ type: 'agent.trigger', trigger: { kind: 'user', name: 'bench', at: 0 } });
    return done;
  };
  const t = await best(5, {
    raw: async () => {
      for (let i = 0; i < N; i++) await engine.run(rawFacts);
    },
    cycles: async () => {
      for (let i = 0; i < N; i++) await cycle();
    },
  });
  const r = rate(N, t.raw!);
  const c = rate(N, t.cycles!);
  console.log(
    `${label}: raw json-rules-engine ${r.toLocaleString()} evals/s   Mandate ${c.toLocaleString()}/s   ratio ${(c / r).toFixed(2)} (${target ? `target ≥ 1.0: ${c / r >= 1 ? 'met' : 'NOT met'}` : 'no target'}; decision: ${host.context.decision?.rationale.slice(0, 60)})`,
  );
  await runtime.shutdown();
}

const fxRules = {
  rules: [
    {
      name: 'eur-above-band',
      priority: 10,
      conditions: { all: [{ fact: 'bands', path: '$.eurShare', operator: 'greaterThan', value: 0.45 }] },
      event: {
        type: 'fx.swap',
        amount: { value: '100.00', asset: 'EURC' },
        expect: { 'bands.eurShare': 0.4 },
        cost: 0.02,
        risks: [{ what: 'slippage', likelihood: 0.1, impact: 0.5 }],
      },
    },
  ],
};

console.log(`Mandate decision benchmark — node ${process.version}, ${new Date().toISOString()}`);
await decisions();
await cycles({
  label: 'cycles/s      12 rules, full rules-only agent cycles',
  decide: RulesDecider.fromObject(rulesObject),
  perceive: () => facts,
  rawFacts: facts,
  rules: rulesObject,
  target: true,
});
let scenario = 0;
await cycles({
  label: 'scenarios/s   goal-driven fx agent, one dry-run cycle per scenario (EURC share swept 0.30..0.70)',
  decide: new GoalDecider({
    goals: [
      goalSchema.parse({ id: 'eur', kind: 'financial', metric: 'bands.eurShare', band: { min: 0.25, max: 0.45 } }),
    ],
    generators: [RulesDecider.fromObject(fxRules)],
    config: decideConfigSchema.parse({}),
  }),
  perceive: () => ({ bands: { eurShare: 0.3 + (scenario++ % 41) / 100 } }),
  rawFacts: { bands: { eurShare: 0.5 } },
  rules: fxRules,
  target: false,
});

// What `mandate simulate` and POST /api/simulate pay per scenario: a fresh dry-run runtime of the
// treasury example, its five agents set up and one cycle each, then disposed.
{
  const { createSimulator } = await import('../cli/createSimulator.ts');
  const simulate = await createSimulator(new URL('../examples/treasury', import.meta.url).pathname);
  const N = 20;
  for (let i = 0; i < 3; i++) await simulate({ 'gas.gwei': 20 }); // warm-up
  let rows = 0;
  const t0 = performance.now();
  for (let i = 0; i < N; i++)
    rows += (await simulate({ 'gas.gwei': 20 + i * 10, 'bands.eurShare': 0.4 + i / 100 })).length;
  const ms = performance.now() - t0;
  console.log(
    `simulate/s    mandate simulate scenarios (fresh dry-run treasury runtime, ${rows / N} agents, one cycle each): ${((N / ms) * 1000).toFixed(1)} scenarios/s, ${(ms / N).toFixed(0)} ms per scenario (no raw-library counterpart: it is setup + ${rows / N} governed cycles)`,
  );
}
