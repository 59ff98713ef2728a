import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { RulesDecider } from '../../actors/index.ts';
import { prometheusText } from '../../gateway/prometheusText.ts';
import { createRuntime, defineAgent } from '../index.ts';
import { PhaseCpuShares, threadCpuSeconds } from './PhaseCpuShares.ts';
import { RuntimeTelemetry } from './RuntimeTelemetry.ts';

/** The value of the `/metrics` line `series` in `text`, or undefined. */
function line(text: string, series: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${series} `));
  return found === undefined ? undefined : Number(found.slice(series.length + 1));
}

/** Burns at least `seconds` of this thread's CPU (measured, not timed: a slow machine only takes longer). */
function burn(seconds: number): void {
  const until = threadCpuSeconds() + seconds;
  let x = 0;
  while (threadCpuSeconds() < until) for (let i = 0; i < 10_000; i++) x += Math.sqrt(i);
  if (x < 0) throw new Error('unreachable');
}

describe('per-agent host CPU', () => {
  it('metrics - a lone phase gets exactly the CPU between its reads; overlapping ones share it by wall time', () => {
    let cpu = 0;
    let wall = 0;
    const got: Array<[string, number]> = [];
    const shares = new PhaseCpuShares<string>({
      cpu: () => cpu,
      wall: () => wall,
      credit: (t, s) => got.push([t, s]),
      policy: { minGapMs: 0 },
    });
    cpu = 5; // before any phase: attributed to none
    wall = 100;
    const a = shares.open(); // none → one in flight: a CPU read
    cpu = 6;
    wall = 110; // a alone for 10 ms
    const b = shares.open();
    cpu = 8;
    wall = 120; // a and b for 10 ms
    shares.close(a, 'a');
    expect(got).toEqual([]); // credited at the next read, not at its end
    cpu = 9.5;
    wall = 135; // b alone for 15 ms
    shares.close(b, 'b'); // the last one ends: a read. 4.5 s over 35 ms of wall: 10 ms = 9/7 s
    expect(got.map(([t]) => t)).toEqual(['a', 'b']);
    expect(got[0]![1]).toBeCloseTo((4.5 * (10 + 5)) / 35);
    expect(got[1]![1]).toBeCloseTo((4.5 * (5 + 15)) / 35);
    expect(got[0]![1] + got[1]![1]).toBeCloseTo(4.5); // the span's CPU, all of it: a phase ran throughout
    expect(shares.inFlight).toBe(0);
    cpu = 20;
    wall = 500; // idle: nothing
    const c = shares.open();
    shares.close(c, 'c');
    expect(got[2]).toEqual(['c', 0]);
  });

  it('metrics - the CPU is read once per cycle boundary at most once per minGapMs, and a batch is shared by wall time', () => {
    let cpu = 0;
    let wall = 0;
    let reads = 0;
    const got: number[] = [];
    const shares = new PhaseCpuShares<number>({
      cpu: () => (reads++, cpu),
      wall: () => wall,
      credit: (_t, s) => got.push(s),
      policy: { minGapMs: 1 },
    });
    reads = 0;
    // Ten back-to-back two-phase cycles of 0.05 ms each (0.01 ms apart) and 0.04 ms of CPU each: 0.6 ms in all.
    for (let i = 0; i < 10; i++) {
      const first = shares.open();
      wall += 0.02;
      cpu += 0.00001;
      const second = shares.step(first, i, true)!;
      wall += 0.03;
      cpu += 0.00003;
      shares.close(second, 100 + i);
      wall += 0.01;
    }
    expect(reads).toBe(0); // under a millisecond since the last read: none yet
    expect(got).toEqual([]);
    wall += 0.5; // idle for 0.5 ms, 0.00001 s of host CPU
    cpu += 0.00001;
    const next = shares.open(); // 1.1 ms after the last read, none → one in flight: read
    expect(reads).toBe(1);
    // 0.00041 s over 1.1 ms, evenly: 0.5 ms had a phase in flight (first phases 0.2 ms, second 0.3 ms).
    expect(got).toHaveLength(20);
    const total = got.reduce((x, y) => x + y, 0);
    expect(total).toBeCloseTo((0.00041 * 0.5) / 1.1, 10);
    expect(got[0]).toBeCloseTo((0.00041 * 0.02) / 1.1, 10);
    expect(got[1]).toBeCloseTo((0.00041 * 0.03) / 1.1, 10);
    wall += 5;
    cpu += 0.002;
    shares.close(next, -1); // the cycle ends: read; it alone gets its 5 ms's CPU
    expect(reads).toBe(2);
    expect(got[20]).toBeCloseTo(0.002, 10);
    shares.flush();
    expect(reads).toBe(3);
  });

  it('metrics - the telemetry counts each agent’s phase share under mandate_agent_cpu_seconds_total', () => {
    let cpu = 0;
    let wall = 0;
    const t = new RuntimeTelemetry({
      now: () => 0,
      region: 'eu',
      cpu: () => cpu,
      wall: () => wall,
      cpuReads: { minGapMs: 0 },
    });
    t.onAgentTransition('a', { from: 'init', to: 'idle' });
    t.onAgentTransition('a', { from: 'idle', to: 'perceive' });
    cpu = 0.4;
    wall = 4;
    t.onAgentTransition('b', { from: 'idle', to: 'decide' }); // b's first transition: it enters decide
    cpu = 1;
    wall = 10;
    t.onAgentTransition('a', { from: 'perceive', to: 'decide' });
    cpu = 1.2;
    wall = 12;
    t.onAgentTransition('a', { from: 'decide', to: 'awaitingApproval' }); // not a phase: no CPU while waiting
    cpu = 2;
    wall = 20;
    t.onAgentTransition('b', { from: 'decide', to: 'idle' }); // the last phase ends: a read, 2 s over 20 ms
    t.forget('a');
    const metrics = {
      agents: [],
      hosted: { active: 0, passivated: 0 },
      queues: { phases: 0, persistence: 0 },
      approvalsPending: 0,
      families: t.families(),
      alerts: [],
      messages: { sent: 0, received: 0, rejected: 0 },
    };
    const text = prometheusText(metrics as never, { liveClients: 0 });
    expect(text).toContain('# TYPE mandate_agent_cpu_seconds_total counter');
    // 0.1 s per ms: a alone 4 ms, a and b 8 ms; b alone 8 ms.
    expect(line(text, 'mandate_agent_cpu_seconds_total{agent="a",phase="perceive"}')).toBeCloseTo(0.4 + 0.3);
    expect(line(text, 'mandate_agent_cpu_seconds_total{agent="a",phase="decide"}')).toBeCloseTo(0.1);
    expect(line(text, 'mandate_agent_cpu_seconds_total{agent="b",phase="decide"}')).toBeCloseTo(0.3 + 0.1 + 0.8);
    expect(text).not.toContain('mandate_agent_cpu_seconds_total{agent="a",phase="awaitingApproval"}');
  });

  it('metrics - an in-process agent whose perceive burns CPU shows it under perceive, in /metrics and the JSON metrics', async () => {
    const runtime = await createRuntime({ clock: new SimulatedClock(), region: 'eu' });
    await runtime.spawn(
      defineAgent({
        id: 'cruncher',
        capabilities: ['gates.write'],
        permissions: [{ capability: 'gates.write', accounts: ['ops'] }],
        perceive: () => {
          burn(0.1);
          return { go: false };
        },
        decide: RulesDecider.fromObject({
          rules: [
            {
              name: 'never',
              conditions: { all: [{ fact: 'go', operator: 'equal', value: true }] },
              event: { type: 'gate.set', capability: 'gates.write', account: 'ops', rationale: 'never' },
            },
          ],
        }),
      }),
    );
    expect(await runtime.trigger('cruncher', { kind: 'human', id: 'alice' })).toBe(true);
    for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
    const metrics = runtime.metrics();
    const family = metrics.families.find((f) => f.name === 'mandate_agent_cpu_seconds_total')!;
    const mine = family.series.filter((s) => s.labels.agent === 'cruncher');
    const perceive = mine.find((s) => s.labels.phase === 'perceive');
    // The cycle's CPU (reads at its start and end) shared by wall time: perceive burned 0.1 s of it.
    const total = mine.reduce((sum, s) => sum + s.value!, 0);
    expect(total).toBeGreaterThanOrEqual(0.09);
    expect(perceive!.value!).toBeGreaterThan(total / 2);
    const text = prometheusText(metrics, { liveClients: 0 });
    expect(line(text, 'mandate_agent_cpu_seconds_total{agent="cruncher",phase="perceive"}')).toBe(perceive!.value);
    // Not sandboxed: no sandbox series for it.
    expect(text).not.toContain('mandate_sandbox_cpu_seconds_total{agent="cruncher"');
    await runtime.shutdown();
  });
});
