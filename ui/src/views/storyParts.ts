/**
 * Small building blocks of the detail pages: a definition list of facts, a table.
 */
import { h, type Child } from '../dom.ts';

/** A `<dl>` of label / value pairs. */
export function facts(testId: string, pairs: Array<[string, Child]>): HTMLElement {
  return h(
    'dl',
    { class: 'facts', 'data-testid': testId },
    ...pairs.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { 'data-field': k }, v)]),
  );
}

/** A table with a header row; `empty` shown instead when there are no rows. */
export function table({
  testId,
  head,
  rows,
  empty = 'None.',
}: {
  testId: string;
  head: string[];
  rows: Child[][];
  empty?: string;
}): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted', 'data-testid': `${testId}-empty` }, empty);
  return h(
    'table',
    { 'data-testid': testId },
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
  );
}
