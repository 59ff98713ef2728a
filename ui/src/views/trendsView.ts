/**
 * Trends: per agent, the EWMA level of its cycle duration and error rate, an arrow for the way
 * each moves, the 10-cycle forecast, and the runtime's plain-language recommendation when a trend
 * points the wrong way (`GET /api/metrics` `trends`, polled by the shell every 3 s).
 */
import type { DashboardContext } from '../dashboardStore.ts';
import { h, replace } from '../dom.ts';
import { agentHref } from '../router.ts';
import { trendRows, type TrendCell, type TrendRow } from './trendRows.ts';

const COLUMNS = ['agent', 'cycle duration', 'forecast', 'error rate', 'forecast', 'recommendation'];

/** A level with its arrow, coloured when it rises (worse for both quantities). */
function levelCell(c: TrendCell | null, testId: string): HTMLElement {
  if (c === null) return h('td', { 'data-testid': testId }, '–');
  return h(
    'td',
    { 'data-testid': testId, 'data-direction': c.direction, class: c.direction === 'rising' ? 'score warn' : '' },
    `${c.level} ${c.arrow}`,
  );
}

function row(r: TrendRow): HTMLElement {
  return h(
    'tr',
    { 'data-testid': `trend-row-${r.agent}`, 'data-agent': r.agent },
    h('td', {}, h('a', { href: agentHref(r.agent) }, r.agent)),
    levelCell(r.cycle, 'trend-cycle'),
    h('td', { 'data-testid': 'trend-cycle-forecast' }, r.cycle?.forecast ?? '–'),
    levelCell(r.errors, 'trend-errors'),
    h('td', { 'data-testid': 'trend-errors-forecast' }, r.errors?.forecast ?? '–'),
    h(
      'td',
      { 'data-testid': 'trend-advice', class: r.recommendations.length > 0 ? 'score bad' : 'muted' },
      r.recommendations.length === 0 ? 'none: nothing heading the wrong way' : r.recommendations.join(' '),
    ),
  );
}

/** Mounts the trends table into `root`; returns its update function. */
export function mountTrendsView(root: HTMLElement): (ctx: DashboardContext) => void {
  const body = h('tbody', {});
  const status = h('p', { class: 'muted', 'data-testid': 'trends-status' });
  replace(
    root,
    h(
      'section',
      { class: 'pane', 'data-testid': 'trends' },
      h('h2', {}, 'Trends (EWMA per cycle, forecast 10 cycles ahead)'),
      status,
      h(
        'table',
        { class: 'overview', 'data-testid': 'trends-table' },
        h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => h('th', {}, c)))),
        body,
      ),
    ),
  );
  return (ctx: DashboardContext): void => {
    const rows = trendRows(ctx.metrics?.trends ?? []);
    body.replaceChildren(...rows.map(row));
    const advised = rows.filter((r) => r.recommendations.length > 0).length;
    status.textContent =
      ctx.metrics === null
        ? 'waiting for the first metrics'
        : rows.length === 0
          ? 'no finished cycles yet'
          : `${rows.length} agent${rows.length === 1 ? '' : 's'}; ${advised} with a trend heading the wrong way`;
  };
}
