/**
 * Which runtime node runs which agent (`GET /api/cluster`), re-read every few seconds while shown.
 */
import type { Api } from '../api.ts';
import type { DashboardContext } from '../dashboardStore.ts';
import { h, replace, time } from '../dom.ts';
import { agentHref } from '../router.ts';
import type { ClusterInfo } from '../types.ts';
import { nodeRows } from './nodeRows.ts';
import { table } from './storyParts.ts';

/** How often the view re-reads the cluster (a lease moves within a few renewals). */
const POLL_MS = 5000;

/** Mounts the nodes panel into `root`; returns its update function. */
export function mountNodesView(root: HTMLElement, api: Api): (ctx: DashboardContext) => void {
  const pane = h('section', { class: 'pane', 'data-testid': 'nodes' });
  replace(root, pane);
  let cluster: ClusterInfo | null = null;
  let error: string | null = null;
  let readAt: number | null = null;

  const render = (): void => {
    if (cluster === null) {
      replace(
        pane,
        h('h2', {}, 'Nodes'),
        error === null ? h('p', { class: 'muted' }, 'Loading…') : h('p', { class: 'error' }, error),
      );
      return;
    }
    const { note, rows } = nodeRows(cluster);
    replace(
      pane,
      h('h2', {}, 'Nodes'),
      h('p', { 'data-testid': 'nodes-placement', 'data-placement': String(cluster.placement) }, note),
      error === null
        ? null
        : h('p', { class: 'error' }, `${error} (showing the answer of ${readAt === null ? '–' : time(readAt)})`),
      table({
        testId: 'nodes-table',
        head: ['node', 'region', 'status', 'agents'],
        rows: rows.map((r) => [
          h('span', { class: 'mono', 'data-node': r.id }, r.id),
          r.region,
          h('span', { class: `badge ${r.status === 'alive' ? 'state-idle' : 'killed'}` }, r.status),
          h('span', {}, ...r.agents.flatMap((a, i) => [i > 0 ? ', ' : '', h('a', { href: agentHref(a) }, a)])),
        ]),
        empty: 'No nodes.',
      }),
    );
  };

  const load = async (): Promise<void> => {
    try {
      cluster = await api.cluster();
      readAt = Date.now();
      error = null;
    } catch (err) {
      error = (err as Error).message;
    }
    render();
    // Stop once another view replaced this one.
    if (pane.isConnected) setTimeout(() => void load(), POLL_MS);
  };
  void load();
  render();
  return () => {};
}
