/**
 * One row of the audit table: agent names beside DIDs, where it happened, and a link to the
 * payment page for entries about a payment.
 */
import { h, time } from '../dom.ts';
import { paymentHref } from '../router.ts';
import type { AuditEntry } from '../types.ts';
import { nameOf, whereOf } from './auditParts.ts';
import { paymentSubject } from './paymentSubject.ts';

/** The table's column heads, times labelled with the zone shown. */
export function auditColumns(zone: string): string[] {
  return [
    'seq',
    `when (${zone})`,
    'who',
    'action',
    'subject',
    'agent',
    'where',
    'currency',
    'amount',
    'counterparty',
    'status',
    'why',
    'data',
  ];
}

const cell = (text: string, attrs: Record<string, string> = {}): HTMLElement => h('td', attrs, text);

/** The row of `e`; `names` maps agent DIDs to agent names. */
export function auditRow(e: AuditEntry, names: ReadonlyMap<string, string>): HTMLElement {
  const payment = paymentSubject(e);
  const subject = nameOf(e.subject, names);
  return h(
    'tr',
    { 'data-testid': 'audit-row', 'data-seq': String(e.seq), 'data-action': e.action },
    cell(String(e.seq)),
    cell(time(e.at)),
    cell(nameOf(e.who.id, names, e.who.kind), { title: `${e.who.kind}:${e.who.id}`, 'data-testid': 'audit-who' }),
    cell(e.action),
    h(
      'td',
      { class: 'subject', title: e.subject },
      payment === undefined ? subject : h('a', { href: paymentHref(payment), 'data-testid': 'audit-payment' }, subject),
    ),
    cell(e.agentId ?? ''),
    cell(whereOf(e), { 'data-testid': 'audit-where' }),
    cell(e.currency ?? ''),
    cell(typeof e.data.amount === 'string' ? e.data.amount : '', { class: 'num', 'data-testid': 'audit-amount' }),
    cell(e.counterparty ?? ''),
    cell(e.status ?? ''),
    cell(e.why),
    h('td', { class: 'mono data', title: JSON.stringify(e.data, null, 2) }, JSON.stringify(e.data)),
  );
}
