import { resolve } from 'node:path';
import { parseSetTokens, parseSweepToken, runSweep, type SweepSpec } from '../runtime/index.ts';
import { parseArgs } from './args.ts';
import { createSimulator } from './createSimulator.ts';
import { UsageError } from './errors.ts';
import { printRows, printSweepTable } from './simulateOutput.ts';

/** `--set` may repeat; the rest goes to {@link parseArgs}. */
function splitSets(argv: string[]): { sets: string[]; rest: string[] } {
  const sets: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--set') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError('Option "--set" needs path=value.');
      sets.push(v);
    } else if (argv[i]!.startsWith('--set=')) sets.push(argv[i]!.slice('--set='.length));
    else rest.push(argv[i]!);
  }
  return { sets, rest };
}

/**
 * `mandate simulate [dir] --set gas.gwei=80 … [--sweep gas.gwei=20..200:20] [--agent id] [--json]`:
 * what-if scenarios. Runs one dry-run cycle of every agent (in start order, so pre-checks go
 * first) with the given facts forced after perception and prints each agent's options and
 * scores, choice, confidence, risk, expected outcome, rules fired and the supervisor chain's
 * verdict; `--json` prints one JSON object per line per agent. `--sweep` runs one scenario per
 * value and prints a table of the decisions (JSON lines with `--json`). Nothing is persisted
 * and nothing is sent.
 */
export async function simulateCommand(argv: string[]): Promise<number> {
  const { sets, rest } = splitSets(argv);
  const { positional, flags } = parseArgs(rest, { agent: 'string', json: 'boolean', sweep: 'string' });
  const facts = parseSetTokens(sets);
  const sweepToken = flags.get('sweep') as string | undefined;
  const sweep: SweepSpec | undefined = sweepToken === undefined ? undefined : parseSweepToken(sweepToken);
  const simulate = await createSimulator(resolve(positional[0] ?? 'examples/treasury'));
  const agent = flags.get('agent') as string | undefined;
  const json = flags.get('json') === true;
  const only = agent === undefined ? {} : { agent };
  if (sweep === undefined) {
    const rows = await simulate(facts, only);
    if (json) for (const row of rows) console.log(JSON.stringify(row));
    else printRows(facts, rows);
    return 0;
  }
  const steps = await runSweep(simulate, { facts, sweep, ...only });
  if (json)
    for (const { value, rows } of steps)
      for (const row of rows) console.log(JSON.stringify({ sweep: { path: sweep.path, value }, ...row }));
  else printSweepTable(sweep.path, steps);
  return 0;
}
