/**
 * Renders runtime metrics in the Prometheus text exposition format (0.0.4).
 */
import type { RuntimeMetrics } from './RuntimeApi.ts';

/** Extra gauges the gateway itself contributes. */
export interface GatewayGauges {
  liveClients: number;
}

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function block(
  name: string,
  type: 'counter' | 'gauge',
  help: string,
  samples: Array<[Record<string, string>, number]>,
): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  for (const [labels, value] of samples) {
    const keys = Object.keys(labels);
    const rendered = keys.length === 0 ? '' : `{${keys.map((k) => `${k}="${label(labels[k] ?? '')}"`).join(',')}}`;
    lines.push(`${name}${rendered} ${Number.isFinite(value) ? value : 0}`);
  }
  return lines.join('\n');
}

/** The text body of GET /metrics. */
export function prometheusText(metrics: RuntimeMetrics, gateway: GatewayGauges): string {
  const agents = metrics.agents;
  return (
    [
      block(
        'mandate_agent_cycles_total',
        'counter',
        'Completed perceive-decide-act-learn cycles per agent.',
        agents.map((a) => [{ agent: a.id }, a.cycles]),
      ),
      block(
        'mandate_agent_failures_total',
        'counter',
        'Failed cycles per agent.',
        agents.map((a) => [{ agent: a.id }, a.failures]),
      ),
      block(
        'mandate_agent_restarts_total',
        'counter',
        'Supervisor restarts per agent.',
        agents.map((a) => [{ agent: a.id }, a.restarts]),
      ),
      block(
        'mandate_agent_state',
        'gauge',
        'Current state of each agent (1 for the state it is in).',
        agents.map((a) => [{ agent: a.id, state: a.state }, 1]),
      ),
      block('mandate_approvals_pending', 'gauge', 'Approvals waiting for a decision.', [
        [{}, metrics.approvalsPending],
      ]),
      block(
        'mandate_payments_total',
        'counter',
        'Payments by status.',
        Object.entries(metrics.payments).map(([status, n]) => [{ status }, n]),
      ),
      block('mandate_messages_total', 'counter', 'Agent messages by direction.', [
        [{ direction: 'sent' }, metrics.messages.sent],
        [{ direction: 'received' }, metrics.messages.received],
        [{ direction: 'rejected' }, metrics.messages.rejected],
      ]),
      block('mandate_gateway_live_clients', 'gauge', 'Clients connected to the live inspection stream.', [
        [{}, gateway.liveClients],
      ]),
    ].join('\n') + '\n'
  );
}
