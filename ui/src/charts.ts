/**
 * Horizontal bar charts in SVG, labelled, for the monitoring panel.
 */
import { h, s } from './dom.ts';

/** One bar. */
export interface Bar {
  label: string;
  value: number;
  /** Optional second series drawn over the first (e.g. failures over cycles). */
  overlay?: number;
}

/** A titled bar chart; empty data says so instead of drawing nothing. */
export function barChart(
  title: string,
  bars: Bar[],
  options: { testId: string; unit?: string } = { testId: 'chart' },
): HTMLElement {
  const wrap = h('figure', { class: 'chart', 'data-testid': options.testId }, h('figcaption', {}, title));
  if (bars.length === 0) {
    wrap.append(h('p', { class: 'muted' }, 'No data yet.'));
    return wrap;
  }
  const max = Math.max(...bars.map((b) => b.value), 1);
  const rowH = 22;
  const labelW = 150;
  const barW = 260;
  const svg = s('svg', { width: labelW + barW + 90, height: bars.length * rowH + 6, role: 'img', 'aria-label': title });
  bars.forEach((b, i) => {
    const y = i * rowH + 3;
    const len = (b.value / max) * barW;
    const parts = [
      s(
        'text',
        { x: labelW - 6, y: y + 14, 'text-anchor': 'end', class: 'bar-label' },
        b.label.length > 22 ? `${b.label.slice(0, 21)}…` : b.label,
      ),
      s('rect', {
        x: labelW,
        y,
        width: Math.max(len, 1),
        height: rowH - 6,
        class: 'bar',
        'data-label': b.label,
        'data-value': b.value,
      }),
      b.overlay
        ? s('rect', {
            x: labelW,
            y,
            width: Math.max((b.overlay / max) * barW, 1),
            height: rowH - 6,
            class: 'bar overlay',
          })
        : null,
      s(
        'text',
        { x: labelW + len + 6, y: y + 14, class: 'bar-value' },
        `${formatNumber(b.value)}${options.unit ? ` ${options.unit}` : ''}${b.overlay ? ` (${b.overlay} failed)` : ''}`,
      ),
    ];
    for (const part of parts) if (part !== null) svg.append(part);
  });
  wrap.append(svg);
  return wrap;
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}
