/**
 * Gateway benchmark: `npx tsx bench/gateway.bench.ts`
 *
 * 1. Requests/s for GET /api/agents through the full gateway (Origin and Host
 *    checks, failed-token rate limiting, bearer-token auth, RBAC, query
 *    validation, security headers, the agent list cached until it changes)
 *    against a bare Fastify route sending the same JSON precomputed,
 *    alternating on this machine in this run (medians, ratio, and the median of
 *    each round's paired ratio with its range). Both get the
 *    requests the dashboard sends: a bearer token and its own `Origin`. Beside
 *    wall-clock req/s it prints requests per CPU second of this process (client
 *    and server both run in it): on a shared machine, time spent waiting for a
 *    core slows both targets' wall clock unevenly, their CPU cost much less so.
 * 2. Delay from a transition being published to its arrival on each of 100
 *    live WebSocket clients (p50/p99, the issue's target: < 50 ms), with the
 *    runtime's agents cycling (`BENCH_CLIENTS` to change the count).
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import Fastify from 'fastify';
import { startGatewayFixture } from '../test/e2e/gatewayFixture.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 6000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const CONCURRENCY = 16;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 100);
const TRANSITIONS = Number(process.env.BENCH_TRANSITIONS ?? 300);

/** Requests per wall-clock second, and per CPU second of this process (user + system). */
interface Rate {
  wall: number;
  cpu: number;
}

async function load(url: string, token: string): Promise<Rate> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const target = new URL(url);
  // The same headers to both: the bare route ignores them, the gateway checks every one.
  const headers = { authorization: `Bearer ${token}`, origin: target.origin };
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          agent,
          headers,
        },
        (res) => {
          if (res.statusCode !== 200) reject(new Error(`${url} answered ${res.statusCode}`));
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end();
    });
  for (let i = 0; i < 200; i++) await one(); // warm-up
  let left = REQUESTS;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await one();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  agent.destroy();
  return { wall: REQUESTS / seconds, cpu: REQUESTS / ((cpu.user + cpu.system) / 1e6) };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

// The production throttle settings (10 unknown tokens in a burst), not the tests' relaxed ones.
const fx = await startGatewayFixture({ authThrottle: {} });
try {
  const payload = JSON.stringify({ agents: fx.runtime.listAgents() });
  const bare = Fastify();
  bare.get('/bare', async (_req, reply) => reply.header('content-type', 'application/json').send(payload));
  const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });

  // Alternate the two targets for a few rounds and keep the medians: the machine is shared, so one
  // long run of each would compare two different moments of background load.
  const bareRuns: Rate[] = [];
  const gatewayRuns: Rate[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    bareRuns.push(await load(`${bareUrl}/bare`, fx.tokens.observer));
    gatewayRuns.push(await load(`${fx.url}/api/agents`, fx.tokens.observer));
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  const of = (runs: Rate[], k: keyof Rate): number => median(runs.map((r) => r[k]));
  await bare.close();
  console.log(
    `GET /api/agents (${fx.runtime.listAgents().length} agents, Origin+auth+RBAC+throttle+headers): ${of(gatewayRuns, 'wall').toFixed(0)} req/s, ${of(gatewayRuns, 'cpu').toFixed(0)} req/CPU-s (median of ${ROUNDS}, ${CONCURRENCY} concurrent)`,
  );
  console.log(
    `bare Fastify route, same JSON:           ${of(bareRuns, 'wall').toFixed(0)} req/s, ${of(bareRuns, 'cpu').toFixed(0)} req/CPU-s (median of ${ROUNDS})`,
  );
  // Each round's two runs are seconds apart, so their ratio cancels most of the background load
  // that moves both; the median of those paired ratios is the figure, their range the spread.
  const paired = (k: keyof Rate): number[] =>
    gatewayRuns.map((g, i) => g[k] / (bareRuns[i]?.[k] ?? NaN)).sort((a, b) => a - b);
  const spread = (xs: number[]): string =>
    `median ${median(xs).toFixed(2)}, range ${xs[0]?.toFixed(2)}–${xs.at(-1)?.toFixed(2)}`;
  console.log(
    `ratio gateway/bare:                      ${(of(gatewayRuns, 'wall') / of(bareRuns, 'wall')).toFixed(2)} (wall clock), ${(of(gatewayRuns, 'cpu') / of(bareRuns, 'cpu')).toFixed(2)} (CPU time), ratio of medians`,
  );
  console.log(`paired per round (target ≥ 0.8):         wall ${spread(paired('wall'))}; CPU ${spread(paired('cpu'))}`);

  // Live stream delay: stamp each event when the runtime publishes it, read it on every client.
  const published = new Map<number, number>();
  const unsubscribe = fx.runtime.subscribe((event) => published.set(event.seq, performance.now()));
  const delays: number[] = [];
  const wsUrl = fx.url.replace('http', 'ws') + '/api/live';
  const sockets = await Promise.all(
    Array.from({ length: CLIENTS }, () => {
      const ws = new WebSocket(wsUrl, ['mandate.v1', `bearer.${fx.tokens.observer}`]);
      ws.onmessage = (m) => {
        const at = performance.now();
        const seq = (JSON.parse(String(m.data)) as { seq: number }).seq;
        const sent = published.get(seq);
        if (sent !== undefined) delays.push(at - sent);
      };
      return new Promise<WebSocket>((resolve, reject) => {
        ws.onopen = () => resolve(ws);
        ws.onerror = () => reject(new Error('live socket failed'));
      });
    }),
  );
  await fx.drive(TRANSITIONS);
  await new Promise((r) => setTimeout(r, 300));
  unsubscribe();
  for (const ws of sockets) ws.close();
  delays.sort((a, b) => a - b);
  console.log(
    `live stream, ${CLIENTS} clients, ${delays.length} deliveries: p50 ${percentile(delays, 50).toFixed(2)} ms, p99 ${percentile(delays, 99).toFixed(2)} ms`,
  );
} finally {
  await fx.close();
}
