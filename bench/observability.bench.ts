/**
 * Observability benchmark (issue 13). Prints, in one run:
 *  - events/s through a Mandate agent with metrics (histograms, counters) and tracing (a trace per
 *    cycle exported over OTLP/HTTP) on vs both off (ratio; target ≥ 0.9);
 *  - rules-only full cycles/s, the same on vs off (ratio; target ≥ 0.9);
 *  - spans exported vs dropped, as the exporter and the collector count them;
 *  - alert delivery latency, `runtime.alert()` to the request arriving at a local Slack-format
 *    receiver, p50 / p99 over `MANDATE_BENCH_ALERTS` alerts (default 200), rate limit lifted.
 *
 * Fair by construction: the OTLP collector runs in a child process of its own (its parsing is not
 * charged to the runtime, and it does not steal the bench's event loop); the measured loops yield to
 * the event loop every few cycles (on and off alike) so the exporter's requests really go out during
 * the measurement, and an "on" round ends only when its spans are all answered (`flush`). Rounds are
 * paired and alternate which side runs first; each pair gives a ratio of wall time and of the
 * process's CPU time (user + system), and the median pair is printed. The sampler is the one
 * `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` name (unset: parentbased_always_on, every trace).
 *
 * Run: npm run bench -- observability   (or: node --expose-gc --import tsx bench/observability.bench.ts)
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RulesDecider } from '../actors/index.ts';
import { ErrorCode } from '../kernel/index.ts';
import { defineAgent, MandateRuntimeImpl, SlackSink } from '../runtime/index.ts';
import { samplerFromEnv } from '../runtime/tracing/sampler.ts';

const rules = {
  rules: [
    {
      name: 'eur-high',
      priority: 1,
      conditions: { all: [{ fact: 'eurShare', operator: 'greaterThan', value: 0.45 }] },
      event: { type: 'none' },
    },
  ],
};

/** The collector, in its own process: counts the spans of each export (`{"traceId"` opens each one), answers 200. */
const COLLECTOR = `
const http = require('node:http');
let spans = 0, requests = 0;
const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    requests++;
    for (let i = body.indexOf('{"traceId"'); i !== -1; i = body.indexOf('{"traceId"', i + 10)) spans++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', () => process.send({ spans, requests }));
process.on('disconnect', () => process.exit(0));
`;

interface Collector {
  url: string;
  counts(): Promise<{ spans: number; requests: number }>;
  close(): void;
}

async function collector(): Promise<Collector> {
  const child = spawn(process.execPath, ['-e', COLLECTOR], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (m) => resolve((m as { port: number }).port)),
  );
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () =>
      new Promise((resolve) => {
        child.once('message', (m) => resolve(m as { spans: number; requests: number }));
        child.send('counts');
      }),
    close: () => child.disconnect(),
  };
}

async function runtimeWith(on: boolean, otlp: string): Promise<MandateRuntimeImpl> {
  const runtime = new MandateRuntimeImpl(on ? { metrics: true, tracing: { endpoint: otlp } } : { metrics: false });
  await runtime.start();
  await runtime.spawn(
    defineAgent({
      id: 'm',
      capabilities: ['x.y'],
      perceive: () => ({ eurShare: 0.5 }),
      decide: RulesDecider.fromObject(rules),
    }),
  );
  return runtime;
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const gc = (globalThis as { gc?: () => void }).gc;

/** Wall and CPU milliseconds of one measured round. */
interface Round {
  wall: number;
  cpu: number;
}

async function measure(work: () => Promise<void>): Promise<Round> {
  gc?.();
  await turn();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1_000 };
}

/** Agent events (pause/resume, no cycle), in chunks between which the event loop turns. */
async function events(r: MandateRuntimeImpl, n: number): Promise<void> {
  const host = r.services().tree.require('m');
  for (let i = 0; i < n; i++) {
    host.deliver(i % 2 === 0 ? { type: 'agent.pause' } : { type: 'agent.resume' });
    if (i % 1_000 === 999) await turn();
  }
  await r.services().tracing?.exporter.flush();
}

/** Rules-only full cycles, one after another; the event loop turns every 8 cycles. */
async function cycles(r: MandateRuntimeImpl, n: number): Promise<void> {
  const { tree, tasks } = r.services();
  const host = tree.require('m');
  for (let i = 0; i < n; i++) {
    const done = tasks.waitForCycle(host, host.context.cycle + 1);
    host.deliver({ type: 'agent.trigger', trigger: { kind: 'user', name: 'bench', at: 0 } });
    await done;
    if (i % 8 === 7) await turn();
  }
  await r.services().tracing?.exporter.flush();
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Paired rounds, alternating which side goes first; ratios are on/off throughput (off time / on time). */
async function paired(
  { label, n, run }: { label: string; n: number; run: (r: MandateRuntimeImpl, n: number) => Promise<void> },
  { on, off }: { on: MandateRuntimeImpl; off: MandateRuntimeImpl },
  pairs: number,
): Promise<void> {
  await run(off, n);
  await run(on, n);
  const wall: number[] = [];
  const cpu: number[] = [];
  const rates = { on: [] as number[], off: [] as number[] };
  for (let p = 0; p < pairs; p++) {
    const first = p % 2 === 0 ? off : on;
    const a = await measure(() => run(first, n));
    const b = await measure(() => run(first === off ? on : off, n));
    const [rOff, rOn] = first === off ? [a, b] : [b, a];
    wall.push(rOff.wall / rOn.wall);
    cpu.push(rOff.cpu / rOn.cpu);
    rates.off.push((n / rOff.wall) * 1_000);
    rates.on.push((n / rOn.wall) * 1_000);
  }
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
  console.log(
    `${label}  off ${fmt(median(rates.off))}/s   metrics+tracing on ${fmt(median(rates.on))}/s   ` +
      `ratio wall ${median(wall).toFixed(2)} (pairs ${Math.min(...wall).toFixed(2)}–${Math.max(...wall).toFixed(2)})   ` +
      `CPU ${median(cpu).toFixed(2)} (${Math.min(...cpu).toFixed(2)}–${Math.max(...cpu).toFixed(2)})   (target ≥ 0.9)`,
  );
}

async function eventsAndCycles(): Promise<void> {
  const otlp = await collector();
  const on = await runtimeWith(true, otlp.url);
  const off = await runtimeWith(false, otlp.url);
  const pairs = Number(process.env.MANDATE_BENCH_PAIRS ?? 8);
  console.log(`sampler ${samplerFromEnv(process.env).describe()}; load average ${loadavg()}`);
  await paired({ label: 'events/s ', n: 100_000, run: events }, { on, off }, pairs);
  await paired({ label: 'cycles/s ', n: 4_000, run: cycles }, { on, off }, pairs);
  const exporter = on.services().tracing!.exporter;
  await exporter.flush();
  const s = exporter.stats();
  const got = await otlp.counts();
  console.log(
    `spans      exported ${s.exported.toLocaleString('en-US')} (collector counted ${got.spans.toLocaleString('en-US')} in ${got.requests.toLocaleString('en-US')} requests over ${s.connections} connections)   dropped ${s.dropped.toLocaleString('en-US')} (queue full)   failed ${s.failed.toLocaleString('en-US')}`,
  );
  const phases = on.metrics().families.find((f) => f.name === 'mandate_phase_duration_seconds');
  console.log(`           (${phases?.series.length ?? 0} phase-duration series recorded with metrics+tracing on)`);
  await on.shutdown();
  await off.shutdown();
  otlp.close();
}

function loadavg(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

async function alertLatency(): Promise<void> {
  const n = Number(process.env.MANDATE_BENCH_ALERTS ?? 200);
  const arrived = new Map<string, number>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const text = (JSON.parse(body) as { text: string }).text;
      arrived.set(/bench-(\d+)/.exec(text)?.[1] ?? '?', performance.now());
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const runtime = new MandateRuntimeImpl({
    alerting: { sinks: [new SlackSink({ url, perMinute: 600_000 })] },
  });
  await runtime.start();
  const latencies: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    // A distinct actor per alert: no dedup folding, every one is delivered.
    runtime.alert({
      severity: 'warning',
      code: ErrorCode.MANDATE_ERR_ACTOR_CRASHED,
      message: `bench-${i} restarted`,
      actorId: `agent-${i}`,
    });
    await runtime.services().alertBook.flush();
    latencies.push(arrived.get(String(i))! - t0);
  }
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!.toFixed(2);
  console.log(`alert delivery to a local Slack-format receiver: p50 ${q(0.5)} ms   p99 ${q(0.99)} ms   (${n} alerts)`);
  await runtime.shutdown();
  await new Promise<void>((r) => server.close(() => r()));
}

await eventsAndCycles();
await alertLatency();
console.log(`load average at the end ${loadavg()}`);
