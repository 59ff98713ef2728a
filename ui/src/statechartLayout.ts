/**
 * Lays a machine's graph out with ELK (elkjs, layered, top to bottom, compound states around
 * their children, edges routed orthogonally with room for their labels). elkjs is ~1.6 MB, so it
 * is loaded on first use (its own chunk, not the console's main one) and each machine's layout is
 * kept: a re-render (every live update) redraws from the kept layout at once.
 */
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import { stateGraph, type StateEdge, type StateGraph, type StateNode } from './statechartGraph.ts';
import type { MachineGraph } from './types.ts';

/** A state box in chart coordinates. */
export interface LaidBox {
  node: StateNode;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A routed edge: its polyline and where its label goes. */
export interface LaidEdge {
  edge: StateEdge;
  points: Array<[number, number]>;
  label: { x: number; y: number } | null;
}

/** A laid-out machine. */
export interface Layout {
  graph: StateGraph;
  width: number;
  height: number;
  /** Every state, outer before inner (so an inner box is drawn over its parent). */
  boxes: LaidBox[];
  edges: LaidEdge[];
}

/** Text metrics of the chart's fonts (12 px states, 10 px edge labels), close enough to size boxes. */
const STATE_CHAR_W = 7.2;
const LABEL_CHAR_W = 6.2;
const ATOM_H = 34;
/** Room at the top of a compound state for its name. */
const HEADER = 26;

// Thin layers and labels inline on their edges: the agent machine (12 states, 26 moves) fits in
// about 840 × 780 px instead of 1,700 × 1,200 with labels beside the edges.
const ROOT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.json.shapeCoords': 'ROOT',
  'elk.json.edgeCoords': 'ROOT',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.edgeLabels.placement': 'CENTER',
  'elk.edgeLabels.inline': 'true',
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
  'elk.spacing.nodeNode': '28',
  'elk.layered.spacing.nodeNodeBetweenLayers': '16',
  'elk.layered.spacing.edgeEdgeBetweenLayers': '4',
  'elk.layered.spacing.edgeNodeBetweenLayers': '6',
  'elk.spacing.edgeEdge': '5',
  'elk.spacing.edgeLabel': '1',
  'elk.spacing.edgeNode': '14',
  'elk.padding': '[top=10,left=10,bottom=10,right=10]',
};

function elkNode(n: StateNode): ElkNode {
  if (n.children.length === 0)
    return { id: n.path, width: Math.max(84, n.label.length * STATE_CHAR_W + 24), height: ATOM_H };
  return {
    id: n.path,
    layoutOptions: {
      'elk.padding': `[top=${HEADER + 8},left=12,bottom=12,right=12]`,
      'elk.nodeSize.constraints': 'MINIMUM_SIZE',
      'elk.nodeSize.minimum': `(${n.label.length * STATE_CHAR_W + 24},${HEADER + 20})`,
    },
    children: n.children.map(elkNode),
  };
}

function elkEdge(e: StateEdge): ElkExtendedEdge {
  return {
    id: e.id,
    sources: [e.from],
    targets: [e.to],
    labels: [{ text: e.label, width: e.label.length * LABEL_CHAR_W + 6, height: 13 }],
  };
}

const kept = new Map<string, Promise<Layout>>();
const done = new Map<string, Layout>();

/** The layout of `machine` (computed once per distinct definition). */
export function layoutMachine(machine: MachineGraph): Promise<Layout> {
  const key = JSON.stringify(machine);
  let layout = kept.get(key);
  if (layout === undefined) {
    layout = compute(stateGraph(machine));
    kept.set(key, layout);
    layout.then(
      (l) => done.set(key, l),
      () => kept.delete(key), // a failure is tried again on the next render
    );
  }
  return layout;
}

/** The layout already computed for `machine`, if any (drawn at once, without waiting a frame). */
export function keptLayout(machine: MachineGraph): Layout | undefined {
  return done.get(JSON.stringify(machine));
}

async function compute(graph: StateGraph): Promise<Layout> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const root: ElkNode = await new ELK().layout({
    id: '__root',
    layoutOptions: ROOT_OPTIONS,
    children: graph.roots.map(elkNode),
    edges: graph.edges.map(elkEdge),
  });
  const boxes: LaidBox[] = [];
  const byPath = new Map<string, StateNode>();
  const index = (nodes: StateNode[]): void => {
    for (const n of nodes) {
      byPath.set(n.path, n);
      index(n.children);
    }
  };
  index(graph.roots);
  const walk = (nodes: ElkNode[] | undefined): void => {
    for (const n of nodes ?? []) {
      const node = byPath.get(n.id);
      if (node !== undefined) boxes.push({ node, x: n.x ?? 0, y: n.y ?? 0, w: n.width ?? 0, h: n.height ?? 0 });
      walk(n.children);
    }
  };
  walk(root.children);
  const byId = new Map(graph.edges.map((e) => [e.id, e]));
  const edges: LaidEdge[] = [];
  const collect = (n: ElkNode): void => {
    for (const e of n.edges ?? []) {
      const edge = byId.get(e.id);
      const s = e.sections?.[0];
      if (edge === undefined || s === undefined) continue;
      const points: Array<[number, number]> = [s.startPoint, ...(s.bendPoints ?? []), s.endPoint].map((p) => [
        p.x,
        p.y,
      ]);
      const l = e.labels?.[0];
      edges.push({
        edge,
        points,
        label: l?.x === undefined ? null : { x: l.x + (l.width ?? 0) / 2, y: (l.y ?? 0) + 10 },
      });
    }
    for (const c of n.children ?? []) collect(c);
  };
  collect(root);
  return { graph, width: root.width ?? 0, height: root.height ?? 0, boxes, edges };
}
