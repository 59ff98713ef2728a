/**
 * Audit entries as a PDF report (A4 landscape, one line per entry).
 */
import PDFDocument from 'pdfkit';
import type { AuditEntry } from './RuntimeApi.ts';

/** Renders the report; resolves with the PDF bytes. */
export async function auditPdf(
  entries: AsyncIterable<AuditEntry>,
  title: { filters: Record<string, unknown>; generatedAt: number; truncated: () => boolean },
): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: 36,
    info: { Title: 'Mandate audit log', Creator: 'Mandate gateway' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  doc.font('Helvetica-Bold').fontSize(16).text('Mandate audit log');
  doc
    .font('Helvetica')
    .fontSize(9)
    .text(`Generated ${new Date(title.generatedAt).toISOString()}  ·  filters: ${JSON.stringify(title.filters)}`);
  doc.moveDown();

  const columns = [
    { name: 'When (UTC)', width: 110 },
    { name: 'Who', width: 110 },
    { name: 'Action', width: 130 },
    { name: 'Subject', width: 120 },
    { name: 'Why', width: 300 },
  ];
  const row = (cells: string[], bold: boolean): void => {
    if (doc.y > doc.page.height - 60) doc.addPage();
    const y = doc.y;
    let x = doc.page.margins.left;
    let height = 0;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    cells.forEach((cell, i) => {
      const width = columns[i]?.width ?? 100;
      doc.text(cell, x, y, { width: width - 6, height: 40, ellipsis: true });
      height = Math.max(height, doc.y - y);
      x += width;
    });
    doc.y = y + height + 3;
    doc.x = doc.page.margins.left;
  };

  row(
    columns.map((c) => c.name),
    true,
  );
  let count = 0;
  for await (const e of entries) {
    row(
      [
        new Date(e.at).toISOString().replace('T', ' ').slice(0, 19),
        `${e.who.kind}:${e.who.id}`,
        e.action,
        e.subject,
        e.why,
      ],
      false,
    );
    count++;
  }
  doc.moveDown();
  doc
    .font('Helvetica-Oblique')
    .fontSize(9)
    .text(
      `${count} entries${title.truncated() ? ' (truncated: narrow the filters to export the rest)' : ''}`,
      doc.page.margins.left,
    );
  doc.end();
  return done;
}
