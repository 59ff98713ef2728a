/**
 * Renders runtime metrics in the Prometheus text exposition format (0.0.4).
 */
import type { FamilySnapshot, RuntimeMetrics } from './RuntimeApi.ts';

/** Extra gauges the gateway itself contributes. */
export interface GatewayGauges {
  liveClients: number;
}

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** One metric family: its name, type and help text. */
interface Metric {
  name: string;
  type: 'counter' | 'gauge';
  help: string;
}

function block({ name, type, help }: Metric, samples: Array<[Record<string, string>, number]>): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) {
    const keys = Object.keys(labels);
    const rendered = keys.length === 0 ? '' : `{${keys.map((k) => `${k}="${label(labels[k] ?? '')}"`).join(',')}}`;
    lines.push(`${name}${rendered} ${Number.isFinite(value) ? value : 0}`);
  }
  return lines.join('\n');
}

function rendered(labels: Record<string, string>, extra?: [string, string]): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${label(v)}"`);
  if (extra !== undefined) pairs.push(`${extra[0]}="${extra[1]}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/** A counter, gauge or histogram family of the runtime's telemetry (`_bucket`/`_sum`/`_count` for histograms). */
function family(f: FamilySnapshot): string {
  const lines = [`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`];
  for (const s of f.series) {
    if (f.type !== 'histogram') {
      lines.push(`${f.name}${rendered(s.labels)} ${Number.isFinite(s.value) ? s.value : 0}`);
      continue;
    }
    const bounds = f.bounds ?? [];
    bounds.forEach((le, i) =>
      lines.push(`${f.name}_bucket${rendered(s.labels, ['le', String(le)])} ${s.buckets?.[i] ?? 0}`),
    );
    lines.push(`${f.name}_bucket${rendered(s.labels, ['le', '+Inf'])} ${s.count ?? 0}`);
    lines.push(`${f.name}_sum${rendered(s.labels)} ${s.sum ?? 0}`);
    lines.push(`${f.name}_count${rendered(s.labels)} ${s.count ?? 0}`);
  }
  return lines.join('\n');
}

/** The text body of GET /metrics. */
export function prometheusText(metrics: RuntimeMetrics, gateway: GatewayGauges): string {
  const agents = metrics.agents;
  return (
    [
      block(
        {
          name: 'mandate_agent_cycles_total',
          type: 'counter',
          help: 'Completed perceive-decide-act-learn cycles per agent.',
        },
        agents.map((a) => [{ agent: a.id }, a.cycles]),
      ),
      block(
        { name: 'mandate_agent_failures_total', type: 'counter', help: 'Failed cycles per agent.' },
        agents.map((a) => [{ agent: a.id }, a.failures]),
      ),
      block(
        { name: 'mandate_agent_restarts_total', type: 'counter', help: 'Supervisor restarts per agent.' },
        agents.map((a) => [{ agent: a.id }, a.restarts]),
      ),
      block(
        {
          name: 'mandate_agent_health',
          type: 'gauge',
          help: 'Health score per agent, 0-100: error rate, phase latency, reputation and sandbox CPU use (docs/health.md).',
        },
        agents.map((a) => [{ agent: a.id }, a.health]),
      ),
      block(
        { name: 'mandate_agent_state', type: 'gauge', help: 'Current state of each agent (1 for the state it is in).' },
        agents.map((a) => [{ agent: a.id, state: a.state }, 1]),
      ),
      block(
        {
          name: 'mandate_agents_hosted',
          type: 'gauge',
          help: 'Agents on this node: active (in memory) and passivated (snapshot only).',
        },
        [
          [{ status: 'active' }, metrics.hosted.active],
          [{ status: 'passivated' }, metrics.hosted.passivated],
        ],
      ),
      block(
        {
          name: 'mandate_queue_depth',
          type: 'gauge',
          help: 'Work waiting on this node: agents inside a phase, and snapshots and journal entries not yet written.',
        },
        [
          [{ queue: 'phases' }, metrics.queues.phases],
          [{ queue: 'persistence' }, metrics.queues.persistence],
        ],
      ),
      block({ name: 'mandate_approvals_pending', type: 'gauge', help: 'Approvals waiting for a decision.' }, [
        [{}, metrics.approvalsPending],
      ]),
      ...metrics.families.map(family),
      block(
        {
          name: 'mandate_alerts',
          type: 'gauge',
          help: 'Kept alerts by status (open, acknowledged, resolved) and severity.',
        },
        metrics.alerts.map((a) => [{ status: a.status, severity: a.severity }, a.count]),
      ),
      block({ name: 'mandate_messages_total', type: 'counter', help: 'Agent messages by direction.' }, [
        [{ direction: 'sent' }, metrics.messages.sent],
        [{ direction: 'received' }, metrics.messages.received],
        [{ direction: 'rejected' }, metrics.messages.rejected],
      ]),
      block(
        {
          name: 'mandate_gateway_live_clients',
          type: 'gauge',
          help: 'Clients connected to the live inspection stream.',
        },
        [[{}, gateway.liveClients]],
      ),
    ].join('\n') + '\n'
  );
}
