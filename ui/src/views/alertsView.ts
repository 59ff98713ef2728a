/**
 * Alert history: the kept alerts (`GET /api/alerts`, stored by the runtime, so they survive a
 * reload and a restart), newest first, filtered by severity, agent and status, with acknowledgement
 * for those allowed to (`POST /api/alerts/:id/ack`, audited). The filters live in the URL
 * (`#/alerts?severity=critical&agent=payables`), so a reload or a pasted link shows the same list.
 */
import type { Api } from '../api.ts';
import type { DashboardContext, DashboardStore } from '../dashboardStore.ts';
import { fire, h, replace, time } from '../dom.ts';
import { agentHref } from '../router.ts';
import { zoneLabel } from '../timeZone.ts';
import type { AlertRecord } from '../types.ts';
import { runAction } from './runAction.ts';

/** How many kept alerts the view asks for. */
const LIMIT = 500;
const SEVERITIES = ['critical', 'warning', 'info'] as const;
const STATUSES = ['open', 'acknowledged', 'resolved'] as const;

/** The view's filters, as the URL carries them (empty: all). */
interface AlertFilters {
  severity: string;
  agent: string;
  status: string;
}

function filtersOfHash(hash: string): AlertFilters {
  const params = new URLSearchParams(hash.split('?')[1] ?? '');
  return {
    severity: params.get('severity') ?? '',
    agent: params.get('agent') ?? '',
    status: params.get('status') ?? '',
  };
}

/** Keeps the filters in the fragment without a new history entry or a remount. */
function writeFilters(f: AlertFilters): void {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== '') params.set(k, v);
  const query = params.toString();
  history.replaceState(null, '', query === '' ? '#/alerts' : `#/alerts?${query}`);
}

function select(
  testId: string,
  label: string,
  options: { value: string; choices: readonly string[]; onchange: (value: string) => void },
): HTMLElement {
  const el = h(
    'select',
    { 'data-testid': testId, 'aria-label': label },
    h('option', { value: '' }, `any ${label}`),
    ...options.choices.map((c) => h('option', { value: c, selected: c === options.value }, c)),
  );
  el.value = options.value;
  el.addEventListener('change', () => options.onchange(el.value));
  return h('label', {}, `${label} `, el);
}

function deliveries(a: AlertRecord): string {
  return Object.entries(a.deliveries)
    .map(([sink, d]) => `${sink}: ${d.status}${d.error === undefined ? '' : ` (${d.error})`}`)
    .join(', ');
}

/** Mounts the alert history; returns its update function. */
export function mountAlertsView(root: HTMLElement, store: DashboardStore, api: Api): (ctx: DashboardContext) => void {
  const pane = h('section', { class: 'pane', 'data-testid': 'alert-history' });
  replace(root, pane);
  const filters = filtersOfHash(location.hash);
  let alerts: AlertRecord[] | undefined;
  let failure: string | undefined;
  let last: DashboardContext | undefined;
  let seenLive: number | undefined;

  const load = async (): Promise<void> => {
    try {
      alerts = await api.alerts({ ...(filters.status === '' ? {} : { status: filters.status }), limit: LIMIT });
      failure = undefined;
    } catch (err) {
      failure = (err as Error).message;
    }
    if (last !== undefined) render(last);
  };
  const change = (key: keyof AlertFilters) => (value: string) => {
    filters[key] = value;
    writeFilters(filters);
    if (key === 'status') void load();
    else if (last !== undefined) render(last);
  };
  const ack = (a: AlertRecord) => () =>
    runAction(store, `acknowledge ${a.code}`, async () => {
      await api.ackAlert(a.id);
      await load();
    });

  const row = (a: AlertRecord, canAck: boolean): HTMLElement =>
    h(
      'tr',
      { 'data-testid': `alert-${a.id}`, 'data-severity': a.severity, 'data-status': a.status },
      h('td', {}, time(a.lastAt), a.count > 1 ? h('span', { class: 'muted' }, ` (first ${time(a.firstAt)})`) : null),
      h('td', {}, h('span', { class: `badge ${a.severity}` }, a.severity)),
      h('td', {}, a.actorId === undefined ? '—' : h('a', { href: agentHref(a.actorId) }, a.actorId)),
      h('td', {}, h('code', {}, a.code), ' ', a.message),
      h('td', { 'data-testid': `alert-count-${a.id}` }, String(a.count)),
      h(
        'td',
        {},
        h('span', { class: `badge ${a.status}` }, a.status),
        a.acknowledgedBy ? ` by ${a.acknowledgedBy.id}` : '',
        a.resolvedBy ? `: ${a.resolvedBy}` : '',
      ),
      h('td', { class: 'muted' }, deliveries(a)),
      h(
        'td',
        {},
        a.status === 'open' && canAck
          ? h('button', { 'data-testid': `ack-${a.id}`, onclick: fire(ack(a)) }, 'Acknowledge')
          : null,
      ),
    );

  const render = (ctx: DashboardContext): void => {
    const known = [...new Set([...ctx.agents.map((x) => x.id), ...(alerts ?? []).flatMap((a) => a.actorId ?? [])])];
    const shown = (alerts ?? []).filter(
      (a) =>
        (filters.severity === '' || a.severity === filters.severity) &&
        (filters.agent === '' || a.actorId === filters.agent),
    );
    const canAck = ctx.me?.permissions.includes('alert.ack') ?? false;
    replace(
      pane,
      h('h2', {}, 'Alert history'),
      h(
        'div',
        { class: 'filters' },
        select('alert-filter-severity', 'severity', {
          value: filters.severity,
          choices: SEVERITIES,
          onchange: change('severity'),
        }),
        select('alert-filter-agent', 'agent', {
          value: filters.agent,
          choices: known.sort(),
          onchange: change('agent'),
        }),
        select('alert-filter-status', 'status', {
          value: filters.status,
          choices: STATUSES,
          onchange: change('status'),
        }),
      ),
      failure === undefined ? null : h('p', { class: 'error', 'data-testid': 'alert-history-error' }, failure),
      alerts === undefined
        ? h('p', { class: 'muted' }, 'Loading…')
        : shown.length === 0
          ? h('p', { class: 'muted', 'data-testid': 'alert-history-empty' }, 'No alerts match.')
          : h(
              'table',
              { 'data-testid': 'alert-history-table' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ...[`last seen (${zoneLabel()})`, 'severity', 'agent', 'alert', 'count', 'status', 'sent to', ''].map(
                    (c) => h('th', {}, c),
                  ),
                ),
              ),
              h('tbody', {}, ...shown.map((a) => row(a, canAck))),
            ),
    );
  };

  void load();
  return (ctx) => {
    last = ctx;
    // A new alert on the live stream: read the kept list again (it folds repeats and resolutions).
    const head = ctx.alerts[0]?.seq;
    if (seenLive !== undefined && head !== seenLive) void load();
    seenLive = head ?? -1;
    render(ctx);
  };
}
