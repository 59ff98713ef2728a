/**
 * The audit log: filtered, paginated query and CSV / PDF exports of the same filters.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auditCsv } from '../auditCsv.ts';
import { auditPages } from '../auditPages.ts';
import { auditPdf, type PdfChainStatus } from '../auditPdf.ts';
import { AuditUnavailableError } from '../errors.ts';
import type { AuditSource } from '../RuntimeApi.ts';
import { AuditVerifier } from '../AuditVerifier.ts';
import { can, type Role } from '../roles.ts';
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
  const verifier = new AuditVerifier(source, clock);
  auditVerifyRoute(app, verifier);

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
      const src = need();
      // A failing store is a coded error before any byte of the PDF, not a broken download.
      await src.queryAudit({ ...filters, limit: 1 });
      let truncated = false;
      const pdf = await auditPdf(
        auditPages(src, filters, { maxRows: PDF_MAX_ROWS, onTruncated: () => (truncated = true) }),
        {
          filters,
          generatedAt: clock(),
          truncated: () => truncated,
          chain: await pdfChain(verifier, request.identity?.role),
        },
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

/**
 * What the PDF says of the chain: a caller who may verify (operators, admins) gets a verification
 * run for the report; anyone else the last verdict this gateway obtained, or why there is none
 * (verifying re-reads the whole log, which an observer may not start).
 */
async function pdfChain(verifier: AuditVerifier, role: Role | undefined): Promise<PdfChainStatus> {
  if (role !== undefined && can(role, 'audit.verify')) {
    try {
      return { verdict: await verifier.verify(), ranForReport: true };
    } catch (error) {
      return { unverified: `the verification failed (${(error as Error).message})` };
    }
  }
  const last = verifier.last;
  if (last !== undefined) return { verdict: last, ranForReport: false };
  return {
    unverified:
      'an observer cannot start a verification and none has run on this gateway yet; an operator can run Verify chain, then export again',
  };
}
