/**
 * Deep links: every view has a URL in the fragment, so a reload, a bookmark or a link pasted
 * into a ticket opens the same view. `#/agents/payables`, `#/payments/INV-1003`,
 * `#/audit?currency=usd&from=2026-12-01T17:00:00.000Z`, `#/approvals`, `#/monitor?last=6h&series=agent:payables`,
 * `#/monitor?last=24h&quantity=volume&asset=USDC`,
 * `#/nodes`, `#/overview`, `#/trends`.
 * (The fragment never reaches the server, so the gateway serves one page for all of them.)
 */
import type { SeriesLink } from './seriesRange.ts';
import type { AuditFilters } from './types.ts';

/** Which panel is shown, with what. */
export type Route =
  | { view: 'agents'; agent: string | null }
  | { view: 'approvals' }
  | { view: 'alerts' }
  | { view: 'audit'; filters: AuditFilters }
  | { view: 'monitor'; series: SeriesLink }
  | { view: 'nodes' }
  | { view: 'overview' }
  | { view: 'payment'; id: string }
  | { view: 'trends' };

const AUDIT_KEYS: ReadonlyArray<Exclude<keyof AuditFilters, 'match' | 'noise'>> = [
  'from',
  'to',
  'agent',
  'currency',
  'counterparty',
  'status',
  'action',
  'minAmount',
  'maxAmount',
];
const SERIES_KEYS: ReadonlyArray<keyof SeriesLink> = ['last', 'from', 'to', 'series', 'quantity', 'asset'];

/** Reads a fragment (`location.hash`); anything unknown is the agents overview. */
export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split(/\?(.*)/s);
  const [head = '', ...rest] = path.split('/').map((p) => safeDecode(p));
  const tail = rest.join('/');
  switch (head) {
    case 'approvals':
    case 'alerts':
    case 'nodes':
    case 'overview':
    case 'trends':
      return { view: head };
    case 'monitor': {
      const params = new URLSearchParams(query);
      const series: SeriesLink = {};
      for (const key of SERIES_KEYS) {
        const value = params.get(key);
        if (value !== null && value !== '') series[key] = value;
      }
      return { view: 'monitor', series };
    }
    case 'audit': {
      const params = new URLSearchParams(query);
      const filters: AuditFilters = {};
      for (const key of AUDIT_KEYS) {
        const value = params.get(key);
        if (value !== null && value !== '') filters[key] = value;
      }
      if (params.get('noise') === 'hide') filters.noise = 'hide';
      return { view: 'audit', filters };
    }
    case 'payments':
      return tail === '' ? { view: 'agents', agent: null } : { view: 'payment', id: tail };
    default:
      return { view: 'agents', agent: head === 'agents' && tail !== '' ? tail : null };
  }
}

/** The fragment of `route` (`#/payments/INV-1003`). */
export function routeHash(route: Route): string {
  switch (route.view) {
    case 'agents':
      return route.agent === null ? '#/agents' : `#/agents/${encodeURIComponent(route.agent)}`;
    case 'payment':
      return `#/payments/${encodeURIComponent(route.id)}`;
    case 'audit': {
      const params = new URLSearchParams();
      for (const key of AUDIT_KEYS) {
        const value = route.filters[key];
        if (value !== undefined && value !== '') params.set(key, value);
      }
      if (route.filters.noise === 'hide') params.set('noise', 'hide');
      const query = params.toString();
      return query === '' ? '#/audit' : `#/audit?${query}`;
    }
    case 'monitor': {
      const params = new URLSearchParams();
      for (const key of SERIES_KEYS) {
        const value = route.series[key];
        if (value !== undefined && value !== '') params.set(key, value);
      }
      const query = params.toString();
      return query === '' ? '#/monitor' : `#/monitor?${query}`;
    }
    default:
      return `#/${route.view}`;
  }
}

/** The link to one payment's page. */
export function paymentHref(id: string): string {
  return routeHash({ view: 'payment', id });
}

/** The link to one agent. */
export function agentHref(id: string): string {
  return routeHash({ view: 'agents', agent: id });
}

/** Goes to `route` (a new history entry, so Back returns). */
export function navigate(route: Route): void {
  const hash = routeHash(route);
  if (location.hash !== hash) location.hash = hash;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}
