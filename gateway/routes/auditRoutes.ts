/**
 * The audit log: filtered, paginated query and CSV / PDF exports of the same filters.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auditCsv } from '../auditCsv.ts';
import { auditPages } from '../auditPages.ts';
import { auditPdf } from '../auditPdf.ts';
import { AuditUnavailableError } from '../errors.ts';
import type { AuditSource } from '../RuntimeApi.ts';
import { auditVerifyRoute } from './auditVerifyRoute.ts';
import { AuditExportQuerySchema, AuditQuerySchema } from '../schemas.ts';

/** Most rows a PDF export carries (a PDF is for reading, the CSV for processing). */
export const PDF_MAX_ROWS = 5_000;

/** Registers /api/audit, its exports and its verification. */
export function auditRoutes(app: FastifyInstance, source: AuditSource | undefined, clock: () => number): void {
  const need = (): AuditSource => {
    if (source === undefined) throw new AuditUnavailableError();
    return source;
  };
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['audit'];
  auditVerifyRoute(app, source, clock);

  api.get(
    '/api/audit',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'The audit log, newest first, filtered and keyset-paged',
        tags,
        querystring: AuditQuerySchema,
      },
    },
    async (request) => {
      const { limit, cursor, ...filters } = request.query;
      const page = await need().queryAudit({
        ...filters,
        limit: limit ?? 50,
        ...(cursor === undefined ? {} : { cursor }),
      });
      return { entries: page.entries, nextCursor: page.nextCursor ?? null };
    },
  );

  api.get(
    '/api/audit/export.csv',
    {
      config: { permission: 'read' },
      schema: {
        summary: 'Every matching audit entry as CSV, with the chain hash per row',
        tags,
        querystring: AuditExportQuerySchema,
      },
    },
    async (request, reply) => {
      const filters = request.query;
      const src = need();
      // Read the first page before answering, so a failing store is a coded error, not a broken download.
      await src.queryAudit({ ...filters, limit: 1 });
      let truncated = false;
      const entries = auditPages(src, filters, { onTruncated: () => (truncated = true) });
      const stamp = new Date(clock()).toISOString().replace(/[:.]/g, '-');
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="mandate-audit-${stamp}.csv"`)
        .header('cache-control', 'no-store')
        .send(Readable.from(auditCsv(entries, () => truncated)));
    },
  );

  api.get(
    '/api/audit/export.pdf',
    {
      config: { permission: 'read' },
      schema: { summary: 'Matching audit entries as a PDF report', tags, querystring: AuditExportQuerySchema },
    },
    async (request, reply) => {
      const filters = request.query;
      let truncated = false;
      const pdf = await auditPdf(
        auditPages(need(), filters, { maxRows: PDF_MAX_ROWS, onTruncated: () => (truncated = true) }),
        { filters, generatedAt: clock(), truncated: () => truncated },
      );
      const stamp = new Date(clock()).toISOString().replace(/[:.]/g, '-');
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', `attachment; filename="mandate-audit-${stamp}.pdf"`)
        .header('cache-control', 'no-store')
        .send(pdf);
    },
  );
}
