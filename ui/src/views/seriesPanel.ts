/**
 * The monitor's chart over time: the runtime's stored series (`GET /api/metrics/series`) over the
 * range the deep link names (presets 15 min … 7 d, or a custom from/to typed in the console's
 * labelled zone), for every agent, one region or one agent, as rates of cycles, payments and
 * failures or one quantity per bucket (payments, volume, fees, failures, cycle latency) for every
 * asset or one, with the buckets listed under the chart. Without stored series it draws the rates
 * seen since the panel opened. The controls are built once, so a re-render of the monitor (every
 * poll) keeps what the operator is typing.
 */
import { ApiError, type Api } from '../api.ts';
import type { DashboardContext } from '../dashboardStore.ts';
import { h, replace } from '../dom.ts';
import { lineChart } from '../lineChart.ts';
import { navigate, routeHash } from '../router.ts';
import {
  linkRange,
  RANGE_PRESETS,
  rangeLabel,
  rangeLink,
  rangeQuery,
  type SeriesLink,
  type SeriesRange,
} from '../seriesRange.ts';
import { linkQuantity, PER_ASSET, QUANTITIES, quantityLink, type Quantity } from '../seriesQuantity.ts';
import { formatTime, inputValue, parseInput, zoneLabel } from '../timeZone.ts';
import type { SeriesResult } from '../types.ts';
import { assetPicks, rateSeries, seriesPicks, storedRates, type CounterSample } from './rateSeries.ts';
import { quantityView, type BucketRow, type QuantityView } from './storedSeries.ts';

/** How often a range ending now is read again while the panel is open. */
const RELOAD_MS = 30_000;
const SECONDS = { seconds: true } as const;

/** The panel: `render` answers its element for the monitor's current context. */
export interface SeriesPanel {
  render(ctx: DashboardContext): HTMLElement;
}

/** Builds the panel; `changed` is called when an answer arrives (the monitor re-renders). */
export function createSeriesPanel(api: Api, history: readonly CounterSample[], changed: () => void): SeriesPanel {
  let linkKey: string | undefined;
  let range: SeriesRange = linkRange({}).range;
  let pick = '';
  let quantity: Quantity = 'rates';
  let asset = '';
  let stored: SeriesResult | null = null;
  let state: 'loading' | 'ok' | 'unavailable' = 'loading';
  let loadedAt = 0;
  let asked = 0;
  let picksFor: unknown;
  const zone = zoneLabel();

  const from = h('input', { type: 'datetime-local', step: 1, 'data-testid': 'series-from' });
  const to = h('input', { type: 'datetime-local', step: 1, 'data-testid': 'series-to' });
  const problem = h('span', { class: 'score bad', 'data-testid': 'series-problem' });
  const select = h('select', {
    'data-testid': 'chart-rates-pick',
    'aria-label': 'Agent or region',
    onchange: () => go(range, select.value),
  });
  const quantitySelect = h(
    'select',
    {
      'data-testid': 'series-quantity',
      'aria-label': 'Quantity',
      onchange: () => go(range, pick, { quantity: quantitySelect.value as Quantity }),
    },
    ...QUANTITIES.map((q) => h('option', { value: q.value }, q.label)),
  );
  const assetSelect = h('select', {
    'data-testid': 'series-asset',
    'aria-label': 'Asset',
    onchange: () => go(range, pick, { asset: assetSelect.value }),
  });
  const presets = RANGE_PRESETS.map((p) =>
    h(
      'button',
      {
        type: 'button',
        class: 'always',
        'data-testid': `series-preset-${p.last}`,
        onclick: () => go(linkRange({ last: p.last }).range, pick),
      },
      p.label,
    ),
  );
  const apply = (e: Event): void => {
    e.preventDefault();
    const [a, b] = [parseInput(from.value), parseInput(to.value)];
    if (Number.isNaN(a) || Number.isNaN(b)) problem.textContent = `Type both times as shown (${zone}).`;
    else if (a >= b) problem.textContent = '"From" must be before "to".';
    else go({ kind: 'between', from: a, to: b }, pick);
  };
  const controls = h(
    'form',
    { class: 'filters', 'data-testid': 'series-controls', onsubmit: apply },
    h('span', { class: 'presets' }, 'last ', ...presets),
    h('label', {}, `From (${zone})`, from),
    h('label', {}, `To (${zone})`, to),
    h('button', { type: 'submit', class: 'always', 'data-testid': 'series-apply' }, 'Show range'),
    h('label', {}, 'Agent or region', select),
    h('label', {}, 'Show', quantitySelect),
    h('label', {}, 'Asset', assetSelect),
    problem,
  );
  const chartSlot = h('div', { class: 'charts' });
  const summary = h('p', { class: 'muted', 'data-testid': 'series-range' });
  const bucketSlot = h('div', {});
  const element = h('section', { 'data-testid': 'series-panel' }, controls, summary, chartSlot, bucketSlot);

  /** The link of a range and pick with the quantity and asset shown (or those `more` names). */
  function linkOf(next: SeriesRange, nextPick: string, more: { quantity?: Quantity; asset?: string } = {}): SeriesLink {
    return { ...rangeLink(next, nextPick), ...quantityLink(more.quantity ?? quantity, more.asset ?? asset) };
  }

  function go(next: SeriesRange, nextPick: string, more: { quantity?: Quantity; asset?: string } = {}): void {
    problem.textContent = '';
    navigate({ view: 'monitor', series: linkOf(next, nextPick, more) });
  }

  function load(): void {
    const mine = ++asked;
    loadedAt = Date.now();
    const query = rangeQuery(range, pick);
    if (asset !== '') query.asset = asset;
    void api.metricSeries(query).then(
      (r) => {
        if (mine !== asked) return; // an answer for a range no longer shown
        [stored, state] = [r, 'ok'];
        if (range.kind === 'last') [from.value, to.value] = [inputValue(r.from, SECONDS), inputValue(r.to, SECONDS)];
        changed();
      },
      (e: unknown) => {
        if (mine !== asked) return;
        // 503: this runtime keeps no series; anything else is transient and the last answer stays.
        if (e instanceof ApiError && e.status === 503) state = 'unavailable';
        else if (e instanceof ApiError) problem.textContent = `${e.code}: ${e.message}`;
        changed();
      },
    );
  }

  /** Follows the route: a new range or pick clears the chart and reads it. */
  function follow(next: SeriesLink): void {
    const key = JSON.stringify(next);
    if (key === linkKey) return;
    linkKey = key;
    const read = linkRange(next);
    const shown = linkQuantity(next);
    [range, pick, stored, quantity, asset] = [read.range, next.series ?? '', null, shown.quantity, shown.asset];
    problem.textContent = [read.problem, shown.problem].filter((x) => x !== null).join('; ');
    quantitySelect.value = quantity;
    assetSelect.disabled = !PER_ASSET.has(quantity);
    if (range.kind === 'between')
      [from.value, to.value] = [inputValue(range.from, SECONDS), inputValue(range.to, SECONDS)];
    for (const [i, p] of RANGE_PRESETS.entries())
      presets[i]!.classList.toggle('active', range.kind === 'last' && range.last === p.last);
    if (state !== 'unavailable') load();
  }

  /** The chart of a quantity per bucket (undefined for the rates, or before an answer). */
  function view(): QuantityView | undefined {
    return stored === null || quantity === 'rates' ? undefined : quantityView(stored, quantity, asset);
  }

  function chart(shown: QuantityView | undefined): HTMLElement {
    if (state === 'unavailable')
      return lineChart(
        'Rates over time (since this panel opened: the runtime keeps no stored series)',
        rateSeries(history),
        {
          testId: 'chart-rates',
          unit: 'per min',
        },
      );
    const span = `${rangeLabel(range, formatTime)}, stored by the runtime`;
    const label = QUANTITIES.find((q) => q.value === quantity)!.label;
    const fig =
      quantity === 'rates'
        ? lineChart(`Rates over time (${span})`, stored ? storedRates(stored) : [], {
            testId: 'chart-rates',
            unit: 'per min',
          })
        : lineChart(
            `${label[0]!.toUpperCase()}${label.slice(1)}${PER_ASSET.has(quantity) && asset !== '' ? `, ${asset}` : ''} (${span})`,
            shown?.series ?? [],
            { testId: 'chart-rates', unit: shown?.unit ?? '' },
          );
    // What it was drawn from, for tests and for a reader of the page: the link of its range, pick and quantity, the answer's bounds.
    if (stored !== null) fig.setAttribute('data-link', routeHash({ view: 'monitor', series: linkOf(range, pick) }));
    if (stored !== null)
      for (const [key, value] of Object.entries({
        from: stored.from,
        to: stored.to,
        step: stored.step,
        points: stored.points.length,
        quantity,
        asset,
      }))
        fig.setAttribute(`data-${key}`, String(value));
    return fig;
  }

  /** The buckets with something counted, under the chart (amounts as stored, exact). */
  function buckets(rows: readonly BucketRow[]): HTMLElement {
    const labels = rows[0]?.values.map((v) => v.label) ?? [];
    return h(
      'details',
      { 'data-testid': 'series-buckets-box' },
      h('summary', {}, `Buckets with something counted (${rows.length})`),
      h(
        'table',
        { 'data-testid': 'series-buckets' },
        h('tr', {}, h('th', {}, `Bucket start (${zone})`), ...labels.map((l) => h('th', {}, l))),
        ...rows.map((r) =>
          h(
            'tr',
            { 'data-at': String(r.at) },
            h('td', {}, formatTime(r.at)),
            ...r.values.map((v) => h('td', { 'data-label': v.label }, v.value)),
          ),
        ),
      ),
    );
  }

  function describe(shown: QuantityView | undefined): string {
    if (state === 'unavailable') return 'This runtime keeps no stored series: the chart shows what this page has seen.';
    if (stored === null) return `Loading ${rangeLabel(range, formatTime)}…`;
    const sum = (k: 'cycles' | 'payments' | 'failures'): number => stored!.points.reduce((n, p) => n + p[k], 0);
    const step = stored.step % 60_000 === 0 ? `${stored.step / 60_000} min` : `${stored.step / 1_000} s`;
    return (
      `${formatTime(stored.from)} – ${formatTime(stored.to)} (${zone}): ${stored.points.length} buckets of ${step}; ` +
      `${sum('cycles')} cycles, ${sum('payments')} payments, ${sum('failures')} failures` +
      (shown === undefined ? '' : `; ${shown.totals}`)
    );
  }

  return {
    render(ctx: DashboardContext): HTMLElement {
      if (ctx.route.view === 'monitor') follow(ctx.route.series);
      if (state === 'ok' && range.kind === 'last' && Date.now() - loadedAt > RELOAD_MS) load();
      // Rebuilt only when the answer or the pick changes: an open drop-down survives the monitor's polls.
      if (picksFor !== (stored ?? `${pick}\u0000${asset}`)) {
        picksFor = stored ?? `${pick}\u0000${asset}`;
        replace(
          select,
          ...seriesPicks(stored?.agents ?? [], pick).map((o) =>
            h('option', { value: o.value, selected: o.value === pick }, o.label),
          ),
        );
        select.value = pick;
        replace(
          assetSelect,
          ...assetPicks(stored?.assets ?? [], asset).map((o) =>
            h('option', { value: o.value, selected: o.value === asset }, o.label),
          ),
        );
        assetSelect.value = asset;
      }
      const shown = state === 'unavailable' ? undefined : view();
      summary.textContent = describe(shown);
      replace(chartSlot, chart(shown));
      replace(bucketSlot, ...(shown === undefined ? [] : [buckets(shown.rows)]));
      return element;
    },
  };
}
