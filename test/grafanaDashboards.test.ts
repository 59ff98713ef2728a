import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SimulatedClock } from 'xstate';
import { RulesDecider, type Actuator } from '../actors/index.ts';
import { prometheusText } from '../gateway/prometheusText.ts';
import { ErrorCode } from '../kernel/index.ts';
import { createRuntime, defineAgent } from '../runtime/index.ts';

const DIR = join(import.meta.dirname, '..', 'deploy', 'observability', 'grafana', 'dashboards');

interface Dashboard {
  uid: string;
  title: string;
  panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
  templating: { list: Array<{ query: { query: string } }> };
}

/** The metric names a runtime exports once a payment ran and an alert was raised (histogram series with their suffixes). */
async function exportedNames(): Promise<Set<string>> {
  const runtime = await createRuntime({ clock: new SimulatedClock(), region: 'eu' });
  const act: Actuator = {
    name: 'bench.pay',
    effect: 'external',
    prepare: async () => ({}),
    execute: async () => ({ status: 'succeeded' }),
  };
  await runtime.spawn(
    defineAgent({
      id: 'payables',
      capabilities: ['payments.send'],
      permissions: [{ capability: 'payments.send', accounts: ['ops'] }],
      limits: { perTransaction: { USDC: '1000' }, daily: { USDC: '1000' } },
      perceive: () => ({ go: true }),
      decide: RulesDecider.fromObject({
        rules: [
          {
            name: 'pay',
            conditions: { all: [{ fact: 'go', operator: 'equal', value: true }] },
            event: {
              type: 'payment.send',
              capability: 'payments.send',
              account: 'ops',
              amount: { value: '5', asset: 'USDC' },
            },
          },
        ],
      }),
      act,
    }),
  );
  await runtime.trigger('payables', { kind: 'human', id: 't' });
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
  runtime.alert({ severity: 'warning', code: ErrorCode.MANDATE_ERR_ACTOR_CRASHED, message: 'x', actorId: 'payables' });
  const text = prometheusText(runtime.metrics(), { liveClients: 0 });
  await runtime.shutdown();
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^# TYPE (\w+) (\w+)/.exec(line);
    if (m === null) continue;
    names.add(m[1]!);
    if (m[2] === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m[1]! + s);
  }
  return names;
}

describe('Grafana dashboards', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
  const dashboards = files.map((f) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as Dashboard);

  it('grafana - the six provisioned dashboards exist with unique uids and every panel has a query', () => {
    expect(files.sort()).toEqual([
      'agents.json',
      'alerts.json',
      'assets.json',
      'latency.json',
      'overview.json',
      'regions.json',
    ]);
    expect(new Set(dashboards.map((d) => d.uid)).size).toBe(6);
    for (const d of dashboards)
      for (const p of d.panels) expect(p.targets.length, `${d.title}: ${p.title}`).toBeGreaterThan(0);
  });

  it('grafana - every PromQL expression names only metrics the runtime exports', async () => {
    const exported = await exportedNames();
    const used = new Set<string>();
    for (const d of dashboards) {
      const exprs = [
        ...d.panels.flatMap((p) => p.targets.map((t) => t.expr)),
        ...d.templating.list.map((v) => v.query.query),
      ];
      for (const expr of exprs) {
        const names = expr.match(/\bmandate_[a-z0-9_]+/g) ?? [];
        expect(names.length, `${d.title}: ${expr}`).toBeGreaterThan(0);
        for (const name of names) {
          used.add(name);
          expect(exported.has(name), `${d.title}: ${name} in ${expr}`).toBe(true);
        }
      }
    }
    // The check itself can fail: a name the runtime does not export is caught.
    expect(exported.has('mandate_payment_volume_total')).toBe(true);
    expect(exported.has('mandate_paymnets_total')).toBe(false);
    expect(used.size).toBeGreaterThan(10);
    // The financial, resource and trend series have panels.
    for (const name of [
      'mandate_realized_pnl',
      'mandate_sandbox_cpu_seconds_total',
      'mandate_agent_cpu_seconds_total',
      'mandate_unrealized_pnl',
      'mandate_position_value',
      'mandate_sandbox_calls_total',
      'mandate_sandbox_heap_bytes',
      'mandate_agent_ewma',
      'mandate_agent_forecast',
    ])
      expect(used.has(name), name).toBe(true);
  });
});
