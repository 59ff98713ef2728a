/**
 * Time-series line charts in inline SVG (no chart library): a few series over a shared time
 * axis, for the monitoring panel.
 */
import { h, s, time } from './dom.ts';

/** One series: its name, colour class and points `[at, value]` in time order. */
export interface Series {
  label: string;
  points: ReadonlyArray<readonly [number, number]>;
}

/** The drawing area. */
interface Box {
  width: number;
  height: number;
}

/** The SVG `points` of each series, scaled into `box` over the time and value range of them all (y grows downward). */
export function linePoints(
  series: readonly Series[],
  box: Box,
): { points: string[]; max: number; from: number; to: number } {
  const all = series.flatMap((x) => x.points);
  const from = Math.min(...all.map(([at]) => at));
  const to = Math.max(...all.map(([at]) => at));
  const max = Math.max(1, ...all.map(([, v]) => v));
  const span = Math.max(1, to - from);
  const round = (n: number): number => Math.round(n * 10) / 10;
  return {
    max,
    from,
    to,
    points: series.map((x) =>
      x.points
        .map(([at, v]) => `${round(((at - from) / span) * box.width)},${round(box.height - (v / max) * box.height)}`)
        .join(' '),
    ),
  };
}

/** A titled line chart; fewer than two points says so instead of drawing nothing. */
export function lineChart(
  title: string,
  series: readonly Series[],
  options: { testId: string; unit: string },
): HTMLElement {
  const wrap = h('figure', { class: 'chart', 'data-testid': options.testId }, h('figcaption', {}, title));
  if (series.every((x) => x.points.length < 2)) {
    wrap.append(h('p', { class: 'muted' }, 'Collecting samples…'));
    return wrap;
  }
  const box = { width: 360, height: 120 };
  const pad = { left: 44, bottom: 18 };
  const { points, max, from, to } = linePoints(series, box);
  const svg = s(
    'svg',
    { width: box.width + pad.left + 8, height: box.height + pad.bottom + 6, role: 'img', 'aria-label': title },
    s('text', { x: pad.left - 6, y: 10, 'text-anchor': 'end', class: 'bar-label' }, `${max.toFixed(1)}`),
    s('text', { x: pad.left - 6, y: box.height, 'text-anchor': 'end', class: 'bar-label' }, '0'),
    s('text', { x: pad.left, y: box.height + pad.bottom, class: 'bar-label' }, time(from)),
    s(
      'text',
      { x: pad.left + box.width, y: box.height + pad.bottom, 'text-anchor': 'end', class: 'bar-label' },
      time(to),
    ),
    s(
      'g',
      { transform: `translate(${pad.left},2)` },
      s('rect', { x: 0, y: 0, width: box.width, height: box.height, class: 'plot' }),
      ...points.map((p, i) => s('polyline', { points: p, class: `line line-${i}`, 'data-series': series[i]!.label })),
    ),
  );
  wrap.append(
    svg,
    h(
      'p',
      { class: 'legend' },
      ...series.map((x, i) => h('span', { class: `swatch line-${i}` }, `${x.label} (${options.unit})`)),
    ),
  );
  return wrap;
}
