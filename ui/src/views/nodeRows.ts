/**
 * The nodes view's content from `GET /api/cluster`: one row per runtime node with the agents it
 * runs, and a line saying whether placement is on. Pure: the view renders it, tests call it.
 */
import type { ClusterInfo } from '../types.ts';

/** One node as the view shows it. */
export interface NodeRow {
  readonly id: string;
  readonly region: string;
  readonly status: 'alive' | 'gone';
  readonly agents: readonly string[];
}

/** The view's summary line and rows; agents placed on a node the cluster does not list get a row of their own. */
export function nodeRows(cluster: ClusterInfo): { note: string; rows: NodeRow[] } {
  const listed = new Set(cluster.nodes.map((n) => n.id));
  const rows: NodeRow[] = cluster.nodes.map((n) => ({
    id: n.id,
    region: n.region ?? '–',
    status: n.alive ? 'alive' : 'gone',
    agents: [...n.agents].sort(),
  }));
  const strays = new Map<string, string[]>();
  for (const [agent, node] of Object.entries(cluster.placements))
    if (!listed.has(node)) strays.set(node, [...(strays.get(node) ?? []), agent]);
  for (const [id, agents] of strays) rows.push({ id, region: '–', status: 'gone', agents: agents.sort() });
  rows.sort((a, b) => a.id.localeCompare(b.id));
  const alive = rows.filter((r) => r.status === 'alive').length;
  const placed = Object.keys(cluster.placements).length;
  const note = cluster.placement
    ? `Placement is on: ${rows.length} node${rows.length === 1 ? '' : 's'} (${alive} alive), ${placed} agent${placed === 1 ? '' : 's'} placed; each agent runs on the node holding its lease.`
    : `Placement is off: this node (${rows[0]?.id ?? 'unknown'}) runs every agent it loaded.`;
  return { note, rows };
}
