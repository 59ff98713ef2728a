/**
 * Passivation (virtual actors), in one run:
 *  - registered agents per node: bytes (heap + array buffers) per passivated agent (each with its own
 *    definition, a time and a message trigger) for PASSIVATION_BENCH_N agents (default 100,000, the
 *    bounded CI size; set 1000000 for the million, ≈ 5 min and ≈ 2 GB here), alone and with the warm
 *    tier filled to its default budget (measured against its own accounting), against a bare XState
 *    actor of the agent machine, and bytes per active agent (same definitions, no passivation);
 *  - reactivation latency on a trigger: a passivated agent whose snapshot is in PostgreSQL, from
 *    `runtime.trigger()` to its cycle started (snapshot read, actor restored, trigger delivered), p50/p99
 *    over PASSIVATION_BENCH_WAKES agents (default 1,000), against the raw work (one pg SELECT of the
 *    snapshot row, then createActor(agentMachine, { snapshot }).start() and the trigger sent): for an
 *    unforeseen trigger served by the warm tier (`passivation.warmBytes`, no database read), and, with
 *    the tier off, read from the store then or read ahead (a time trigger with `passivation.prefetchMs`),
 *    on the store's main pool only (`readPoolSize: 0`) and with its read pool (`readPoolSize: 2`): three
 *    nodes in one run, each agent woken on all three in turn. PASSIVATION_BENCH_N=0 skips the memory part.
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

/** Heap and array buffer bytes in use (the warm tier's buffers are outside the heap). */
function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** A real agent snapshot after one cycle (a runtime without a store keeps the agent active after it). */
async function cycledSnapshot(): Promise<unknown> {
  const probe = new MandateRuntimeImpl();
  await probe.start();
  await probe.spawn(definition(-1, false));
  await probe.trigger('a-1', ops);
  const host = probe.services().tree.get('a-1')!;
  while (host.state !== 'idle') await new Promise((r) => setImmediate(r));
  const snapshot = host.actor.getPersistedSnapshot();
  await probe.shutdown();
  return snapshot;
}

/** Fills the runtime's warm tier to its budget with that snapshot for its passivated agents: measured vs accounted. */
function fillWarm(s: ReturnType<MandateRuntimeImpl['services']>, snapshot: unknown, gc: () => void) {
  const warm = s.passivation.warm;
  const token = {};
  gc();
  const before = used();
  for (const def of s.passivation.definitions()) {
    warm.put({ agentId: def.id, supervisorId: 'root', snapshot, state: 'idle', seq: 1, at: Date.now() }, token);
    if (warm.evicted > 0) break;
  }
  gc();
  return { entries: warm.size, accounted: warm.bytes, measured: used() - before };
}

/** One kind per child process, so heaps do not mix. */
async function memoryChild(kind: 'bare' | 'active' | 'passivated', n: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with node --expose-gc');
  const snapshot = kind === 'passivated' ? await cycledSnapshot() : undefined;
  const runtime = kind === 'bare' ? undefined : new MandateRuntimeImpl();
  await runtime?.start();
  const keep: unknown[] = [];
  gc();
  const before = used();
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
  const total = used() - before;
  const s = runtime?.services();
  const warm = s === undefined || kind !== 'passivated' ? undefined : fillWarm(s, snapshot, gc);
  console.log(
    JSON.stringify({
      kind,
      n,
      bytes: Math.round(total / n),
      withWarm: Math.round((total + (warm?.measured ?? 0)) / n),
      warm,
      ms: Math.round(ms),
      active: s?.tree.size ?? keep.length,
      passivated: s?.passivation.size ?? 0,
      scheduled: s?.scheduler.size ?? 0,
    }),
  );
}

type Warm = { entries: number; accounted: number; measured: number };
type Row = Record<'bytes' | 'withWarm' | 'ms' | 'active' | 'passivated' | 'scheduled', number> & { warm?: Warm };

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
    ) as Row;
  const activeN = Math.min(N, 100_000);
  const bare = row('bare', activeN);
  const active = row('active', activeN);
  const asleep = row('passivated', N);
  const w = asleep.warm!;
  console.log(
    `registered agents, passivated: ${asleep.passivated.toLocaleString()} on this node (${asleep.scheduled.toLocaleString()} schedules armed, ${asleep.active} actors in memory), ${asleep.bytes.toLocaleString()} B each, registered in ${asleep.ms} ms; with a full warm tier (default 8 MiB: ${w.entries.toLocaleString()} snapshots of one cycle, ${w.accounted.toLocaleString()} B accounted, ${w.measured.toLocaleString()} B measured, ratio ${(w.measured / w.accounted).toFixed(2)}) ${asleep.withWarm.toLocaleString()} B each   target ≥ 1,000,000 agents at ≤ 1,024 B: ${asleep.withWarm <= 1_024 ? 'bytes met' : 'bytes NOT met'}${asleep.passivated >= 1_000_000 ? ', count met' : ` (count: run with PASSIVATION_BENCH_N=1000000)`}`,
  );
  console.log(
    `bytes per agent (${activeN.toLocaleString()}): bare XState actor ${bare.bytes.toLocaleString()} B   active Mandate agent ${active.bytes.toLocaleString()} B (ratio ${(active.bytes / bare.bytes).toFixed(2)}; target ≤ 5,000 B: ${active.bytes <= 5_000 ? 'met' : 'NOT met'})   passivated ${asleep.bytes.toLocaleString()} B (ratio ${(asleep.bytes / bare.bytes).toFixed(2)} of a bare actor)`,
  );
}

const pct = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;

/** One runtime on its own database, its WAKES agents run once and passivated (snapshots in PostgreSQL). */
interface Node {
  name: string;
  runtime: MandateRuntimeImpl;
  url: string;
  dispose: () => Promise<void>;
  /** Wakes on an unforeseen trigger (a user's, a message): from the warm tier when kept, else the store. */
  unforeseen: number[];
  /** Of those, the wakes the warm tier served (no database read), and the CPU time (ms) of each of those wakes. */
  warmHits: number;
  cpu: number[];
  /** Wakes whose snapshot was read ahead (what `passivation.prefetchMs` gives a time trigger). */
  readAhead: number[];
}

/** Runs every agent once, then passivates it: its snapshot is in PostgreSQL (and warm, if the tier is on). */
async function passivateAll(runtime: MandateRuntimeImpl): Promise<void> {
  await runtime.flush();
  const s = runtime.services();
  for (const host of [...s.tree.agents()]) await s.passivation.passivate(host);
  if (s.passivation.size !== WAKES) throw new Error(`only ${s.passivation.size} of ${WAKES} passivated`);
}

async function wakeOne(runtime: MandateRuntimeImpl, id: string, cpu?: number[]): Promise<number> {
  const [t0, c0] = [performance.now(), process.cpuUsage()];
  const started = await runtime.trigger(id, ops);
  const [ms, c] = [performance.now() - t0, process.cpuUsage(c0)];
  cpu?.push((c.user + c.system) / 1_000);
  if (!started) throw new Error(`${id} did not start a cycle`);
  const host = runtime.services().tree.get(id)!;
  while (host.state !== 'idle') await new Promise((r) => setImmediate(r));
  return ms;
}

async function node(name: string, readPoolSize: number, warmBytes: number | undefined): Promise<Node> {
  const t = await openTestStore('postgresql', { readPoolSize });
  const runtime = new MandateRuntimeImpl({ store: t.store, passivation: warmBytes === undefined ? {} : { warmBytes } });
  await runtime.start();
  for (let i = 0; i < WAKES; i++) await runtime.spawn(definition(i, true));
  for (let i = 0; i < WAKES; i++) await wakeOne(runtime, `a${i}`); // registered passivated, never run: no snapshot
  await passivateAll(runtime);
  const dispose = async () => await t[Symbol.asyncDispose]();
  return { name, runtime, url: t.store.databaseUrl, dispose, unforeseen: [], warmHits: 0, cpu: [], readAhead: [] };
}

/** Paired, alternating rounds: agent i is woken on every node before agent i + 1 is woken on any. */
async function rounds(nodes: Node[], ahead: Node[]): Promise<void> {
  // Each wake's cycle leaves writes committing behind it while the next agent is woken.
  for (let i = 0; i < WAKES; i++)
    for (const n of nodes) {
      const warm = n.runtime.services().passivation.warm;
      const kept = warm.size;
      n.unforeseen.push(await wakeOne(n.runtime, `a${i}`, n.cpu));
      if (warm.size < kept) n.warmHits++;
    }
  for (const n of ahead) await passivateAll(n.runtime);
  // A time trigger shared by a batch of agents: their snapshots are read 250 ms (the default prefetchMs) ahead.
  for (let i = 0; i < WAKES; i += PREFETCH_BATCH) {
    const ids = Array.from({ length: Math.min(PREFETCH_BATCH, WAKES - i) }, (_, k) => `a${i + k}`);
    for (const n of ahead) for (const id of ids) n.runtime.services().passivation.prefetch(id);
    await new Promise((r) => setTimeout(r, 250));
    for (const id of ids) for (const n of ahead) n.readAhead.push(await wakeOne(n.runtime, id));
  }
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
  // One run: the warm tier on (default 8 MiB) and off (warmBytes 0: the store's main pool, or a read pool of 2).
  const warm = await node('warm tier on (default 8 MiB), main pool', 0, undefined);
  const tier = warm.runtime.services().passivation.warm;
  const [kept, keptBytes] = [tier.size, tier.bytes];
  const cold = await node('warm tier off (warmBytes 0), main pool only (readPoolSize 0)', 0, 0);
  const pool = await node('warm tier off (warmBytes 0), read pool (readPoolSize 2)', 2, 0);
  await rounds([warm, cold, pool], [cold, pool]);
  const r = await raw(pool.url);
  for (const n of [warm, cold, pool]) {
    await n.runtime.flush();
    await n.runtime.shutdown();
    await n.dispose();
  }
  const f = (xs: number[]) => `p50 ${pct(xs, 0.5).toFixed(2)} ms, p99 ${pct(xs, 0.99).toFixed(2)} ms`;
  const ratio = (xs: number[]) =>
    `ratio p50 ${(pct(xs, 0.5) / pct(r, 0.5)).toFixed(2)}, p99 ${(pct(xs, 0.99) / pct(r, 0.99)).toFixed(2)}`;
  const met = (xs: number[]) => `target p99 ≤ 5 ms: ${pct(xs, 0.99) <= 5 ? 'met' : 'NOT met'}`;
  const each = Math.round(keptBytes / Math.max(1, kept));
  console.log(
    `reactivation on trigger, ${WAKES.toLocaleString()} passivated agents per node, 3 nodes woken in turn (snapshots in PostgreSQL); raw pg SELECT + XState restore + send ${f(r)}`,
  );
  console.log(
    `  warm tier after passivation: ${kept.toLocaleString()} snapshots, ${keptBytes.toLocaleString()} B accounted (${each.toLocaleString()} B each with overhead: 8 MiB holds ≈ ${Math.floor((8 * 1024 * 1024) / Math.max(1, each)).toLocaleString()} agents)`,
  );
  const line = (name: string, xs: number[]) => console.log(`  ${name}: ${f(xs)}   ${ratio(xs)}   ${met(xs)}`);
  line(
    `warm hit, unforeseen trigger (${warm.warmHits.toLocaleString()} of ${WAKES.toLocaleString()} from the tier)`,
    warm.unforeseen,
  );
  console.log(
    `    its CPU time per wake (process.cpuUsage, all threads): p50 ${pct(warm.cpu, 0.5).toFixed(2)} ms, p99 ${pct(warm.cpu, 0.99).toFixed(2)} ms (a wall-clock p99 far above it is time the wake spent off a core)`,
  );
  for (const n of [cold, pool]) {
    line(`cold (store read), ${n.name}, unforeseen trigger`, n.unforeseen);
    line(`cold, ${n.name}, snapshot read ahead (time trigger, batches of ${PREFETCH_BATCH})`, n.readAhead);
  }
}

if (process.argv[2] === 'memory-child') {
  await memoryChild(process.argv[3] as 'bare' | 'active' | 'passivated', Number(process.argv[4]));
} else {
  console.log(`Mandate passivation benchmark — node ${process.version}, ${new Date().toISOString()}`);
  if (N > 0) memory();
  await reactivations();
}
