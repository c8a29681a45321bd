import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { AuditReport, AuditResult, InventoryOperator } from '../../model/report.js';
import { operatorDir } from '../paths.js';
import type { Reporter } from '../types.js';
import { writeFileAtomic } from '../write-atomic.js';
import { templateContext } from './context.js';
import { operatorReport, operatorsOf, type OperatorReport } from './model.js';
import {
  drawCarriers,
  drawCharts,
  drawContents,
  drawControlResults,
  drawCover,
  drawFindings,
  drawGlossary,
  drawInputs,
  drawMethodology,
  drawProfile,
  drawSummary,
  drawWaivers,
  reserveContents,
  type Ctx,
} from './sections.js';
import { flattenLabels, label, loadLabels, loadTheme } from './settings.js';
import { loadTemplates, renderYaml, type TemplateSet } from './templates.js';
import { PdfWriter } from './writer.js';

/**
 * The PDF reporter: OUT/<operator>/report.pdf for every audited operator. Same inputs, audit date and
 * templates give the same bytes: the creation date is the audit date and the document id is derived
 * from the content (see documentInfo).
 */
export const pdfReporter: Reporter = {
  name: 'pdf',
  async write(report, outDir, options) {
    // Templates are loaded and checked once, before any file is written: a broken override fails the
    // whole PDF step with its file:line:column instead of leaving some operators' PDFs behind.
    const templates = loadTemplates(options.templateDir);
    const written: string[] = [];
    for (const operator of operatorsOf(report)) {
      const bytes = await renderOperatorPdf(report, operator, templates);
      const path = join(operatorDir(outDir, operator.id), 'report.pdf');
      writeFileAtomic(path, bytes);
      written.push(path);
    }
    return written;
  },
};

let shippedLabelKeys: string[] | undefined;
/** The labels the shipped file defines: an override must define each of them. */
function requiredLabels(context: object): string[] {
  shippedLabelKeys ??= Object.keys(flattenLabels(renderYaml(loadTemplates(), 'labels.yaml.hbs', context)));
  return shippedLabelKeys;
}

/** findings.json cut down to one operator: what the PDF carries as its machine-readable attachment. */
export function operatorFindingsJson(result: AuditResult, model: OperatorReport): string {
  const id = model.operator.id;
  const operator = result.summary.operators.filter((o) => o.id === id);
  const data: AuditResult = {
    ...result,
    summary: { result: model.verdict, byStatus: model.counts, bySeverity: model.bySeverity, operators: operator, errors: result.summary.errors },
    findings: result.findings.filter((f) => f.operator === id),
    waivers: result.waivers.filter((w) => w.operator === id),
  };
  return `${JSON.stringify(data, null, 2)}\n`;
}

/** XMP metadata is XML that pdfkit writes without escaping, so metadata text avoids XML's special characters. */
function metadataText(text: string): string {
  return text.replace(/&/g, '＆').replace(/</g, '＜').replace(/>/g, '＞');
}

export async function renderOperatorPdf(report: AuditReport, operator: InventoryOperator, templates: TemplateSet): Promise<Buffer> {
  const model = operatorReport(report, operator);
  const firstContext = templateContext(model);
  const labels = loadLabels(templates, firstContext, requiredLabels(firstContext));
  const context = templateContext(model, (p) => labels[`protocol.${p}`] ?? p);
  const theme = loadTheme(templates, context);
  const attachment = operatorFindingsJson(report.result, model);
  const auditDay = new Date(`${model.run.auditDate}T00:00:00Z`);
  const tool = `${model.run.tool.name} ${model.run.tool.version}`;
  // The document id (trailer /ID) is pdfkit's hash of the info dictionary, so a digest of everything the
  // pages are drawn from goes into it: the operator's findings, the templates and the logo.
  const digest = createHash('sha256').update(attachment).update(templates.digest).update(theme.logo ?? '').digest('hex');
  const title = metadataText(`${label(labels, 'document.title')} — ${operator.name}`);
  const w = new PdfWriter(
    {
      title,
      language: theme.language,
      info: {
        Title: title,
        Author: metadataText(theme.organisation),
        Subject: metadataText(label(labels, 'document.subject')),
        Keywords: metadataText(label(labels, 'document.keywords')),
        Creator: tool,
        Producer: `${tool} (PDFKit)`,
        CreationDate: auditDay,
        ModDate: auditDay,
        ReportId: model.reportId,
        ContentDigest: digest,
      },
    },
    { text: theme.colours.text, muted: theme.colours.muted, rule: theme.colours.rule, shade: theme.colours.shade },
  );
  // PDF/A wants the modification date in the XMP metadata as well as in the info dictionary.
  const iso = `${model.run.auditDate}T00:00:00Z`;
  (w.doc as unknown as { appendXML(xml: string): void }).appendXML(
    `<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:ModifyDate>${iso}</xmp:ModifyDate><xmp:MetadataDate>${iso}</xmp:MetadataDate></rdf:Description>`,
  );
  w.doc.file(Buffer.from(attachment, 'utf8'), {
    name: `${operator.id}.findings.json`,
    type: 'application/json',
    relationship: 'Data',
    description: metadataText(label(labels, 'attachment.description')),
    creationDate: auditDay,
    modifiedDate: auditDay,
  } as PDFKit.Mixins.PDFAttachmentOptions);

  const ctx: Ctx = { w, theme, labels, templates, context, report: model };
  drawCover(ctx);
  const contents = reserveContents(ctx);
  drawSummary(ctx, '1');
  drawCharts(ctx, '2');
  drawFindings(ctx, '3');
  drawControlResults(ctx, '4');
  drawMethodology(ctx, 'A');
  drawProfile(ctx, 'B');
  drawWaivers(ctx, 'C');
  drawCarriers(ctx, 'D');
  drawInputs(ctx, 'E');
  drawGlossary(ctx, 'F');
  drawContents(ctx, contents);
  drawFurniture(ctx);
  return w.finish();
}

/** Running header (report title and id) and footer (classification, page x of y) on every page but the cover. */
function drawFurniture(ctx: Ctx): void {
  const { w, theme, report, labels } = ctx;
  const c = theme.colours;
  const header = label(labels, 'header.title');
  const id = `${label(labels, 'header.reportId')} ${report.reportId}`;
  w.furniture((page, pages) => {
    if (page === 0) return;
    const idWidth = w.measure(id, 7.5, true);
    w.drawTextAt([{ text: header }], w.left, 40, w.width - idWidth - 12, { size: 7.5, color: c.muted });
    w.drawTextAt([{ text: id, bold: true }], w.right - idWidth - 2, 40, idWidth + 2, { size: 7.5, color: c.primary, align: 'right' });
    w.doc.save().moveTo(w.left, 54).lineTo(w.right, 54).lineWidth(0.6).strokeColor(c.rule).stroke().restore();
    const fy = w.bottom + 22;
    w.doc.save().moveTo(w.left, fy - 6).lineTo(w.right, fy - 6).lineWidth(0.6).strokeColor(c.rule).stroke().restore();
    const pageText = `${label(labels, 'footer.page')} ${page + 1} ${label(labels, 'footer.of')} ${pages}`;
    const pageWidth = w.measure(pageText, 7.5);
    w.drawTextAt([{ text: theme.classification }], w.left, fy, w.width - pageWidth - 16, { size: 7, color: c.muted });
    w.drawTextAt([{ text: pageText }], w.right - pageWidth - 2, fy, pageWidth + 2, { size: 7.5, color: c.text, align: 'right' });
  });
}
