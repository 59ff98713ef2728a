/**
 * The audit log: filters (time, agent, currency, counterparty, status, action),
 * paged table, CSV and PDF export of the same filters.
 */
import type { Api } from '../api.ts';
import type { DashboardContext, DashboardStore } from '../dashboardStore.ts';
import { h, replace, time } from '../dom.ts';
import type { AuditEntry, AuditFilters } from '../types.ts';
import { runAction } from './runAction.ts';

const FIELDS: Array<[keyof AuditFilters, string, string]> = [
  ['from', 'From', 'datetime-local'],
  ['to', 'To', 'datetime-local'],
  ['agent', 'Agent', 'text'],
  ['currency', 'Currency', 'text'],
  ['counterparty', 'Counterparty', 'text'],
  ['status', 'Status', 'text'],
  ['action', 'Action', 'text'],
];

/** Mounts the audit panel; it keeps its own rows (they are not live state). */
export function mountAuditView(root: HTMLElement, store: DashboardStore, api: Api): (ctx: DashboardContext) => void {
  const inputs = new Map<keyof AuditFilters, HTMLInputElement>();
  const form = h('form', { class: 'filters', 'data-testid': 'audit-filters' });
  for (const [key, label, type] of FIELDS) {
    const input = h('input', { name: key, type, 'data-testid': `filter-${key}` });
    inputs.set(key, input);
    form.append(h('label', {}, label, input));
  }
  const rows = h('tbody', {});
  const status = h('p', { class: 'muted', 'data-testid': 'audit-status' });
  const more = h('button', { type: 'button', 'data-testid': 'audit-more', hidden: true }, 'Load more');
  form.append(
    h('button', { type: 'submit', class: 'primary', 'data-testid': 'audit-apply' }, 'Apply'),
    h('button', { type: 'button', 'data-testid': 'export-csv', onclick: () => void download('csv') }, 'Export CSV'),
    h('button', { type: 'button', 'data-testid': 'export-pdf', onclick: () => void download('pdf') }, 'Export PDF'),
  );
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
        { 'data-testid': 'audit-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...[
              'seq',
              'when (UTC)',
              'who',
              'action',
              'subject',
              'agent',
              'currency',
              'counterparty',
              'status',
              'why',
              'data',
            ].map((c) => h('th', {}, c)),
          ),
        ),
        rows,
      ),
      more,
    ),
  );

  let cursor: string | null = null;
  let shown = 0;
  const filters = (): AuditFilters =>
    Object.fromEntries([...inputs].map(([k, el]) => [k, el.value.trim()]).filter(([, v]) => v !== '')) as AuditFilters;
  const row = (e: AuditEntry): HTMLElement =>
    h(
      'tr',
      { 'data-testid': 'audit-row', 'data-seq': String(e.seq) },
      h('td', {}, String(e.seq)),
      h('td', {}, time(e.at)),
      h('td', {}, `${e.who.kind}:${e.who.id}`),
      h('td', {}, e.action),
      h('td', {}, e.subject),
      h('td', {}, e.agentId ?? ''),
      h('td', {}, e.currency ?? ''),
      h('td', {}, e.counterparty ?? ''),
      h('td', {}, e.status ?? ''),
      h('td', {}, e.why),
      h('td', { class: 'mono' }, JSON.stringify(e.data)),
    );

  const load = async (append: boolean): Promise<void> => {
    await runAction(store, 'audit query', async () => {
      const page = await api.audit(filters(), 100, append && cursor !== null ? cursor : undefined);
      if (!append) {
        rows.replaceChildren();
        shown = 0;
      }
      rows.append(...page.entries.map(row));
      shown += page.entries.length;
      cursor = page.nextCursor;
      more.hidden = cursor === null;
      status.textContent = `${shown} entr${shown === 1 ? 'y' : 'ies'} shown${cursor === null ? '' : ', more available'}`;
    });
  };

  async function download(format: 'csv' | 'pdf'): Promise<void> {
    await runAction(store, `export ${format}`, async () => {
      const { blob, filename } = await api.download(format, filters());
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
    void load(false);
  });
  more.addEventListener('click', () => void load(true));
  void load(false);
  return () => {};
}
