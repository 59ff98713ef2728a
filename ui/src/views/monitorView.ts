/**
 * Health and transaction monitoring: counters, payments by status, charts by
 * agent and by asset, alerts, and the live transition feed.
 */
import type { Api } from '../api.ts';
import { barChart, type Bar } from '../charts.ts';
import type { DashboardContext, DashboardStore } from '../dashboardStore.ts';
import { h, replace, time } from '../dom.ts';
import { keepSample, type CounterSample } from './rateSeries.ts';
import { createSeriesPanel } from './seriesPanel.ts';
import type { AuditEntry } from '../types.ts';

/** Outcomes that moved (or, in dry-run, would have moved) money. */
const PAID = new Set(['succeeded', 'would-have-sent']);

/** Sums amounts by asset over audit entries of paid outcomes whose data carries an amount and a currency or asset. */
export function volumeByAsset(entries: AuditEntry[]): Bar[] {
  const sums = new Map<string, number>();
  for (const e of entries) {
    const d = e.data as Record<string, unknown>;
    if (!PAID.has(String(d.status))) continue;
    const asset = typeof d.currency === 'string' ? d.currency : typeof d.asset === 'string' ? d.asset : undefined;
    const amount = typeof d.amount === 'number' ? d.amount : typeof d.amount === 'string' ? Number(d.amount) : NaN;
    if (asset === undefined || !Number.isFinite(amount)) continue;
    sums.set(asset, (sums.get(asset) ?? 0) + amount);
  }
  return [...sums].sort((a, b) => b[1] - a[1]).map(([label, value]) => ({ label, value }));
}

/** One dashboard tile: its label, value and test id, and whether it shows a warning. */
interface Tile {
  label: string;
  value: string | number;
  testId: string;
  warn?: boolean;
}

/** Mounts the monitoring panel; returns its update function. */
export function mountMonitorView(root: HTMLElement, _store: DashboardStore, api: Api): (ctx: DashboardContext) => void {
  const pane = h('section', { class: 'pane', 'data-testid': 'monitor' });
  replace(root, pane);
  let byAsset: Bar[] = [];
  let last: DashboardContext | undefined;
  // Rates come from successive metrics samples (the shell polls every 3 s).
  const samples: Array<{ at: number; cycles: number; failures: number; payments: number }> = [];
  let lastMetrics: DashboardContext['metrics'] = null;
  // The last ten minutes of samples: the rates-over-time chart without stored series (no store).
  const history: CounterSample[] = [];
  // The stored series over the range the link names (or, without a store, `history`).
  const series = createSeriesPanel(api, history, () => {
    if (last) render(last);
  });
  const perMinute = (key: 'cycles' | 'failures' | 'payments'): string => {
    const first = samples[0];
    const latest = samples[samples.length - 1];
    if (first === undefined || latest === undefined || latest.at - first.at < 1000) return '–';
    return ((60_000 * (latest[key] - first[key])) / (latest.at - first.at)).toFixed(1);
  };
  // Asset volumes come from the audit trail (the latest 500 entries), refreshed when the panel opens.
  void api.audit({}, 500).then(
    (page) => {
      byAsset = volumeByAsset(page.entries);
      if (last) render(last);
    },
    () => {},
  );

  const tile = ({ label, value, testId, warn = false }: Tile): HTMLElement =>
    h(
      'div',
      { class: `tile${warn ? ' warn' : ''}`, 'data-testid': testId },
      h('div', { class: 'tile-value' }, String(value)),
      h('div', { class: 'tile-label' }, label),
    );

  function render(ctx: DashboardContext): void {
    last = ctx;
    const m = ctx.metrics;
    const agents = m?.agents ?? [];
    const cycles = agents.reduce((n, a) => n + a.cycles, 0);
    const failures = agents.reduce((n, a) => n + a.failures, 0);
    const payments = Object.entries(m?.payments ?? {});
    if (m !== null && m !== lastMetrics) {
      lastMetrics = m;
      samples.push({ at: Date.now(), cycles, failures, payments: payments.reduce((n, [, v]) => n + v, 0) });
      keepSample(history, samples[samples.length - 1]!);
      while (samples.length > 1 && Date.now() - (samples[0]?.at ?? 0) > 60_000) samples.shift();
    }
    replace(
      pane,
      h('h2', {}, 'Health'),
      h(
        'div',
        { class: 'tiles' },
        tile({
          label: 'live stream',
          value: ctx.connection,
          testId: 'tile-connection',
          warn: ctx.connection !== 'open',
        }),
        // While the gateway does not answer, its last readiness answer is history, not status.
        ...Object.entries(ctx.ready?.checks ?? {}).map(([name, check]) =>
          tile({
            label: name,
            value: !ctx.gateway.ok ? 'unknown (gateway unreachable)' : check.ok ? 'reachable' : 'DOWN',
            testId: `tile-ready-${name}`,
            warn: !ctx.gateway.ok || !check.ok,
          }),
        ),
        tile({ label: 'agents', value: agents.length, testId: 'tile-agents' }),
        tile({ label: 'cycles', value: cycles, testId: 'tile-cycles' }),
        tile({ label: 'cycles / min (last minute)', value: perMinute('cycles'), testId: 'tile-cycle-rate' }),
        tile({ label: 'payments / min', value: perMinute('payments'), testId: 'tile-payment-rate' }),
        tile({
          label: 'failures / min',
          value: perMinute('failures'),
          testId: 'tile-failure-rate',
          warn: perMinute('failures') !== '–' && perMinute('failures') !== '0.0',
        }),
        tile({ label: 'failures', value: failures, testId: 'tile-failures', warn: failures > 0 }),
        tile({
          label: 'approvals pending',
          value: m?.approvalsPending ?? 0,
          testId: 'tile-pending',
          warn: (m?.approvalsPending ?? 0) > 0,
        }),
        tile({
          label: 'messages sent / received / rejected',
          value: m ? `${m.messages.sent} / ${m.messages.received} / ${m.messages.rejected}` : '–',
          testId: 'tile-messages',
        }),
        tile({
          label: 'kill switch',
          value: ctx.killSwitch?.all
            ? 'ENGAGED (all)'
            : (ctx.killSwitch?.agents.length ?? 0) +
                  (ctx.killSwitch?.capabilities.length ?? 0) +
                  (ctx.killSwitch?.groups.length ?? 0) >
                0
              ? 'engaged (scoped)'
              : 'off',
          testId: 'tile-killswitch',
          warn: ctx.killSwitch?.all === true,
        }),
      ),
      h('h2', {}, 'Over time'),
      series.render(ctx),
      h(
        'div',
        { class: 'charts' },
        barChart(
          'Payments by status',
          payments.map(([label, value]) => ({ label, value })),
          { testId: 'chart-payments' },
        ),
        barChart(
          'Cycles by agent (failures overlaid)',
          agents.map((a) => ({ label: a.id, value: a.cycles, overlay: a.failures })),
          { testId: 'chart-agents' },
        ),
        barChart('Paid volume by asset (latest 500 audit entries)', byAsset, { testId: 'chart-assets' }),
      ),
      h('h2', {}, 'Alerts'),
      ctx.alerts.length === 0
        ? h('p', { class: 'muted' }, 'No alerts since this page opened.')
        : h(
            'ul',
            { class: 'alerts', 'data-testid': 'alerts' },
            ...ctx.alerts.map((a) =>
              h('li', { class: a.severity }, `${time(a.at)} ${a.severity} ${a.code}: ${a.message}`),
            ),
          ),
      h('h2', {}, 'Live transitions'),
      h(
        'table',
        { 'data-testid': 'feed' },
        h('thead', {}, h('tr', {}, ...['when', 'actor', 'from → to', 'event'].map((c) => h('th', {}, c)))),
        h(
          'tbody',
          {},
          ...ctx.feed
            .slice(0, 50)
            .map((t) =>
              h(
                'tr',
                {},
                h('td', {}, time(t.at)),
                h('td', {}, t.actorId),
                h('td', {}, `${t.from} → ${t.to}`),
                h('td', {}, t.event),
              ),
            ),
        ),
      ),
    );
  }
  return render;
}
