/**
 * Walks every page of an audit query, for exports.
 */
import type { AuditEntry, AuditQuery, AuditSource } from './RuntimeApi.ts';

/** Most rows one export carries; past it the export says it was cut short. */
export const EXPORT_MAX_ROWS = 50_000;

/** How much one export may carry (`maxRows`, default {@link EXPORT_MAX_ROWS}), and whom to tell when it was cut short. */
export interface ExportBound {
  maxRows?: number;
  onTruncated?: () => void;
}

/** Yields matching entries page by page, at most `maxRows`; reports whether more existed. */
export async function* auditPages(
  source: AuditSource,
  filters: Omit<AuditQuery, 'limit' | 'cursor'>,
  { maxRows = EXPORT_MAX_ROWS, onTruncated = () => {} }: ExportBound = {},
): AsyncGenerator<AuditEntry> {
  let cursor: string | undefined;
  let count = 0;
  do {
    const page = await source.queryAudit({ ...filters, limit: 500, ...(cursor === undefined ? {} : { cursor }) });
    for (const entry of page.entries) {
      if (count === maxRows) {
        onTruncated();
        return;
      }
      count++;
      yield entry;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
