/**
 * The SQL that reads approvals: all of them (or of one status) in request order, and one by id —
 * the look-up that answers "was this decision already approved or rejected?" once the runtime no
 * longer holds every closed approval in memory. Same SQL on PostgreSQL and the embedded database.
 */
import type { ApprovalRecord } from '../inspection/InspectionEvent.ts';

/** Runs a read on the store's pool (with its retries); rows are of our own schema. */
type Read = <R>(sql: string, params?: unknown[]) => Promise<R[]>;

/** Approvals, all or of one status, in request order. */
export async function listApprovals(read: Read, status?: ApprovalRecord['status']): Promise<ApprovalRecord[]> {
  const rows =
    status === undefined
      ? await read<{ record: ApprovalRecord }>('select record from mandate_approval order by requested_at, id')
      : await read<{ record: ApprovalRecord }>(
          'select record from mandate_approval where status = ? order by requested_at, id',
          [status],
        );
  return rows.map((r) => r.record);
}

/** The approval `id` (its primary key), or undefined. */
export async function approvalById(read: Read, id: string): Promise<ApprovalRecord | undefined> {
  const rows = await read<{ record: ApprovalRecord }>('select record from mandate_approval where id = ?', [id]);
  return rows[0]?.record;
}
