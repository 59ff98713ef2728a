import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GovernancePolicy } from '../actors/index.ts';
import type { Decision, ScoredOption } from '../machines/index.ts';
import { parseArgs } from './args.ts';
import { UsageError } from './errors.ts';
import { createRuntime, type MandateRuntime } from '../runtime/index.ts';
import { systemEntry } from './systemEntry.ts';

function parseValue(text: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

/** Parses repeated `--set path=value` options. */
export function parseOverrides(values: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const v of values) {
    const m = /^([A-Za-z_][\w-]*(?:\.[\w-]+)*)=(.*)$/.exec(v);
    if (m === null) throw new UsageError(`"--set ${v}" is not path=value (e.g. --set gas.gwei=80).`);
    out[m[1]!] = parseValue(m[2]!);
  }
  return out;
}

const rejected = (o: ScoredOption) => (o.rejected === undefined ? {} : { rejected: o.rejected });

const SETTLED = new Set(['idle', 'awaitingApproval', 'failed', 'killed', 'paused', 'stopped']);

/**
 * `mandate simulate [dir] --set gas.gwei=80 …`: what-if scenarios. Runs one
 * dry-run cycle of every agent (in start order, so pre-checks go first) with
 * the given facts forced after perception, and prints each decision with its
 * rules, rationale, confidence, the supervisor chain's verdict and the outcome.
 * Nothing is persisted and nothing is sent.
 */
export async function simulateCommand(argv: string[]): Promise<number> {
  const sets: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--set') {
      const v = argv[++i];
      if (v === undefined) throw new UsageError('Option "--set" needs path=value.');
      sets.push(v);
    } else rest.push(argv[i]!);
  }
  const { positional, flags } = parseArgs(rest, { agent: 'string', json: 'boolean' });
  const dir = resolve(positional[0] ?? 'examples/treasury');
  const entry = systemEntry(dir);
  const governanceText = await readFile(join(dir, 'governance.yaml'), 'utf8').catch(() => '{}');
  const governance = GovernancePolicy.fromYaml(governanceText, () => undefined, join(dir, 'governance.yaml')).config;
  const factOverrides = parseOverrides(sets);
  const runtime = await createRuntime({ governance, factOverrides, mode: 'dry-run', timeTriggers: false }); // one deliberate cycle per agent
  const example = (await import(entry)) as { setup(r: MandateRuntime): Promise<unknown> };
  await example.setup(runtime);
  const only = flags.get('agent') as string | undefined;
  const results: Record<string, unknown>[] = [];
  for (const { id } of runtime.listAgents()) {
    if (only !== undefined && id !== only) continue;
    const started = await runtime.trigger(id, { kind: 'human', id: 'simulation' }, { scenario: factOverrides });
    const deadline = Date.now() + 10_000;
    const now = () => runtime.getAgent(id)!;
    while (started && (now().cycle === 0 || !SETTLED.has(now().state)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    const agent = now();
    const ctx = agent.context as {
      decision?: Decision | null;
      verdict?: { status: string; by: string; reason: string } | null;
      outcome?: { status: string } | null;
    };
    const closed = agent.dependsOn.find((g) => runtime.gate(g)?.open !== true);
    results.push({
      agent: id,
      started: started ? true : `not started (${closed !== undefined ? `gate "${closed}" closed` : agent.state})`,
      state: agent.state,
      rulesFired: ctx.decision?.rulesFired ?? [],
      action: ctx.decision?.action ?? null,
      options: (ctx.decision?.options ?? []).map((o) => ({
        id: o.id,
        action: o.action,
        score: o.score,
        ...rejected(o),
      })),
      chosen: ctx.decision?.chosen ?? (ctx.decision?.action == null ? null : (ctx.decision.rulesFired[0] ?? null)),
      confidence: ctx.decision?.confidence ?? null,
      risk: ctx.decision?.risk ?? null,
      expectedOutcome: ctx.decision?.expectedOutcome ?? null,
      conflict: ctx.decision?.conflict ?? null,
      rationale: ctx.decision?.rationale ?? null,
      verdict:
        ctx.verdict == null ? null : { status: ctx.verdict.status, by: ctx.verdict.by, reason: ctx.verdict.reason },
      outcome: ctx.outcome?.status ?? null,
      crashed: agent.restarts > 0 ? `crashed and was restarted by ${agent.parentId}` : null,
    });
  }
  await runtime.shutdown();
  if (flags.get('json') === true) console.log(JSON.stringify({ scenario: factOverrides, results }, null, 2));
  else {
    console.log(`scenario: ${JSON.stringify(factOverrides)}`);
    for (const r of results) {
      const a = r.action as { type: string; amount?: { value: string; asset: string } } | null;
      const v = r.verdict as { status: string; by: string; reason: string } | null;
      console.log(`\n${show(r.agent)}: ${show(r.started === true ? r.state : r.started)}`);
      console.log(
        `  rules fired: ${(r.rulesFired as string[]).join(', ') || '(none)'}; decision: ${a ? `${a.type}${a.amount ? ` ${a.amount.value} ${a.amount.asset}` : ''}` : 'no action'} (confidence ${show(r.confidence)})`,
      );
      for (const o of r.options as { id: string; score: number | null; rejected?: string }[])
        console.log(
          `  option ${o.id}: ${o.score ?? `rejected (${o.rejected ?? '-'})`}${o.id === r.chosen ? ' (chosen)' : ''}`,
        );
      console.log(`  rationale: ${show(r.rationale)}`);
      if (v) console.log(`  verdict: ${v.status} by ${v.by}: ${v.reason}`);
      console.log(`  outcome: ${show(r.outcome)}${r.crashed ? ` (${show(r.crashed)})` : ''}`);
    }
  }
  return 0;
}

/** A value of a simulation result as text: strings as they are, nothing as '-', the rest as JSON. */
function show(value: unknown): string {
  if (value === undefined || value === null) return '-';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
