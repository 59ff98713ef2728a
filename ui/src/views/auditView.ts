/**
 * The audit log: filters (time in the zone shown, with presets; agent, currency, counterparty,
 * status and action as case-insensitive prefixes with pick lists), a paged table whose payment
 * rows open the payment page, and CSV / PDF export of the same filters. The filters live in the
 * URL (`#/audit?…`), so a query can be linked and survives a reload.
 */
import { ApiError } from '../api.ts';
import type { DashboardContext } from '../dashboardStore.ts';
import { h, replace, time } from '../dom.ts';
import { navigate, paymentHref } from '../router.ts';
import type { Mount } from '../shell.ts';
import { inputValue, parseInput, zoneLabel } from '../timeZone.ts';
import type { AuditEntry, AuditFilters } from '../types.ts';
import { paymentSubject } from './paymentSubject.ts';
import { runAction } from './runAction.ts';

type TextKey = Exclude<keyof AuditFilters, 'from' | 'to' | 'match'>;
const TEXT_FIELDS: Array<[TextKey, string]> = [
  ['agent', 'Agent'],
  ['currency', 'Currency'],
  ['counterparty', 'Counterparty'],
  ['status', 'Status'],
  ['action', 'Action'],
];
const PRESETS: Array<[string, number]> = [
  ['15 min', 15 * 60_000],
  ['1 h', 3_600_000],
  ['24 h', 86_400_000],
  ['7 d', 7 * 86_400_000],
];
const STATUSES = ['succeeded', 'would-have-sent', 'failed', 'denied', 'rejected', 'expired', 'refused', 'pending'];

/** Mounts the audit panel for `filters`; it keeps its own rows (they are not live state). */
export function mountAuditView({ root, store, api, filters: initial }: Mount & { filters: AuditFilters }) {
  const zone = zoneLabel();
  const from = h('input', { name: 'from', type: 'datetime-local', step: 1, 'data-testid': 'filter-from' });
  const to = h('input', { name: 'to', type: 'datetime-local', step: 1, 'data-testid': 'filter-to' });
  const shownTime = (iso: string | undefined): string => {
    const at = iso === undefined ? Number.NaN : Date.parse(iso);
    return Number.isNaN(at) ? '' : inputValue(at, { seconds: true });
  };
  from.value = shownTime(initial.from);
  to.value = shownTime(initial.to);
  const form = h(
    'form',
    { class: 'filters', 'data-testid': 'audit-filters' },
    h('label', {}, `From (${zone})`, from),
    h('label', {}, `To (${zone})`, to),
  );
  const lists = new Map<TextKey, HTMLDataListElement>();
  const inputs = new Map<TextKey, HTMLInputElement>();
  for (const [key, label] of TEXT_FIELDS) {
    const list = h('datalist', { id: `pick-${key}`, 'data-testid': `pick-${key}` });
    const input = h('input', {
      name: key,
      type: 'text',
      list: `pick-${key}`,
      autocomplete: 'off',
      placeholder: 'starts with…',
      'data-testid': `filter-${key}`,
    });
    input.value = initial[key] ?? '';
    inputs.set(key, input);
    lists.set(key, list);
    form.append(h('label', {}, label, input, list));
  }
  const rows = h('tbody', {});
  const status = h('p', { class: 'muted', 'data-testid': 'audit-status' });
  const more = h('button', { type: 'button', 'data-testid': 'audit-more', hidden: true }, 'Load more');
  form.append(
    h('button', { type: 'submit', class: 'primary always', 'data-testid': 'audit-apply' }, 'Apply'),
    h(
      'span',
      { class: 'presets' },
      'last ',
      ...PRESETS.map(([label, ms]) =>
        h(
          'button',
          {
            type: 'button',
            class: 'always',
            'data-testid': `preset-${label.replace(' ', '')}`,
            onclick: () => go({ ...current(), from: new Date(Date.now() - ms).toISOString(), to: undefined }),
          },
          label,
        ),
      ),
    ),
    h(
      'button',
      { type: 'button', class: 'always', 'data-testid': 'export-csv', onclick: () => void download('csv') },
      'Export CSV',
    ),
    h(
      'button',
      { type: 'button', class: 'always', 'data-testid': 'export-pdf', onclick: () => void download('pdf') },
      'Export PDF',
    ),
  );
  const COLUMNS = [
    'seq',
    `when (${zone})`,
    'who',
    'action',
    'subject',
    'agent',
    'where',
    'currency',
    'counterparty',
    'status',
    'why',
    'data',
  ];
  replace(
    root,
    h(
      'section',
      { class: 'pane', 'data-testid': 'audit' },
      h('h2', {}, 'Audit log'),
      form,
      status,
      h(
        'table',
        { 'data-testid': 'audit-table', class: 'audit' },
        h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => h('th', {}, c)))),
        rows,
      ),
      more,
    ),
  );

  let cursor: string | null = null;
  let shown = 0;
  let names = new Map<string, string>();
  const picks = new Map<TextKey, Set<string>>(TEXT_FIELDS.map(([k]) => [k, new Set<string>()]));
  for (const s of STATUSES) picks.get('status')!.add(s);

  /** What the form says, times read in the zone shown. */
  const current = (): AuditFilters => {
    const out: AuditFilters = {};
    for (const [key, el] of inputs) if (el.value.trim() !== '') out[key] = el.value.trim();
    for (const [key, el] of [
      ['from', from],
      ['to', to],
    ] as const) {
      const at = parseInput(el.value);
      if (!Number.isNaN(at)) out[key] = new Date(at).toISOString();
    }
    return out;
  };
  const go = (filters: AuditFilters): void => {
    const clean = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined && v !== ''));
    navigate({ view: 'audit', filters: clean });
    // The same filters again (Apply twice): the route did not change, so reload here.
    if (JSON.stringify(clean) === JSON.stringify(initial)) void load(false);
  };
  const query = (): AuditFilters & { match: 'prefix' } => ({ ...initial, match: 'prefix' });

  const cell = (text: string, cls = ''): HTMLElement => h('td', cls === '' ? {} : { class: cls }, text);
  const row = (e: AuditEntry): HTMLElement => {
    const payment = paymentSubject(e);
    const name = names.get(e.who.id);
    return h(
      'tr',
      { 'data-testid': 'audit-row', 'data-seq': String(e.seq) },
      cell(String(e.seq)),
      cell(time(e.at)),
      h(
        'td',
        { title: `${e.who.kind}:${e.who.id}` },
        name === undefined ? `${e.who.kind}:${e.who.id}` : `agent ${name}`,
      ),
      cell(e.action),
      h(
        'td',
        { class: 'subject' },
        payment === undefined
          ? e.subject
          : h('a', { href: paymentHref(payment), 'data-testid': 'audit-payment' }, e.subject),
      ),
      cell(e.agentId ?? ''),
      cell(e.where),
      cell(e.currency ?? ''),
      cell(e.counterparty ?? ''),
      cell(e.status ?? ''),
      cell(e.why),
      h('td', { class: 'mono data', title: JSON.stringify(e.data, null, 2) }, JSON.stringify(e.data)),
    );
  };

  const remember = (entries: AuditEntry[]): void => {
    for (const e of entries) {
      if (e.agentId) picks.get('agent')!.add(e.agentId);
      if (e.currency) picks.get('currency')!.add(e.currency);
      if (e.counterparty) picks.get('counterparty')!.add(e.counterparty);
      if (e.status) picks.get('status')!.add(e.status);
      picks.get('action')!.add(e.action);
    }
    for (const [key, list] of lists)
      replace(list, ...[...picks.get(key)!].sort().map((v) => h('option', { value: v })));
  };

  // Loading reports failures only: a notice on every page load would be noise.
  const load = async (append: boolean): Promise<void> => {
    try {
      const page = await api.audit(query(), 100, append && cursor !== null ? cursor : undefined);
      if (!append) {
        rows.replaceChildren();
        shown = 0;
      }
      rows.append(...page.entries.map(row));
      remember(page.entries);
      shown += page.entries.length;
      cursor = page.nextCursor;
      more.hidden = cursor === null;
      status.textContent = `${shown} entr${shown === 1 ? 'y' : 'ies'} shown${cursor === null ? '' : ', more available'}`;
    } catch (err) {
      const text = err instanceof ApiError ? `${err.code} ${err.message}` : (err as Error).message;
      store.trigger.notify({ notice: { kind: 'error', text: `audit query failed: ${text}` } });
    }
  };

  async function download(format: 'csv' | 'pdf'): Promise<void> {
    await runAction(store, `export ${format}`, async () => {
      const { blob, filename } = await api.download(format, query());
      const url = URL.createObjectURL(blob);
      const a = h('a', { href: url, download: filename });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go(current());
  });
  more.addEventListener('click', () => void load(true));
  void load(false);
  return (ctx: DashboardContext): void => {
    const next = new Map(ctx.agents.map((a) => [a.did, a.id]));
    if (next.size !== names.size) {
      names = next;
      for (const a of ctx.agents) picks.get('agent')!.add(a.id);
      remember([]);
    }
  };
}
