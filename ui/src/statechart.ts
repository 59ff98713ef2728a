/**
 * Draws a machine as SVG from its ELK layout (statechartLayout.ts): states as boxes (compound
 * states around their children), transitions as routed arrows labelled with their events, the
 * current state and its ancestors highlighted, the moves from most states in a legend.
 */
import { h, replace, s } from './dom.ts';
import { keptLayout, layoutMachine, type Layout } from './statechartLayout.ts';
import type { MachineGraph } from './types.ts';

const MARGIN = 8;

/** The SVG drawing of `layout` with `current` (dot-joined state value) highlighted. */
function drawing(layout: Layout, machineId: string, current: string): SVGElement {
  const active = new Set<string>();
  const parts = current.split('.');
  for (let i = 1; i <= parts.length; i++) active.add(parts.slice(0, i).join('.'));
  const legendH = layout.graph.legend.length * 16 + (layout.graph.legend.length > 0 ? 8 : 0);
  const [w, hgt] = [layout.width + 2 * MARGIN, layout.height + 2 * MARGIN + legendH];
  const svg = s('svg', {
    viewBox: `${-MARGIN} ${-MARGIN} ${w} ${hgt}`,
    width: w,
    height: hgt,
    class: 'statechart laid-out',
    role: 'img',
    'aria-label': `statechart of ${machineId}`,
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
  for (const b of layout.boxes) {
    const isCurrent = b.node.path === current;
    const compound = b.node.children.length > 0;
    const cls = ['state', b.node.type, isCurrent ? 'current' : active.has(b.node.path) ? 'active' : '']
      .filter(Boolean)
      .join(' ');
    const g = s('g', { class: cls, 'data-state': b.node.path, ...(isCurrent ? { 'data-current': 'true' } : {}) });
    g.append(s('rect', { x: b.x, y: b.y, width: b.w, height: b.h, rx: 8 }));
    if (b.node.type === 'final')
      g.append(s('rect', { x: b.x + 3, y: b.y + 3, width: b.w - 6, height: b.h - 6, rx: 6, class: 'final-inner' }));
    g.append(
      s(
        'text',
        {
          x: compound ? b.x + 12 : b.x + b.w / 2,
          y: compound ? b.y + 18 : b.y + b.h / 2 + 4,
          'text-anchor': compound ? 'start' : 'middle',
        },
        b.node.label,
      ),
    );
    svg.append(g);
  }
  for (const { edge, points, label } of layout.edges) {
    const next = active.has(edge.from);
    const g = s(
      'g',
      { class: next ? 'transition next' : 'transition', 'data-from': edge.from, 'data-to': edge.to },
      s('title', {}, `${edge.from} → ${edge.to}: ${edge.events.join(', ')}`),
      s('path', {
        d: points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x},${y}`).join(' '),
        'marker-end': 'url(#arrow)',
      }),
    );
    if (label !== null) g.append(s('text', { x: label.x, y: label.y, 'text-anchor': 'middle' }, edge.label));
    svg.append(g);
  }
  let y = layout.height + MARGIN + 12;
  for (const { event, target } of layout.graph.legend) {
    svg.append(s('text', { x: 0, y, class: 'legend' }, `from most states: ${event} → ${target}`));
    y += 16;
  }
  return svg;
}

/**
 * The statechart of `machine` with `current` highlighted: drawn at once when its layout is known,
 * otherwise filled in when the layout (and, the first time, the layout library) has loaded.
 */
export function statechartView(machine: MachineGraph, current: string): HTMLElement {
  const box = h('div', { class: 'chart-scroll', 'data-testid': 'statechart' });
  const known = keptLayout(machine);
  if (known !== undefined) {
    box.append(drawing(known, machine.id, current));
    return box;
  }
  box.append(h('p', { class: 'muted' }, 'Laying out the statechart…'));
  layoutMachine(machine).then(
    (layout) => replace(box, drawing(layout, machine.id, current)),
    (e: unknown) => replace(box, h('p', { class: 'score bad' }, `The statechart could not be laid out: ${String(e)}`)),
  );
  return box;
}
