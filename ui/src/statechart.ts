/**
 * Draws a machine graph as SVG: states as boxes (compound states contain their
 * children), transitions as labelled arrows, the current state and its
 * ancestors highlighted.
 */
import { s } from './dom.ts';
import type { MachineGraph } from './types.ts';

interface Box {
  path: string;
  label: string;
  type: 'atomic' | 'compound' | 'final';
  children: Box[];
  x: number;
  y: number;
  w: number;
  h: number;
}

const ATOM_H = 36;
const GAP_X = 84;
const GAP_Y = 96;
const PAD = 12;
const HEADER = 22;
const ROW_MAX = 900;
/** An (event, target) pair leaving this many states or more is drawn once, in the legend. */
const GLOBAL_MIN_SOURCES = 3;

function build(graph: MachineGraph): Box[] {
  const boxes = new Map<string, Box>();
  const roots: Box[] = [];
  const sorted = [...graph.states].sort((a, b) => a.path.split('.').length - b.path.split('.').length);
  for (const st of sorted) {
    const dot = st.path.lastIndexOf('.');
    const box: Box = {
      path: st.path,
      label: dot < 0 ? st.path : st.path.slice(dot + 1),
      type: st.type,
      children: [],
      x: 0,
      y: 0,
      w: 0,
      h: 0,
    };
    boxes.set(st.path, box);
    const parent = dot < 0 ? undefined : boxes.get(st.path.slice(0, dot));
    (parent?.children ?? roots).push(box);
  }
  return roots;
}

/** Sizes a box and places its children in rows (relative coordinates). */
function measure(box: Box): void {
  if (box.children.length === 0) {
    box.w = Math.max(84, box.label.length * 7.2 + 24);
    box.h = ATOM_H;
    return;
  }
  const [w, h] = flow(box.children, PAD, HEADER + PAD);
  box.w = Math.max(w + PAD, box.label.length * 7.2 + 2 * PAD);
  box.h = h + PAD;
}

/** Places items in rows; odd rows run right to left (a snake), so a cycle reads as a loop. */
function flow(items: Box[], x0: number, y0: number): [number, number] {
  const rows: Box[][] = [[]];
  let x = x0;
  for (const child of items) {
    measure(child);
    if (x > x0 && x + child.w > ROW_MAX) {
      rows.push([]);
      x = x0;
    }
    rows[rows.length - 1]?.push(child);
    x += child.w + GAP_X;
  }
  const widths = rows.map((row) => row.reduce((w, b) => w + b.w, 0) + GAP_X * (row.length - 1));
  const maxW = Math.max(...widths);
  let y = y0;
  rows.forEach((row, r) => {
    let cx = r % 2 === 0 ? x0 : x0 + maxW;
    for (const b of row) {
      if (r % 2 === 0) {
        b.x = cx;
        cx += b.w + GAP_X;
      } else {
        b.x = cx - b.w;
        cx -= b.w + GAP_X;
      }
      b.y = y;
    }
    y += Math.max(...row.map((b) => b.h)) + GAP_Y;
  });
  return [x0 + maxW, y - GAP_Y];
}

/** `xstate.after.phaseTimeout.agent.perceive` → `after phaseTimeout`. */
function shortEvent(event: string): string {
  const after = /^xstate\.after\.([^.]+)\./.exec(event);
  return after ? `after ${after[1]}` : event;
}

/** Moves `boxes` (laid out relative to their parent) by the parent's absolute `offset`, recursively, into `out`. */
function absolute(boxes: Box[], offset: Pick<Box, 'x' | 'y'>, out: Map<string, Box>): void {
  for (const b of boxes) {
    b.x += offset.x;
    b.y += offset.y;
    out.set(b.path, b);
    absolute(b.children, b, out);
  }
}

/** Finds the box a transition target names (`#machine.a.b`, `.b`, `a.b` or a sibling name). */
function resolve(target: string, from: string, all: Map<string, Box>): Box | undefined {
  const clean = target.replace(/^#[^.]*\./, '').replace(/^\./, '');
  if (all.has(clean)) return all.get(clean);
  const parent = from.includes('.') ? from.slice(0, from.lastIndexOf('.')) : '';
  return (
    all.get(parent === '' ? clean : `${parent}.${clean}`) ?? [...all.values()].find((b) => b.path.endsWith(`.${clean}`))
  );
}

function edgePoint(b: Box, tx: number, ty: number): [number, number] {
  const cx = b.x + b.w / 2;
  const cy = b.y + b.h / 2;
  const dx = tx - cx;
  const dy = ty - cy;
  if (dx === 0 && dy === 0) return [cx, cy];
  const scale = Math.min(Math.abs(b.w / 2 / (dx || 1e-9)), Math.abs(b.h / 2 / (dy || 1e-9)));
  return [cx + dx * scale, cy + dy * scale];
}

/** The SVG drawing of `graph` with `current` (dot-joined state value) highlighted. */
export function statechartSvg(graph: MachineGraph, current: string): SVGElement {
  const roots = build(graph);
  const [w, h] = flow(roots, 10, 10);
  const all = new Map<string, Box>();
  absolute(roots, { x: 0, y: 0 }, all);
  const active = new Set<string>();
  const parts = current.split('.');
  for (let i = 1; i <= parts.length; i++) active.add(parts.slice(0, i).join('.'));

  // Room on the right for the labels of edges leaving the last column.
  const svg = s('svg', {
    viewBox: `0 0 ${w + 160} ${h + 20}`,
    width: w + 160,
    height: h + 20,
    class: 'statechart',
    role: 'img',
    'aria-label': `statechart of ${graph.id}`,
  });
  svg.append(
    s(
      'defs',
      {},
      s(
        'marker',
        {
          id: 'arrow',
          viewBox: '0 0 10 10',
          refX: 9,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: 'auto-start-reverse',
        },
        s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }),
      ),
    ),
  );
  for (const b of all.values()) {
    const isCurrent = b.path === current;
    const cls = ['state', b.type, isCurrent ? 'current' : active.has(b.path) ? 'active' : ''].filter(Boolean).join(' ');
    const g = s('g', { class: cls, 'data-state': b.path, ...(isCurrent ? { 'data-current': 'true' } : {}) });
    g.append(s('rect', { x: b.x, y: b.y, width: b.w, height: b.h, rx: 8 }));
    if (b.type === 'final')
      g.append(s('rect', { x: b.x + 3, y: b.y + 3, width: b.w - 6, height: b.h - 6, rx: 6, class: 'final-inner' }));
    g.append(
      s(
        'text',
        {
          x: b.children.length > 0 ? b.x + PAD : b.x + b.w / 2,
          y: b.children.length > 0 ? b.y + 16 : b.y + b.h / 2 + 4,
          'text-anchor': b.children.length > 0 ? 'start' : 'middle',
        },
        b.label,
      ),
    );
    svg.append(g);
  }
  // Collapse transitions that leave many states for the same target (pause, kill) into a legend.
  const sources = new Map<string, Set<string>>();
  for (const st of graph.states)
    for (const t of st.transitions)
      for (const target of t.targets) {
        const to = resolve(target, st.path, all);
        if (to !== undefined)
          sources.set(
            `${t.event}\u0000${to.path}`,
            (sources.get(`${t.event}\u0000${to.path}`) ?? new Set()).add(st.path),
          );
      }
  const global = new Set([...sources].filter(([, from]) => from.size >= GLOBAL_MIN_SOURCES).map(([key]) => key));
  // One edge per (from, to) pair, carrying every event that makes that move.
  const edges = new Map<string, { from: Box; to: Box; events: string[] }>();
  for (const st of graph.states) {
    const from = all.get(st.path);
    if (from === undefined) continue;
    for (const t of st.transitions) {
      for (const target of t.targets) {
        const to = resolve(target, st.path, all);
        if (to === undefined || global.has(`${t.event}\u0000${to.path}`)) continue;
        const key = `${from.path}\u0000${to.path}`;
        const edge = edges.get(key) ?? { from, to, events: [] };
        if (!edge.events.includes(shortEvent(t.event))) edge.events.push(shortEvent(t.event));
        edges.set(key, edge);
      }
    }
  }
  for (const { from, to, events } of edges.values()) {
    const label = events.length > 2 ? `${events[0]} +${events.length - 1}` : events.join(', ');
    // Labels show for the moves out of the current state (what can happen next); the rest on hover.
    const next = active.has(from.path);
    const g = s(
      'g',
      { class: next ? 'transition next' : 'transition', 'data-from': from.path, 'data-to': to.path },
      s('title', {}, `${from.path} → ${to.path}: ${events.join(', ')}`),
    );
    if (to === from) {
      const x = from.x + from.w - 14;
      const y = from.y;
      g.append(
        s('path', { d: `M${x},${y} c 10,-22 26,-6 14,8`, 'marker-end': 'url(#arrow)' }),
        s('text', { x: x + 18, y: y - 10 }, label),
      );
    } else {
      const [x1, y1] = edgePoint(from, to.x + to.w / 2, to.y + to.h / 2);
      const [x2, y2] = edgePoint(to, from.x + from.w / 2, from.y + from.h / 2);
      // Bend every edge to its left, so a pair of opposite moves never overlaps.
      const len = Math.hypot(x2 - x1, y2 - y1) || 1;
      const bend = Math.min(28, len / 5);
      const cx = (x1 + x2) / 2 + ((y2 - y1) / len) * bend;
      const cy = (y1 + y2) / 2 - ((x2 - x1) / len) * bend;
      const mx = (x1 + 2 * cx + x2) / 4;
      const my = (y1 + 2 * cy + y2) / 4;
      g.append(
        s('path', { d: `M${x1},${y1} Q${cx},${cy} ${x2},${y2}`, 'marker-end': 'url(#arrow)' }),
        s('text', { x: mx, y: my - 3, 'text-anchor': 'middle' }, label),
      );
    }
    svg.append(g);
  }
  const legend = [...global].map((key) => key.split('\u0000'));
  if (legend.length > 0) {
    let y = h + 24;
    for (const [event, target] of legend) {
      svg.append(s('text', { x: 12, y, class: 'legend' }, `from most states: ${shortEvent(event ?? '')} → ${target}`));
      y += 16;
    }
    svg.setAttribute('height', String(y + 4));
    svg.setAttribute('viewBox', `0 0 ${w + 160} ${y + 4}`);
  }
  return svg;
}
