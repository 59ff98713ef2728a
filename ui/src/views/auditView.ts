/**
 * The audit log: filters (time in the zone shown, with presets; agent, currency, counterparty,
 * status and action as case-insensitive prefixes with pick lists; an amount range; routine entries hidden on
 * request), a table paged on the server (older / newer) whose payment rows open the payment page,
 * CSV / PDF export of the same filters, and "verify chain" (operators and admins). The filters
 * live in the URL (`#/audit?…`), so a query can be linked and survives a reload.
 */
import { ApiError } from '../api.ts';
import type { DashboardContext } from '../dashboardStore.ts';
import { h, replace } from '../dom.ts';
import { navigate, routeHash } from '../router.ts';
import type { Mount } from '../shell.ts';
import { inputValue, parseInput, zoneLabel } from '../timeZone.ts';
import type { AuditEntry, AuditFilters } from '../types.ts';
import { AuditPager, verdictText } from './auditParts.ts';
import { auditColumns, auditRow } from './auditRow.ts';
import { runAction } from './runAction.ts';

type TextKey = Exclude<keyof AuditFilters, 'from' | 'to' | 'match' | 'noise' | AmountKey>;
type AmountKey = 'minAmount' | 'maxAmount';
/** Rows per page. */
const PAGE_SIZE = 100;
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
  const amounts = new Map<AmountKey, HTMLInputElement>();
  for (const [key, label, testId] of [
    ['minAmount', 'Amount from', 'filter-min-amount'],
    ['maxAmount', 'Amount to', 'filter-max-amount'],
  ] as const) {
    // The browser refuses to submit what is no decimal; the server checks again (and min <= max).
    const input = h('input', {
      name: key,
      type: 'text',
      inputmode: 'decimal',
      pattern: '\\d{1,30}(\\.\\d{1,18})?',
      title: 'a decimal such as 2500.50',
      autocomplete: 'off',
      class: 'amount',
      'data-testid': testId,
    });
    input.value = initial[key] ?? '';
    amounts.set(key, input);
    form.append(h('label', {}, label, input));
  }
  const noise = h('input', { name: 'noise', type: 'checkbox', 'data-testid': 'filter-noise' });
  noise.checked = initial.noise === 'hide';
  noise.addEventListener('change', () => go(current()));
  form.append(
    h(
      'label',
      { class: 'inline', title: 'reputation moves, registrations, placements, model answers' },
      noise,
      'hide routine',
    ),
  );
  const rows = h('tbody', {});
  const status = h('p', { class: 'muted', 'data-testid': 'audit-status' });
  const newer = h(
    'button',
    { type: 'button', class: 'always', 'data-testid': 'audit-newer', disabled: true },
    '← Newer',
  );
  const older = h(
    'button',
    { type: 'button', class: 'always', 'data-testid': 'audit-older', disabled: true },
    'Older →',
  );
  const verdict = h('p', { class: 'verdict', 'data-testid': 'audit-verdict', hidden: true });
  const verify = h('button', { type: 'button', 'data-testid': 'audit-verify', hidden: true }, 'Verify chain');
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
  const pager = h('p', { class: 'pager' }, newer, older);
  replace(
    root,
    h(
      'section',
      { class: 'pane', 'data-testid': 'audit' },
      h('h2', {}, 'Audit log ', verify),
      verdict,
      form,
      status,
      h(
        'table',
        { 'data-testid': 'audit-table', class: 'audit' },
        h('thead', {}, h('tr', {}, ...auditColumns(zone).map((c) => h('th', {}, c)))),
        rows,
      ),
      pager,
    ),
  );

  const pages = new AuditPager();
  let shown: AuditEntry[] = [];
  let names = new Map<string, string>();
  const picks = new Map<TextKey, Set<string>>(TEXT_FIELDS.map(([k]) => [k, new Set<string>()]));
  for (const s of STATUSES) picks.get('status')!.add(s);

  /** What the form says, times read in the zone shown. */
  const current = (): AuditFilters => {
    const out: AuditFilters = {};
    for (const [key, el] of inputs) if (el.value.trim() !== '') out[key] = el.value.trim();
    for (const [key, el] of amounts) if (el.value.trim() !== '') out[key] = el.value.trim();
    for (const [key, el] of [
      ['from', from],
      ['to', to],
    ] as const) {
      const at = parseInput(el.value);
      if (!Number.isNaN(at)) out[key] = new Date(at).toISOString();
    }
    if (noise.checked) out.noise = 'hide';
    return out;
  };
  const go = (filters: AuditFilters): void => {
    const clean = Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined && v !== ''));
    navigate({ view: 'audit', filters: clean });
    // The same filters again (Apply twice): the route did not change, so reload here.
    if (JSON.stringify(clean) === JSON.stringify(initial)) {
      pages.reset();
      void load();
    }
  };
  const query = (): AuditFilters & { match: 'prefix' } => ({ ...initial, match: 'prefix' });

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
  // `data-state` is `loading` until a page of these filters is shown, then `loaded` with
  // `data-route` the route it answers: what a reader (or a test) waits on after Apply, since the
  // previous route's view stays on screen until the browser reports the hash change.
  status.dataset.route = routeHash({ view: 'audit', filters: initial });
  const load = async (): Promise<void> => {
    status.dataset.state = 'loading';
    try {
      const page = await api.audit(query(), PAGE_SIZE, pages.cursor);
      shown = page.entries;
      rows.replaceChildren(...shown.map((e) => auditRow(e, names)));
      remember(shown);
      pages.loaded(page.nextCursor);
      older.disabled = !pages.hasOlder;
      newer.disabled = !pages.hasNewer;
      status.textContent = pages.status(shown.length, PAGE_SIZE);
      status.dataset.state = 'loaded';
    } catch (err) {
      status.dataset.state = 'failed';
      const text = err instanceof ApiError ? `${err.code} ${err.message}` : (err as Error).message;
      store.trigger.notify({ notice: { kind: 'error', text: `audit query failed: ${text}` } });
    }
  };

  const runVerify = async (): Promise<void> => {
    verify.disabled = true;
    verdict.hidden = false;
    verdict.className = 'verdict';
    verdict.textContent = 'Verifying the whole chain…';
    try {
      const { ok, text } = verdictText(await api.verifyAudit());
      verdict.className = ok ? 'verdict ok' : 'verdict broken';
      verdict.dataset.ok = String(ok);
      verdict.textContent = text;
    } catch (err) {
      verdict.className = 'verdict broken';
      verdict.dataset.ok = 'error';
      verdict.textContent = `Verification failed: ${err instanceof ApiError ? `${err.code} ${err.message}` : (err as Error).message}`;
    } finally {
      verify.disabled = false;
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
  older.addEventListener('click', () => {
    if (pages.older() !== undefined) void load();
  });
  newer.addEventListener('click', () => {
    if (pages.newer()) void load();
  });
  verify.addEventListener('click', () => void runVerify());
  void load();
  return (ctx: DashboardContext): void => {
    verify.hidden = !(ctx.me?.permissions.includes('audit.verify') ?? false);
    const next = new Map(ctx.agents.map((a) => [a.did, a.id]));
    if (next.size !== names.size) {
      names = next;
      for (const a of ctx.agents) picks.get('agent')!.add(a.id);
      remember([]);
      rows.replaceChildren(...shown.map((e) => auditRow(e, names)));
    }
  };
}
