/**
 * The agents overview: one table row per agent with its state, last action, outcome and amount,
 * the age of its last cycle, reputation (with its trend) and health in colour, failures and
 * restarts. A row flashes when it changes; a name opens the agent.
 */
import type { Api } from '../api.ts';
import type { DashboardContext, DashboardStore } from '../dashboardStore.ts';
import { h, replace } from '../dom.ts';
import { agentHref } from '../router.ts';
import { relative } from '../timeZone.ts';
import type { AuditEntry } from '../types.ts';
import { band, overviewRows, type OverviewRow } from './overviewRows.ts';

/** How often at most the newest acts are read again while transitions arrive. */
const ACTS_REFRESH_MS = 2000;
const COLUMNS = [
  'agent',
  'state',
  'last action',
  'outcome',
  'amount',
  'last cycle',
  'reputation',
  'health',
  'failures',
  'restarts',
  'cycles',
];
const ARROWS = { up: '▲', down: '▼', same: '' } as const;

/** Mounts the overview into `root`; returns its update function. */
export function mountOverviewView(
  root: HTMLElement,
  _store: DashboardStore,
  api: Api,
): (ctx: DashboardContext) => void {
  const body = h('tbody', {});
  const status = h('p', { class: 'muted', 'data-testid': 'overview-status' });
  replace(
    root,
    h(
      'section',
      { class: 'pane', 'data-testid': 'overview' },
      h('h2', {}, 'Agents overview'),
      status,
      h(
        'table',
        { class: 'overview', 'data-testid': 'overview-table' },
        h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => h('th', {}, c)))),
        body,
      ),
    ),
  );
  let acts: AuditEntry[] = [];
  let fetchedAt = 0;
  let fetching = false;
  let last: DashboardContext | undefined;
  let lastFeed: number | undefined;
  // Reputation before its latest change, per agent: the trend shows the direction of that change.
  const shownRep = new Map<string, number>();
  const before = new Map<string, number>();
  const drawn = new Map<string, string>();

  const refreshActs = (): void => {
    if (fetching) return;
    fetching = true;
    fetchedAt = Date.now();
    // The newest acts of every agent: one query, not one per agent.
    void api
      .audit({ action: 'agent.', match: 'prefix' }, 500)
      .then(
        (page) => {
          acts = page.entries;
          if (last) render(last);
        },
        (err: Error) => (status.textContent = `last actions unavailable: ${err.message}`),
      )
      .finally(() => (fetching = false));
  };

  const cell = (text: string, attrs: Record<string, string> = {}): HTMLElement => h('td', attrs, text);
  const row = (r: OverviewRow): HTMLElement =>
    h(
      'tr',
      { 'data-testid': `overview-row-${r.id}`, 'data-agent': r.id },
      h('td', {}, h('a', { href: agentHref(r.id) }, r.id)),
      cell([r.state, ...r.flags].join(' · '), { 'data-testid': 'overview-state' }),
      cell(r.lastAction ?? '–', { 'data-testid': 'overview-action' }),
      cell(r.outcome ?? '–', { 'data-testid': 'overview-outcome', class: `outcome-${r.outcome ?? 'none'}` }),
      cell(r.amount ?? '–', { 'data-testid': 'overview-amount' }),
      cell(r.lastAt === null ? '–' : relative(r.lastAt), { 'data-testid': 'overview-age' }),
      cell(`${r.reputation.toFixed(1)} ${ARROWS[r.trend]}`.trim(), {
        'data-testid': 'overview-reputation',
        class: `score ${band(r.reputation)}`,
        'data-trend': r.trend,
      }),
      cell(String(r.health), { 'data-testid': 'overview-health', class: `score ${band(r.health)}` }),
      cell(String(r.failures)),
      cell(String(r.restarts)),
      cell(String(r.cycles)),
    );

  function render(ctx: DashboardContext): void {
    for (const a of ctx.agents) {
      const shown = shownRep.get(a.id);
      if (shown !== undefined && shown !== a.reputation) before.set(a.id, shown);
      shownRep.set(a.id, a.reputation);
    }
    const rows = overviewRows({ agents: ctx.agents, acts, feed: ctx.feed, before });
    const els = rows.map((r) => {
      const el = row(r);
      // Flash what changed since the last paint (the age ticking is not a change).
      const key = JSON.stringify({ ...r, lastAt: null });
      const prev = drawn.get(r.id);
      if (prev !== undefined && prev !== key) el.classList.add('flash');
      drawn.set(r.id, key);
      return el;
    });
    body.replaceChildren(...els);
    status.textContent = `${rows.length} agent${rows.length === 1 ? '' : 's'}; last actions from the newest ${acts.length} act entries`;
  }

  refreshActs();
  return (ctx: DashboardContext): void => {
    last = ctx;
    const newest = ctx.feed[0]?.seq;
    if (newest !== lastFeed && Date.now() - fetchedAt > ACTS_REFRESH_MS) refreshActs();
    lastFeed = newest;
    render(ctx);
  };
}
