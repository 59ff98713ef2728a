/**
 * The parts of the page around the views: header (mode, stream, kill switch, timezone, who),
 * tabs, which view a route mounts, loading an agent, and watching whether the gateway answers.
 */
import type { Api } from './api.ts';
import type { DashboardContext, DashboardStore } from './dashboardStore.ts';
import { h, replace } from './dom.ts';
import { killSwitchControls } from './killSwitch.ts';
import { navigate, routeHash, type Route } from './router.ts';
import { setZone, zone, zoneLabel } from './timeZone.ts';
import { mountAgentsView } from './views/agentsView.ts';
import { mountAlertsView } from './views/alertsView.ts';
import { mountApprovalsView } from './views/approvalsView.ts';
import { mountAuditView } from './views/auditView.ts';
import { mountMonitorView } from './views/monitorView.ts';
import { mountNodesView } from './views/nodesView.ts';
import { mountOverviewView } from './views/overviewView.ts';
import { mountPaymentView } from './views/paymentView.ts';
import { mountTrendsView } from './views/trendsView.ts';

const TOKEN_KEY = 'mandate.token';
/** How often the shell asks the gateway for metrics, kill switch and readiness. */
const POLL_MS = 3000;

/** What a view's mount function gets. */
export interface Mount {
  root: HTMLElement;
  store: DashboardStore;
  api: Api;
}

/** A view is remounted when this changes (another payment, other audit filters). */
export function mountKey(route: Route): string {
  // The agents view and the monitor follow their route themselves (selection, chart range): no remount.
  return route.view === 'agents' || route.view === 'monitor' ? route.view : routeHash(route);
}

/** Mounts the view of `route`; returns its update function. */
export function mountView(route: Route, { root, store, api }: Mount): (ctx: DashboardContext) => void {
  switch (route.view) {
    case 'agents':
      return mountAgentsView(root, store, api);
    case 'approvals':
      return mountApprovalsView(root, store, api);
    case 'alerts':
      return mountAlertsView(root, store, api);
    case 'audit':
      return mountAuditView({ root, store, api, filters: route.filters });
    case 'monitor':
      return mountMonitorView(root, store, api);
    case 'nodes':
      return mountNodesView(root, api);
    case 'overview':
      return mountOverviewView(root, store, api);
    case 'payment':
      return mountPaymentView({ root, store, api, id: route.id });
    case 'trends':
      return mountTrendsView(root);
  }
}

/** The header: mode, live stream, kill switch, the timezone switch, who is signed in. */
export function renderHeader(
  header: HTMLElement,
  { ctx, store, api, rerender }: { ctx: DashboardContext; store: DashboardStore; api: Api; rerender: () => void },
): void {
  const me = ctx.me;
  const other = zone() === 'utc' ? 'local' : 'utc';
  replace(
    header,
    h('h1', {}, 'Mandate'),
    h('span', { class: `badge mode-${me?.mode}`, 'data-testid': 'mode' }, me?.mode ?? ''),
    h('span', { class: `badge conn-${ctx.connection}`, 'data-testid': 'connection' }, `live: ${ctx.connection}`),
    killSwitchControls(ctx, store, api),
    h(
      'button',
      {
        class: 'always',
        'data-testid': 'timezone',
        'data-zone': zone(),
        title: `Times are shown and read in ${zoneLabel()}; click for ${other === 'utc' ? 'UTC' : 'local time'}`,
        onclick: () => {
          setZone(other);
          rerender();
        },
      },
      `times: ${zoneLabel()}`,
    ),
    h('span', { class: 'whoami', 'data-testid': 'whoami' }, `${me?.name} (${me?.role})`),
    h(
      'button',
      {
        class: 'always',
        'data-testid': 'logout',
        onclick: () => (sessionStorage.removeItem(TOKEN_KEY), location.reload()),
      },
      'Sign out',
    ),
  );
}

const TABS = ['agents', 'overview', 'approvals', 'alerts', 'audit', 'monitor', 'trends', 'nodes'] as const;

/** The tabs; each is a link to its view (the agents tab keeps the selected agent). */
export function renderTabs(nav: HTMLElement, ctx: DashboardContext): void {
  const pending = ctx.approvals.filter((a) => a.status === 'pending').length;
  replace(
    nav,
    ...TABS.map((v) =>
      h(
        'button',
        {
          class: v === ctx.view ? 'tab active always' : 'tab always',
          'data-testid': `tab-${v}`,
          onclick: () =>
            navigate(
              v === 'agents'
                ? { view: 'agents', agent: ctx.selected }
                : v === 'audit'
                  ? { view: 'audit', filters: {} }
                  : v === 'monitor'
                    ? { view: 'monitor', series: {} }
                    : { view: v },
            ),
        },
        v === 'approvals' && pending > 0 ? `approvals (${pending})` : v,
      ),
    ),
  );
}

/**
 * Polls metrics, kill switch and readiness; any failure to reach the gateway marks the page
 * stale (banner, greyed controls) until it answers again. Returns a function that asks now.
 */
export function watchGateway(store: DashboardStore, api: Api): () => void {
  let inFlight = false;
  const ask = (): void => {
    if (inFlight) return;
    inFlight = true;
    void Promise.all([api.metrics(), api.killSwitch(), api.ready()])
      .then(
        ([metrics, killSwitch, ready]) => {
          store.trigger.loaded({ metrics, killSwitch, ready });
          store.trigger.reached({ at: Date.now() });
        },
        (err: Error) => {
          // A coded answer (401, 503 …) is the gateway answering; only no answer at all is unreachable.
          if ((err as { status?: number }).status !== undefined) store.trigger.reached({ at: Date.now() });
          else store.trigger.unreachable({ at: Date.now(), error: err.message });
        },
      )
      .finally(() => (inFlight = false));
  };
  ask();
  setInterval(ask, POLL_MS);
  return ask;
}
