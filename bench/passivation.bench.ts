/**
 * Passivation (virtual actors), in one run:
 *  - registered agents per node: bytes of heap per passivated agent (each with its own definition, a
 *    time and a message trigger) for PASSIVATION_BENCH_N agents (default 100,000; set 1000000 for the
 *    million), against a bare XState actor of the agent machine, and bytes per active agent (same
 *    definitions, no passivation);
 *  - reactivation latency on a trigger: a passivated agent whose snapshot is in PostgreSQL, from
 *    `runtime.trigger()` to its cycle started (snapshot read, actor restored, trigger delivered), p50/p99
 *    over PASSIVATION_BENCH_WAKES agents (default 1,000), against the raw work (one pg SELECT of the
 *    snapshot row, then createActor(agentMachine, { snapshot }).start() and the trigger sent): for an
 *    unforeseen trigger (the snapshot read then) and for one whose snapshot was read ahead (a time trigger
 *    with `passivation.prefetchMs`), each on the store's main pool only (`readPoolSize: 0`) and with its
 *    read pool (`readPoolSize: 2`), in the same run. PASSIVATION_BENCH_N=0 skips the memory part.
 * Needs PostgreSQL (TEST_POSTGRES_URL, default 127.0.0.1:5432) for the latency part.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createActor, type Snapshot } from 'xstate';
import { RulesDecider } from '../actors/index.ts';
import { agentMachine } from '../machines/index.ts';
import { defineAgent, MandateRuntimeImpl } from '../runtime/index.ts';
import { openTestStore } from '../test/support/db.ts';

const N = Number(process.env.PASSIVATION_BENCH_N ?? 100_000);
const WAKES = Number(process.env.PASSIVATION_BENCH_WAKES ?? 1_000);
const PREFETCH_BATCH = 50;
const limits = {
  maxAttempts: 3,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  phaseTimeoutMs: 30_000,
  approvalTimeoutMs: 600_000,
};
const ops = { kind: 'human' as const, id: 'bench' };
const decider = RulesDecider.fromObject({
  rules: [
    {
      name: 'note',
      conditions: { all: [{ fact: 'due', operator: 'equal', value: true }] },
      event: { type: 'ledger.annotate', capability: 'ledger.annotate', params: {} },
    },
  ],
});
const perceive = () => ({ due: false });

function definition(i: number, passivation: boolean) {
  return defineAgent({
    id: `a${i}`,
    capabilities: ['ledger.annotate'],
    triggers: [{ every: '1h' }, { message: 'invoice.due' }],
    ...(passivation ? { passivation: { idleAfter: '5m' } } : {}),
    perceive,
    decide: decider,
  });
}

/** One kind per child process, so heaps do not mix. */
async function memoryChild(kind: 'bare' | 'active' | 'passivated', n: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  const runtime = kind === 'bare' ? undefined : new MandateRuntimeImpl();
  await runtime?.start();
  const keep: unknown[] = [];
  gc();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    if (runtime === undefined)
      keep.push(
        createActor(agentMachine, {
          input: { agentId: `a${i}`, kind: 'permanent', limits, seed: i, incarnation: `i${i}` },
        }).start(),
      );
    else await runtime.spawn(definition(i, kind === 'passivated'));
  }
  const ms = performance.now() - t0;
  gc();
  const bytes = (process.memoryUsage().heapUsed - before) / n;
  const s = runtime?.services();
  console.log(
    JSON.stringify({
      kind,
      n,
      bytes: Math.round(bytes),
      ms: Math.round(ms),
      active: s?.tree.size ?? keep.length,
      passivated: s?.passivation.size ?? 0,
      scheduled: s?.scheduler.size ?? 0,
    }),
  );
}

function memory(): void {
  const self = fileURLToPath(import.meta.url);
  const row = (kind: string, n: number) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        ['--expose-gc', '--max-old-space-size=12288', '--import', 'tsx', self, 'memory-child', kind, String(n)],
        { encoding: 'utf8' },
      )
        .trim()
        .split('\n')
        .pop()!,
    ) as { bytes: number; ms: number; active: number; passivated: number; scheduled: number };
  const activeN = Math.min(N, 100_000);
  const bare = row('bare', activeN);
  const active = row('active', activeN);
  const asleep = row('passivated', N);
  console.log(
    `registered agents, passivated: ${asleep.passivated.toLocaleString()} on this node (${asleep.scheduled.toLocaleString()} schedules armed, ${asleep.active} actors in memory), ${asleep.bytes.toLocaleString()} B each, registered in ${asleep.ms} ms   target ≥ 1,000,000 agents at ≤ 1,024 B: ${asleep.bytes <= 1_024 ? 'bytes met' : 'bytes NOT met'}${asleep.passivated >= 1_000_000 ? ', count met' : ` (count: run with PASSIVATION_BENCH_N=1000000)`}`,
  );
  console.log(
    `bytes per agent (${activeN.toLocaleString()}): bare XState actor ${bare.bytes.toLocaleString()} B   active Mandate agent ${active.bytes.toLocaleString()} B (ratio ${(active.bytes / bare.bytes).toFixed(2)}; target ≤ 5,000 B: ${active.bytes <= 5_000 ? 'met' : 'NOT met'})   passivated ${asleep.bytes.toLocaleString()} B (ratio ${(asleep.bytes / bare.bytes).toFixed(2)} of a bare actor)`,
  );
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

/** Latencies (ms) of reactivations on a trigger, each agent run once and passivated first. */
interface Wakes {
  /** Unforeseen triggers (a user's, a message): the snapshot is read when the trigger comes. */
  unforeseen: number[];
  /** Triggers whose snapshot was read ahead (what `passivation.prefetchMs` gives a time trigger). */
  readAhead: number[];
}

/** Runs every agent once, then passivates it: its snapshot is in PostgreSQL, nothing of it in memory. */
async function passivateAll(runtime: MandateRuntimeImpl): Promise<void> {
  const s = runtime.services();
  for (const host of [...s.tree.agents()]) await s.passivation.passivate(host);
  if (s.passivation.size !== WAKES) throw new Error(`only ${s.passivation.size} of ${WAKES} passivated`);
}

async function wakeOne(runtime: MandateRuntimeImpl, id: string): Promise<number> {
  const t0 = performance.now();
  const started = await runtime.trigger(id, ops);
  const ms = performance.now() - t0;
  if (!started) throw new Error(`${id} did not start a cycle`);
  const host = runtime.services().tree.get(id)!;
  while (host.state !== 'idle') await new Promise((r) => setImmediate(r));
  return ms;
}

async function reactivation(
  readPoolSize: number,
): Promise<{ wakes: Wakes; url: string; dispose: () => Promise<void> }> {
  const t = await openTestStore('postgresql', { readPoolSize });
  const runtime = new MandateRuntimeImpl({ store: t.store });
  await runtime.start();
  const s = runtime.services();
  for (let i = 0; i < WAKES; i++) await runtime.spawn(definition(i, true));
  for (let i = 0; i < WAKES; i++) {
    await runtime.trigger(`a${i}`, ops);
    const host = s.tree.get(`a${i}`)!;
    while (host.state !== 'idle') await new Promise((r) => setImmediate(r));
  }
  await runtime.flush();
  await passivateAll(runtime);
  const wakes: Wakes = { unforeseen: [], readAhead: [] };
  // Each wake's cycle leaves writes committing behind it while the next agent is woken.
  for (let i = 0; i < WAKES; i++) wakes.unforeseen.push(await wakeOne(runtime, `a${i}`));
  await runtime.flush();
  await passivateAll(runtime);
  // A time trigger shared by a batch of agents: their snapshots are read 250 ms (the default prefetchMs) ahead.
  for (let i = 0; i < WAKES; i += PREFETCH_BATCH) {
    const ids = Array.from({ length: Math.min(PREFETCH_BATCH, WAKES - i) }, (_, k) => `a${i + k}`);
    for (const id of ids) s.passivation.prefetch(id);
    await new Promise((r) => setTimeout(r, 250));
    for (const id of ids) wakes.readAhead.push(await wakeOne(runtime, id));
  }
  await runtime.flush();
  await runtime.shutdown();
  return { wakes, url: t.store.databaseUrl, dispose: async () => await t[Symbol.asyncDispose]() };
}

/** The raw work: read the snapshot row, restore a bare actor from it, send it the trigger. */
async function raw(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const ms: number[] = [];
  for (let i = 0; i < WAKES; i++) {
    const t0 = performance.now();
    const { rows } = await client.query<{ snapshot: Snapshot<unknown> }>(
      'select snapshot from mandate_snapshot where agent_id = $1 order by seq desc limit 1',
      [`a${i}`],
    );
    const input = { agentId: `a${i}`, kind: 'permanent' as const, limits, seed: i, incarnation: `r${i}` };
    const actor = createActor(agentMachine, { input, snapshot: rows[0]!.snapshot }).start();
    actor.send({ type: 'agent.trigger', trigger: { kind: 'user', name: 'bench', at: Date.now() } });
    ms.push(performance.now() - t0);
    actor.stop();
  }
  await client.end();
  return ms;
}

async function reactivations(): Promise<void> {
  // One run, both configurations: the main pool only (readPoolSize 0, the default) and a read pool of 2.
  const shared = await reactivation(0);
  const own = await reactivation(2);
  const r = await raw(own.url);
  await shared.dispose();
  await own.dispose();
  const f = (xs: number[]) => `p50 ${pct(xs, 0.5).toFixed(2)} ms, p99 ${pct(xs, 0.99).toFixed(2)} ms`;
  const ratio = (xs: number[]) =>
    `ratio p50 ${(pct(xs, 0.5) / pct(r, 0.5)).toFixed(2)}, p99 ${(pct(xs, 0.99) / pct(r, 0.99)).toFixed(2)}`;
  const met = (xs: number[]) => `target p99 ≤ 5 ms: ${pct(xs, 0.99) <= 5 ? 'met' : 'NOT met'}`;
  console.log(
    `reactivation on trigger, ${WAKES.toLocaleString()} passivated agents (snapshots in PostgreSQL); raw pg SELECT + XState restore + send ${f(r)}`,
  );
  for (const [name, w] of [
    ['main pool only (readPoolSize 0)', shared.wakes],
    ['read pool (readPoolSize 2)', own.wakes],
  ] as const) {
    console.log(`  ${name}, unforeseen trigger: ${f(w.unforeseen)}   ${ratio(w.unforeseen)}   ${met(w.unforeseen)}`);
    console.log(
      `  ${name}, snapshot read ahead (time trigger, batches of ${PREFETCH_BATCH}): ${f(w.readAhead)}   ${ratio(w.readAhead)}   ${met(w.readAhead)}`,
    );
  }
}

if (process.argv[2] === 'memory-child') {
  await memoryChild(process.argv[3] as 'bare' | 'active' | 'passivated', Number(process.argv[4]));
} else {
  console.log(`Mandate passivation benchmark — node ${process.version}, ${new Date().toISOString()}`);
  if (N > 0) memory();
  await reactivations();
}
