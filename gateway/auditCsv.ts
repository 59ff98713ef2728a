/**
 * Audit entries as CSV (RFC 4180), safe to open in a spreadsheet.
 */
import type { AuditEntry } from './RuntimeApi.ts';

/** The CSV header row's columns, in order. */
export const AUDIT_CSV_COLUMNS = [
  'seq',
  'at',
  'who_kind',
  'who_id',
  'action',
  'subject',
  'where',
  'why',
  'agent',
  'currency',
  'counterparty',
  'status',
  'data',
  'hash',
] as const;

/**
 * Quotes one cell. Cells that a spreadsheet would run as a formula (leading
 * = + - @ tab or CR) get a leading apostrophe: an audit export must not become
 * an injection vector for whoever opens it.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n']/.test(safe) || safe !== value ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One entry as a CSV line (with CRLF); the chain hash lets a reader check the export against the log. */
export function auditCsvRow(entry: AuditEntry): string {
  const cells = [
    String(entry.seq),
    new Date(entry.at).toISOString(),
    entry.who.kind,
    entry.who.id,
    entry.action,
    entry.subject,
    entry.where,
    entry.why,
    entry.agentId ?? '',
    entry.currency ?? '',
    entry.counterparty ?? '',
    entry.status ?? '',
    JSON.stringify(entry.data),
    entry.hash,
  ];
  return cells.map(csvCell).join(',') + '\r\n';
}

/** Streams the header and every entry as CSV text chunks. */
export async function* auditCsv(entries: AsyncIterable<AuditEntry>, truncated: () => boolean): AsyncGenerator<string> {
  yield AUDIT_CSV_COLUMNS.join(',') + '\r\n';
  for await (const entry of entries) yield auditCsvRow(entry);
  if (truncated()) yield csvCell('# export truncated: narrow the filters to export the rest') + '\r\n';
}
