import { resolve } from 'node:path';
import { durationSchema } from '../actors/index.ts';
import { shadowDeciders, shadowDiff } from '../runtime/index.ts';
import { openStore } from '../runtime/index.ts';
import { parseArgs } from './args.ts';
import { UsageError } from './errors.ts';

/**
 * `mandate shadow [dir] --rules <new rules dir> [--since 24h] [--agent id] [--json] [--data-dir D]`:
 * replays the perceptions recorded in the journal (decision records: DATABASE_URL, else the embedded
 * database in the data directory) through the new rules and prints how each decision would differ:
 * same, changed (old → new, with why), new and dropped actions, and the money each difference moves.
 */
export async function shadowCommand(argv: string[], env = process.env): Promise<number> {
  const { positional, flags } = parseArgs(argv, {
    rules: 'string',
    since: 'string',
    agent: 'string',
    json: 'boolean',
    'data-dir': 'string',
  });
  const rulesDir = flags.get('rules');
  if (typeof rulesDir !== 'string') throw new UsageError('mandate shadow needs --rules <dir with the new rule files>.');
  const since = durationSchema.safeParse(flags.get('since') ?? '24h');
  if (!since.success)
    throw new UsageError(`"--since ${String(flags.get('since'))}" is not a duration like 30m, 24h or 7d.`);
  const dir = resolve(positional[0] ?? 'examples/treasury');
  const deciders = await shadowDeciders(dir, resolve(rulesDir), env);
  if (deciders.size === 0)
    throw new UsageError(`no agent in ${dir}/agents names a rules file that is in ${rulesDir}; nothing to replay.`);
  const dataDir = (flags.get('data-dir') as string | undefined) ?? env.MANDATE_DATA_DIR ?? '.mandate/data';
  const store = await openStore({ dataDir, env });
  try {
    const agent = flags.get('agent') as string | undefined;
    const records = await store.queryDecisions({
      since: Math.max(0, Date.now() - since.data),
      limit: 10_000,
      ...(agent === undefined ? {} : { agentId: agent }),
    });
    const report = await shadowDiff(records, (id) => deciders.get(id));
    if (flags.get('json') === true) console.log(JSON.stringify(report, null, 2));
    else {
      const c = report.counts;
      console.log(
        `replayed ${records.length - report.skipped} decisions of ${[...deciders.keys()].join(', ')}: ${c.same} same, ${c.changed} changed, ${c.new} new, ${c.dropped} dropped (${report.skipped} of other agents skipped)`,
      );
      for (const r of report.rows.filter((x) => x.kind !== 'same'))
        console.log(
          `  ${r.kind.padEnd(7)} ${r.agentId} ${r.decisionId}: ${r.was ?? 'no action'} → ${r.now ?? 'no action'}  money ${JSON.stringify(r.money)}\n          ${r.why}`,
        );
      console.log(`money the differences move: ${JSON.stringify(report.money)}`);
    }
  } finally {
    await store.close();
  }
  return 0;
}
