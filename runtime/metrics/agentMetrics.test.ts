import { describe, expect, it } from 'vitest';
import type { Proposal } from '../../actors/index.ts';
import { prometheusText } from '../../gateway/prometheusText.ts';
import type { RuntimeMetrics } from '../MandateRuntime.ts';
import { AgentTrends } from './AgentTrends.ts';
import { RuntimeTelemetry } from './RuntimeTelemetry.ts';

/** The `/metrics` lines of `telemetry`'s families alone. */
function text(telemetry: RuntimeTelemetry): string[] {
  const metrics = {
    agents: [],
    hosted: { active: 0, passivated: 0 },
    queues: { phases: 0, persistence: 0 },
    approvalsPending: 0,
    families: telemetry.families(),
    alerts: [],
    messages: { sent: 0, received: 0, rejected: 0 },
  } as unknown as RuntimeMetrics;
  return prometheusText(metrics, { liveClients: 0 }).split('\n');
}

const swap = (agentId: string) =>
  ({ agentId, action: { type: 'fx.swap', amount: { value: '1000', asset: 'USDC' } } }) as unknown as Proposal;

describe('per-agent and financial metrics', () => {
  it('metrics - sandbox CPU is counted once per sandboxed call, under the phase it ran in', () => {
    let now = 0;
    const t = new RuntimeTelemetry({ now: () => now, region: 'eu' });
    const first = { cpuMs: 40 };
    t.onAgentTransition('quant', { from: 'init', to: 'idle' }, undefined);
    t.onAgentTransition('quant', { from: 'idle', to: 'perceive' }, undefined);
    now = 100;
    t.onAgentTransition('quant', { from: 'perceive', to: 'decide' }, first); // perceive ran in the sandbox
    now = 150;
    t.onAgentTransition('quant', { from: 'decide', to: 'propose' }, first); // decide did not (the same usage)
    now = 160;
    const second = { cpuMs: 10, heapBytes: 900_000 };
    t.onAgentTransition('quant', { from: 'propose', to: 'learn' }, second);
    t.onAgentTransition('quant', { from: 'learn', to: 'idle' }, { cpuMs: 5 });
    const lines = text(t);
    expect(lines).toContain('mandate_sandbox_cpu_seconds_total{agent="quant",phase="perceive"} 0.04');
    expect(lines).toContain('mandate_sandbox_cpu_seconds_total{agent="quant",phase="propose"} 0.01');
    expect(lines).toContain('mandate_sandbox_cpu_seconds_total{agent="quant",phase="learn"} 0.005');
    expect(lines.some((l) => l.startsWith('mandate_sandbox_cpu_seconds_total{agent="quant",phase="decide"}'))).toBe(
      false,
    );
    expect(lines).toContain('mandate_sandbox_calls_total{agent="quant",phase="perceive"} 1');
    expect(lines).toContain('mandate_sandbox_heap_bytes{agent="quant"} 900000');
    expect(lines).toContain('# TYPE mandate_sandbox_cpu_seconds_total counter');
  });

  it('metrics - realized P&L adds up per agent, currency and mode, losses included, as a gauge', () => {
    const t = new RuntimeTelemetry({ now: () => 0, region: 'eu' });
    t.onSettled(swap('fx'), { status: 'succeeded', pnl: { value: '-3.25', asset: 'EURC' } }, 'live');
    t.onSettled(swap('fx'), { status: 'succeeded', pnl: { value: '1.5', asset: 'EURC' } }, 'live');
    t.onSettled(swap('fx'), { status: 'would-have-sent', pnl: { value: '2', asset: 'EURC' } }, 'dry-run');
    t.onSettled(swap('fx'), { status: 'succeeded' }, 'live');
    const lines = text(t);
    expect(lines).toContain('# TYPE mandate_realized_pnl gauge');
    expect(lines).toContain('mandate_realized_pnl{agent="fx",currency="EURC",mode="live"} -1.75');
    expect(lines).toContain('mandate_realized_pnl{agent="fx",currency="EURC",mode="dry-run"} 2');
  });

  it('metrics - strategy positions set value, cost basis and unrealized P&L gauges from the last step that valued them', () => {
    const t = new RuntimeTelemetry({ now: () => 0, region: 'eu' });
    const stake = (value: string, costBasis: string, unrealizedPnl: string) => ({
      position: 'erc4626:0xvault',
      currency: 'USDC',
      value,
      costBasis,
      unrealizedPnl,
      realizedPnl: '0',
    });
    t.onSettled(swap('strategist'), { status: 'succeeded', positions: [stake('100', '100', '0')] }, 'live');
    t.onSettled(swap('strategist'), { status: 'succeeded', positions: [stake('105.5', '100', '5.5')] }, 'live');
    t.onSettled(swap('strategist'), { status: 'failed' }, 'live');
    const lines = text(t);
    expect(lines).toContain('# TYPE mandate_unrealized_pnl gauge');
    expect(lines).toContain(
      'mandate_position_value{agent="strategist",position="erc4626:0xvault",currency="USDC"} 105.5',
    );
    expect(lines).toContain(
      'mandate_position_cost_basis{agent="strategist",position="erc4626:0xvault",currency="USDC"} 100',
    );
    expect(lines).toContain(
      'mandate_unrealized_pnl{agent="strategist",position="erc4626:0xvault",currency="USDC"} 5.5',
    );
  });

  it('metrics - trends follow the cycles: a slowing, failing agent has a rising EWMA, a positive slope and a worse forecast', () => {
    const trends = new AgentTrends();
    for (let i = 0; i < 5; i++) trends.onCycle('steady', 1, false);
    expect(trends.trend('steady', 'cycle_seconds')).toEqual({ level: 1, slope: 0, forecast: 1 });
    expect(trends.trend('steady', 'error_rate')?.forecast).toBe(0);
    for (let i = 0; i < 10; i++) trends.onCycle('slowing', 1 + i, i >= 5);
    const slow = trends.trend('slowing', 'cycle_seconds')!;
    expect(slow.level).toBeGreaterThan(4);
    expect(slow.level).toBeLessThan(10);
    expect(slow.slope).toBeGreaterThan(0);
    expect(slow.forecast).toBeGreaterThan(slow.level);
    const errors = trends.trend('slowing', 'error_rate')!;
    expect(errors.level).toBeGreaterThan(0.5);
    expect(errors.forecast).toBeLessThanOrEqual(1);
    const t = new RuntimeTelemetry({ now: () => 0, region: 'eu' });
    t.trends.onCycle('a', 2, true);
    const lines = text(t);
    expect(lines).toContain('# TYPE mandate_agent_ewma gauge');
    expect(lines).toContain('mandate_agent_ewma{agent="a",metric="cycle_seconds"} 2');
    expect(lines).toContain('mandate_agent_forecast{agent="a",metric="error_rate"} 1');
    expect(trends.trend('unknown', 'error_rate')).toBeUndefined();
  });

  it('metrics - the trend report recommends only where a trend points the wrong way, in plain language', () => {
    const trends = new AgentTrends();
    for (let i = 0; i < 8; i++) trends.onCycle('steady', 1, false);
    for (let i = 0; i < 10; i++) trends.onCycle('slowing', 1 + i, i >= 5);
    const report = trends.report();
    expect(report).toHaveLength(4);
    const of = (agent: string, metric: string) => report.find((r) => r.agent === agent && r.metric === metric)!;
    expect(of('steady', 'cycle_seconds').recommendation).toBeNull();
    expect(of('steady', 'error_rate').recommendation).toBeNull();
    expect(of('slowing', 'cycle_seconds').recommendation).toMatch(/^slowing's cycles are getting slower \(\d/);
    expect(of('slowing', 'error_rate').recommendation).toMatch(/^slowing is failing more often \(\d+% of cycles now/);
    expect(of('slowing', 'error_rate').forecast).toBeGreaterThan(of('slowing', 'error_rate').level);
  });
});
