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
  it('metrics - CPU between phase boundaries is split evenly among the phases in flight, and adds up', () => {
    let cpu = 0;
    const shares = new PhaseCpuShares(() => cpu);
    cpu = 5; // before any phase: attributed to none
    const a = shares.open();
    cpu = 6; // a alone: 1 s
    const b = shares.open();
    cpu = 8; // a and b: 1 s each
    expect(shares.close(a)).toBeCloseTo(2);
    cpu = 9.5; // b alone: 1.5 s
    expect(shares.close(b)).toBeCloseTo(2.5);
    expect(shares.inFlight).toBe(0);
    cpu = 20;
    expect(shares.close(shares.open())).toBe(0);
  });

  it('metrics - the telemetry counts each agent’s phase share under mandate_agent_cpu_seconds_total', () => {
    let cpu = 0;
    const t = new RuntimeTelemetry({ now: () => 0, region: 'eu', cpu: () => cpu });
    t.onAgentTransition('a', { from: 'init', to: 'idle' });
    t.onAgentTransition('a', { from: 'idle', to: 'perceive' });
    cpu = 0.4;
    t.onAgentTransition('b', { from: 'idle', to: 'decide' }); // b's first transition: it enters decide
    cpu = 1;
    t.onAgentTransition('a', { from: 'perceive', to: 'decide' });
    cpu = 1.2;
    t.onAgentTransition('a', { from: 'decide', to: 'awaitingApproval' }); // not a phase: no CPU while waiting
    cpu = 2;
    t.onAgentTransition('b', { from: 'decide', to: 'idle' });
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
    expect(line(text, 'mandate_agent_cpu_seconds_total{agent="a",phase="perceive"}')).toBeCloseTo(0.7);
    expect(line(text, 'mandate_agent_cpu_seconds_total{agent="a",phase="decide"}')).toBeCloseTo(0.1);
    expect(line(text, 'mandate_agent_cpu_seconds_total{agent="b",phase="decide"}')).toBeCloseTo(1.2);
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
          burn(0.05);
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
    const perceive = family.series.find((s) => s.labels.agent === 'cruncher' && s.labels.phase === 'perceive');
    expect(perceive?.value).toBeGreaterThanOrEqual(0.05);
    const decide = family.series.find((s) => s.labels.agent === 'cruncher' && s.labels.phase === 'decide');
    expect(decide?.value).toBeLessThan(perceive!.value!);
    const text = prometheusText(metrics, { liveClients: 0 });
    expect(line(text, 'mandate_agent_cpu_seconds_total{agent="cruncher",phase="perceive"}')).toBe(perceive!.value);
    // Not sandboxed: no sandbox series for it.
    expect(text).not.toContain('mandate_sandbox_cpu_seconds_total{agent="cruncher"');
    await runtime.shutdown();
  });
});
