/**
 * A machine's definition as a graph to lay out: its states (compound states holding their
 * children), one edge per (from, to) pair labelled with the events that make that move, and the
 * moves that leave most states for the same target (pause, kill) set apart for a legend, so they do
 * not draw a star of edges across the chart.
 */
import type { MachineGraph } from './types.ts';

/** One state box. */
export interface StateNode {
  path: string;
  label: string;
  type: 'atomic' | 'compound' | 'final';
  children: StateNode[];
}

/** One drawn move: from one state to another (or itself), with the events that make it. */
export interface StateEdge {
  id: string;
  from: string;
  to: string;
  events: string[];
  /** What is drawn on the arrow: its event (without the `agent.` namespace), or the first and how many more. */
  label: string;
}

/** The graph of a machine: top-level states, edges, and the legend's `event → target` moves. */
export interface StateGraph {
  roots: StateNode[];
  edges: StateEdge[];
  legend: Array<{ event: string; target: string }>;
}

/** An (event, target) pair leaving this many states or more is drawn once, in the legend. */
const GLOBAL_MIN_SOURCES = 3;

/** `xstate.after.phaseTimeout.agent.perceive` → `after phaseTimeout`. */
export function shortEvent(event: string): string {
  const after = /^xstate\.after\.([^.]+)\./.exec(event);
  return after ? `after ${after[1]}` : event;
}

/** Finds the state a transition target names (`#machine.a.b`, `.b`, `a.b` or a sibling name). */
function resolve(target: string, from: string, all: Map<string, StateNode>): StateNode | undefined {
  const clean = target.replace(/^#[^.]*\./, '').replace(/^\./, '');
  if (all.has(clean)) return all.get(clean);
  const parent = from.includes('.') ? from.slice(0, from.lastIndexOf('.')) : '';
  return (
    all.get(parent === '' ? clean : `${parent}.${clean}`) ?? [...all.values()].find((b) => b.path.endsWith(`.${clean}`))
  );
}

/** Builds the graph of `machine`. */
export function stateGraph(machine: MachineGraph): StateGraph {
  const all = new Map<string, StateNode>();
  const roots: StateNode[] = [];
  const sorted = [...machine.states].sort((a, b) => a.path.split('.').length - b.path.split('.').length);
  for (const st of sorted) {
    const dot = st.path.lastIndexOf('.');
    const node: StateNode = {
      path: st.path,
      label: dot < 0 ? st.path : st.path.slice(dot + 1),
      type: st.type,
      children: [],
    };
    all.set(st.path, node);
    const parent = dot < 0 ? undefined : all.get(st.path.slice(0, dot));
    (parent?.children ?? roots).push(node);
  }
  const moves: Array<{ from: string; to: string; event: string }> = [];
  for (const st of machine.states)
    for (const t of st.transitions)
      for (const target of t.targets) {
        const to = resolve(target, st.path, all);
        if (to !== undefined) moves.push({ from: st.path, to: to.path, event: t.event });
      }
  const sources = new Map<string, Set<string>>();
  for (const m of moves) {
    const key = `${m.event}\u0000${m.to}`;
    sources.set(key, (sources.get(key) ?? new Set()).add(m.from));
  }
  const global = new Set([...sources].filter(([, from]) => from.size >= GLOBAL_MIN_SOURCES).map(([key]) => key));
  const edges = new Map<string, StateEdge>();
  for (const m of moves) {
    if (global.has(`${m.event}\u0000${m.to}`)) continue;
    const key = `${m.from}\u0000${m.to}`;
    const edge = edges.get(key) ?? { id: `e${edges.size}`, from: m.from, to: m.to, events: [], label: '' };
    if (!edge.events.includes(shortEvent(m.event))) edge.events.push(shortEvent(m.event));
    edges.set(key, edge);
  }
  // The agent's own events drop their `agent.` namespace on the arrow (the title keeps it); one event, or the first and how many more.
  for (const e of edges.values()) {
    const short = e.events.map((x) => x.replace(/^agent\./, ''));
    e.label = short.length > 1 ? `${short[0]} +${short.length - 1}` : (short[0] ?? '');
  }
  const legend = [...global].map((key) => {
    const [event = '', target = ''] = key.split('\u0000');
    return { event: shortEvent(event), target };
  });
  return { roots, edges: [...edges.values()], legend };
}
