/**
 * Audit entries as a PDF report: A4 landscape, one line per entry with amount, currency,
 * counterparty, status and chain hash, the header repeated on every page, "page i of n", the
 * filters the report was made with and what is known of the chain's verification.
 */
import PDFDocument from 'pdfkit';
import type { CheckedVerdict } from './AuditVerifier.ts';
import type { AuditEntry } from './RuntimeApi.ts';

/** What the report says about the hash chain: a verdict (run for it or the last one known), or why there is none. */
export type PdfChainStatus = { verdict: CheckedVerdict; ranForReport: boolean } | { unverified: string };

/** The report's heading facts. */
export interface AuditPdfTitle {
  /** The query's filters as validated (times as epoch ms). */
  filters: Record<string, unknown>;
  generatedAt: number;
  truncated: () => boolean;
  chain: PdfChainStatus;
}

/** Hex digits of each entry's hash the PDF prints (the CSV carries the whole hash). */
export const PDF_HASH_DIGITS = 16;

const COLUMNS = [
  { name: 'When (UTC)', width: 82 },
  { name: 'Who', width: 88 },
  { name: 'Action', width: 112 },
  { name: 'Subject', width: 80 },
  { name: 'Amount', width: 56 },
  { name: 'Currency', width: 42 },
  { name: 'Counterparty', width: 70 },
  { name: 'Status', width: 52 },
  { name: 'Why', width: 107 },
  { name: 'Hash', width: 80, mono: true },
] as const;
/** A cell wraps to at most this height (points); the rest is elided. */
const MAX_CELL_HEIGHT = 36;
const FONT_SIZE = 7;

const iso = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** The filters as a reader types them: `currency=USDC, minAmount=100, from=2026-12-01 00:00:00`. */
export function filtersText(filters: Record<string, unknown>): string {
  const parts = Object.entries(filters)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${(k === 'from' || k === 'to') && typeof v === 'number' ? iso(v) : String(v)}`);
  return parts.length === 0 ? 'none (every entry)' : parts.join(', ');
}

/** One sentence on the chain: verified (when, how much), broken (where), or not verified (why). */
export function chainText(chain: PdfChainStatus): string {
  if ('unverified' in chain) return `Chain not verified for this report: ${chain.unverified}.`;
  const v = chain.verdict;
  const when = `${chain.ranForReport ? 'for this report' : 'last'} at ${iso(v.checkedAt)} UTC`;
  const head = v.head === null ? 'empty log' : `head seq ${v.head.seq}`;
  const signed = `${v.checkpoints} signed checkpoint${v.checkpoints === 1 ? '' : 's'}`;
  if (v.ok) return `Chain verified ${when}: ${v.entries} entries, ${head}, ${signed}.`;
  const first = v.breaks[0];
  const where = first === undefined ? '' : ` at seq ${first.seq} (${first.reason}): ${first.message}`;
  const more = v.breaks.length > 1 ? ` ${v.breaks.length - 1} more break(s).` : '';
  return `Chain BROKEN${where} (checked ${when}).${more} Read ${v.entries} entries, ${head}, ${signed}.`;
}

function cells(e: AuditEntry): string[] {
  const amount = e.data.amount;
  return [
    iso(e.at),
    `${e.who.kind}:${e.who.id}`,
    e.action,
    e.subject,
    typeof amount === 'string' || typeof amount === 'number' ? String(amount) : '',
    e.currency ?? '',
    e.counterparty ?? '',
    e.status ?? '',
    e.why,
    e.hash.slice(0, PDF_HASH_DIGITS),
  ];
}

/** Renders the report; resolves with the PDF bytes. */
export async function auditPdf(entries: AsyncIterable<AuditEntry>, title: AuditPdfTitle): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 36,
    bufferPages: true,
    info: { Title: 'Mandate audit log', Creator: 'Mandate gateway' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const left = doc.page.margins.left;
  /** Lowest y a row may reach: room is left for the page number. */
  const bottom = (): number => doc.page.height - doc.page.margins.bottom - 14;

  doc.font('Helvetica-Bold').fontSize(16).text('Mandate audit log');
  doc.font('Helvetica').fontSize(9);
  doc.text(`Generated ${iso(title.generatedAt)} UTC`);
  doc.text(`Filters: ${filtersText(title.filters)}`);
  doc.text(chainText(title.chain));
  doc.text(
    `Hash: the first ${PDF_HASH_DIGITS} hex digits of each entry's chain hash (the CSV export carries it whole).`,
  );
  doc.moveDown();

  const heightOf = (row: readonly string[]): number =>
    Math.max(
      ...row.map((cell, i) =>
        Math.min(MAX_CELL_HEIGHT, doc.heightOfString(cell === '' ? ' ' : cell, { width: COLUMNS[i]!.width - 6 })),
      ),
    );
  const draw = (row: readonly string[], bold: boolean): void => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(FONT_SIZE);
    const height = heightOf(row);
    const y = doc.y;
    let x = left;
    row.forEach((cell, i) => {
      const column: { width: number; mono?: boolean } = COLUMNS[i]!;
      const width = column.width;
      if (!bold) doc.font(column.mono === true ? 'Courier' : 'Helvetica');
      doc.text(cell, x, y, { width: width - 6, height: MAX_CELL_HEIGHT, ellipsis: true, lineBreak: true });
      x += width;
    });
    doc.x = left;
    doc.y = y + height + 3;
  };
  const header = COLUMNS.map((c) => c.name);
  draw(header, true);
  let count = 0;
  for await (const e of entries) {
    const row = cells(e);
    doc.font('Helvetica').fontSize(FONT_SIZE);
    if (doc.y + heightOf(row) > bottom()) {
      doc.addPage();
      draw(header, true);
    }
    draw(row, false);
    count++;
  }
  doc.moveDown();
  if (doc.y + 24 > bottom()) doc.addPage();
  doc
    .font('Helvetica-Oblique')
    .fontSize(9)
    .text(
      `${count} ${count === 1 ? 'entry' : 'entries'}${title.truncated() ? ' (truncated: narrow the filters to export the rest)' : ''}`,
      left,
    );

  // Page numbers, written once every page exists. The bottom margin is lifted while writing, or
  // text below it would start yet another page.
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('Helvetica')
      .fontSize(8)
      .text(`Page ${i - range.start + 1} of ${range.count}`, left, doc.page.height - margin - 10, {
        width: doc.page.width - left - doc.page.margins.right,
        align: 'right',
        lineBreak: false,
      });
    doc.page.margins.bottom = margin;
  }
  doc.end();
  return done;
}
