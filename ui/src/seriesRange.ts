/**
 * The time range of the stored-series chart: a span back from now (the presets 15 min, 1 h, 6 h,
 * 24 h, 7 d, or any `last=` the gateway accepts) or a custom from/to, kept in the deep link
 * (`#/monitor?last=6h&series=agent:payables`, `#/monitor?from=2026-12-01T16:00:00.000Z&to=…`),
 * and the gateway query that reads it. Times in the link are absolute (ISO, UTC); the panel shows
 * and reads them in the console's labelled zone.
 */

/** The spans offered as buttons, with the gateway's `last=` spelling. */
export const RANGE_PRESETS = [
  { last: '15m', label: '15 min' },
  { last: '1h', label: '1 h' },
  { last: '6h', label: '6 h' },
  { last: '24h', label: '24 h' },
  { last: '7d', label: '7 d' },
] as const;

/** What the deep link says about the chart, as strings from the URL (all optional). */
export interface SeriesLink {
  last?: string;
  from?: string;
  to?: string;
  /** The pick: `agent:<id>`, `region:<label>`, or absent for every agent. */
  series?: string;
  /** What is charted (`seriesQuantity.ts`): absent for the rates. */
  quantity?: string;
  /** One asset's amounts, or absent for every asset's. */
  asset?: string;
}

/** A range the chart reads: a span back from the runtime's now, or fixed bounds (epoch ms). */
export type SeriesRange = { kind: 'last'; last: string; ms: number } | { kind: 'between'; from: number; to: number };

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const UNIT_LABEL = { s: 's', m: 'min', h: 'h', d: 'd' } as const;
/** The gateway's own bound on `last=` (gateway/schemas.ts). */
const MAX_LAST_MS = 400 * 86_400_000;

/** The last hour: what the chart shows when the link names no range. */
const DEFAULT_RANGE = { kind: 'last', last: '1h', ms: 3_600_000 } as const satisfies SeriesRange;

/** `6h` → 21 600 000; null unless it is a whole number and s, m, h or d within 400 days. */
export function durationMs(last: string): number | null {
  if (!/^[1-9]\d{0,5}[smhd]$/.test(last)) return null;
  const ms = Number(last.slice(0, -1)) * UNIT_MS[last.slice(-1) as keyof typeof UNIT_MS];
  return ms <= MAX_LAST_MS ? ms : null;
}

/** The range the link names, or the last hour and why the link's range was not used. */
export function linkRange(link: SeriesLink): { range: SeriesRange; problem: string | null } {
  if (link.last !== undefined) {
    const ms = durationMs(link.last);
    if (ms === null)
      return { range: DEFAULT_RANGE, problem: `"last=${link.last}" is not a span like 15m, 1h, 24h or 7d` };
    return { range: { kind: 'last', last: link.last, ms }, problem: null };
  }
  if (link.from === undefined && link.to === undefined) return { range: DEFAULT_RANGE, problem: null };
  const from = Date.parse(link.from ?? '');
  const to = Date.parse(link.to ?? '');
  if (Number.isNaN(from) || Number.isNaN(to))
    return { range: DEFAULT_RANGE, problem: 'a custom range needs both "from" and "to" as times' };
  if (from >= to) return { range: DEFAULT_RANGE, problem: '"from" must be before "to"' };
  return { range: { kind: 'between', from, to }, problem: null };
}

/** The link fields of `range` and `pick`, for the router. */
export function rangeLink(range: SeriesRange, pick: string): SeriesLink {
  const out: SeriesLink =
    range.kind === 'last'
      ? range.last === DEFAULT_RANGE.last
        ? {}
        : { last: range.last }
      : { from: new Date(range.from).toISOString(), to: new Date(range.to).toISOString() };
  if (pick !== '') out.series = pick;
  return out;
}

/** The bucket for a span: whole seconds, at least 10 s (the sampling interval), about 120 buckets. */
export function rangeStep(spanMs: number): number {
  return Math.max(10_000, Math.ceil(spanMs / 120 / 1_000) * 1_000);
}

/**
 * The gateway query for `range` (`last=` so the span ends at the runtime's own now, even when the
 * browser's clock is off; or `from=&to=`), its step, and the pick's agent or region.
 */
export function rangeQuery(range: SeriesRange, pick: string): Record<string, string> {
  const q: Record<string, string> =
    range.kind === 'last'
      ? { last: range.last, step: String(rangeStep(range.ms)) }
      : { from: String(range.from), to: String(range.to), step: String(rangeStep(range.to - range.from)) };
  const [kind, ...rest] = pick.split(':');
  if (kind === 'agent' || kind === 'region') q[kind] = rest.join(':');
  return q;
}

/** `last 15 min`, `last 7 d`; a custom range as `<from> – <to>` with `format` (the console's zone). */
export function rangeLabel(range: SeriesRange, format: (at: number) => string): string {
  if (range.kind === 'between') return `${format(range.from)} – ${format(range.to)}`;
  const preset = RANGE_PRESETS.find((p) => p.last === range.last);
  return `last ${preset?.label ?? `${range.last.slice(0, -1)} ${UNIT_LABEL[range.last.slice(-1) as keyof typeof UNIT_LABEL]}`}`;
}
