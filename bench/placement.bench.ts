/**
 * Placement benchmark: `npx tsx bench/placement.bench.ts` (or `npm run bench -- placement`).
 *
 * Real runtime node processes (test/placement/cluster/nodeChild.ts) on a three-server NATS
 * cluster (JetStream, R3 placement buckets) and one PostgreSQL database, payer agents paying a
 * fenced file bank every 250 ms each:
 * - for 1, 2 and 3 nodes: agents hosted per node and cycles (payments) per second over a window;
 * - with 3 nodes: failover time over BENCH_FAILOVER_ROUNDS (default 10) kill -9 rounds, from the
 *   SIGKILL of a node mid-payment until every agent runs exactly once on the survivors, as p50/p99
 *   and as a ratio to the lease TTL (the floor: a survivor cannot tell a dead node from a slow one
 *   sooner than one TTL).
 * On a 2-core machine shared with other work the three nodes, three NATS servers and PostgreSQL
 * contend for the same cores: the cycle rate is bounded by the agents' 250 ms timers, not the nodes.
 */
import { ClusterRun, killRound, percentile, within } from '../test/placement/cluster/ClusterRun.ts';
import { readLedger } from '../test/placement/cluster/fileBank.ts';

const AGENTS = Number(process.env.BENCH_PLACEMENT_AGENTS ?? 12);
const ROUNDS = Number(process.env.BENCH_FAILOVER_ROUNDS ?? 10);
const TTL = Number(process.env.BENCH_LEASE_TTL_MS ?? 2_000);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 8_000);

for (const nodes of [1, 2, 3]) {
  const run = await ClusterRun.start({ nodes, agents: AGENTS, ttlMs: TTL });
  try {
    await within(
      'agents spread over every node',
      120_000,
      () => run.placedOnce() && run.live().every((n) => n.hosted.length > 0),
    );
    const before = readLedger(run.ledger).length;
    const started = Date.now();
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const cycles = readLedger(run.ledger).length - before;
    const perNode = run
      .live()
      .map((n) => `${n.id}:${n.hosted.length}`)
      .join(' ');
    console.log(
      `${nodes} node(s): ${AGENTS} agents hosted (${perNode}), ${(cycles / ((Date.now() - started) / 1000)).toFixed(1)} cycles/s (timer bound ${((AGENTS * 1000) / 250).toFixed(0)}/s)`,
    );
    if (nodes === 3) {
      const failovers: number[] = [];
      for (let i = 0; i < ROUNDS; i++) failovers.push(await killRound(run, TTL + 5_000));
      const p50 = percentile(failovers, 50);
      const p99 = percentile(failovers, 99);
      console.log(
        `failover over ${ROUNDS} kill -9 rounds (lease TTL ${TTL} ms): p50 ${p50} ms, p99 ${p99} ms; p50/TTL ${(p50 / TTL).toFixed(2)}, p99/TTL ${(p99 / TTL).toFixed(2)}`,
      );
      const keys = readLedger(run.ledger).map((l) => l.key);
      console.log(`payments: ${keys.length}, repeated: ${keys.length - new Set(keys).size}`);
    }
  } finally {
    await run.close();
  }
}
