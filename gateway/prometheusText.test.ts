import { describe, expect, it } from 'vitest';
import { prometheusText } from './prometheusText.ts';

describe('gateway - Prometheus text', () => {
  it('gateway - renders per-agent counters, payments by status and escapes label values', () => {
    const text = prometheusText(
      {
        agents: [{ id: 'a"1\\x', cycles: 3, failures: 1, restarts: 0, state: 'cycle.idle', health: 87 }],
        approvalsPending: 2,
        payments: { succeeded: 5, failed: 1 },
        actions: { succeeded: 7 },
        alerts: [{ status: 'open', severity: 'critical', count: 2 }],
        trends: [],
        families: [
          {
            name: 'mandate_payments_total',
            type: 'counter',
            help: 'Payments.',
            series: [{ labels: { agent: 'p', rail: 'sepa', mode: 'live', status: 'failed' }, value: 1 }],
          },
          {
            name: 'mandate_phase_duration_seconds',
            type: 'histogram',
            help: 'Phases.',
            bounds: [0.1, 1],
            series: [{ labels: { agent: 'p', phase: 'act' }, buckets: [1, 2], sum: 0.55, count: 3 }],
          },
        ],
        messages: { sent: 10, received: 9, rejected: 1 },
        hosted: { active: 3, passivated: 1_000 },
        queues: { phases: 2, persistence: 17 },
      },
      { liveClients: 4 },
    );
    expect(text).toContain('# TYPE mandate_agent_cycles_total counter');
    expect(text).toContain('mandate_agent_cycles_total{agent="a\\"1\\\\x"} 3');
    expect(text).toContain('mandate_agent_state{agent="a\\"1\\\\x",state="cycle.idle"} 1');
    expect(text).toContain('# TYPE mandate_agent_health gauge');
    expect(text).toContain('mandate_agent_health{agent="a\\"1\\\\x"} 87');
    expect(text).toContain('mandate_approvals_pending 2');
    expect(text).toContain('mandate_agents_hosted{status="active"} 3');
    expect(text).toContain('mandate_agents_hosted{status="passivated"} 1000');
    expect(text).toContain('mandate_queue_depth{queue="phases"} 2');
    expect(text).toContain('mandate_queue_depth{queue="persistence"} 17');
    expect(text).toContain('mandate_payments_total{agent="p",rail="sepa",mode="live",status="failed"} 1');
    expect(text).toContain('# TYPE mandate_phase_duration_seconds histogram');
    expect(text).toContain('mandate_phase_duration_seconds_bucket{agent="p",phase="act",le="0.1"} 1');
    expect(text).toContain('mandate_phase_duration_seconds_bucket{agent="p",phase="act",le="+Inf"} 3');
    expect(text).toContain('mandate_phase_duration_seconds_sum{agent="p",phase="act"} 0.55');
    expect(text).toContain('mandate_phase_duration_seconds_count{agent="p",phase="act"} 3');
    expect(text).toContain('mandate_messages_total{direction="rejected"} 1');
    expect(text).toContain('mandate_gateway_live_clients 4');
    expect(text.endsWith('\n')).toBe(true);
    for (const line of text.trim().split('\n'))
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{.*\})? -?\d+(\.\d+)?)$/);
  });
});
