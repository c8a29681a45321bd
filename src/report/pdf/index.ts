import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { AuditResult, InventoryOperator } from '../../model/report.js';
import type { OperatorSource, OperatorView, Presentation } from '../view/index.js';
import { type OperatorFile, writeOperatorFiles } from '../operator-workers.js';
import { tally } from '../view/operator.js';
import { operatorDir } from '../paths.js';
import { fileProgress } from '../progress.js';
import type { Reporter } from '../types.js';
import { writeFileAtomic } from '../write-atomic.js';
import { findingsJsonChunks } from '../json/index.js';
import { templateContext } from './context.js';
import { operatorReport } from './model.js';
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
  type BaseCtx,
  type Ctx,
} from './sections.js';
import { drawChangeSummary } from './changes.js';
import {
  drawChanges,
  drawExposureMatrix,
  drawPassRates,
  drawRankings,
  drawSectorCarriers,
  drawSectorSummary,
  sectorContext,
  sectorJson,
  sectorReport,
  type SectorCtx,
} from './sector.js';
import { flattenLabels, label, loadLabels, loadTheme, type Theme } from './settings.js';
import { loadTemplates, renderYaml, type TemplateSet } from './templates.js';
import { PdfWriter } from './writer.js';

/**
 * The PDF reporter: OUT/<operator>/report.pdf for every audited operator and OUT/sector.pdf for the run. Same inputs, audit date and
 * templates give the same bytes: the creation date is the audit date and the document id is derived
 * from the content (see documentInfo).
 */
export const pdfReporter: Reporter = {
  name: 'pdf',
  async write(presentation, outDir, options) {
    // Templates are loaded and checked once, before any file is written: a broken override fails the
    // whole PDF step with its file:line:column instead of leaving some operators' PDFs behind.
    const templates = loadTemplates(options.templateDir);
    const files: OperatorPdfFile[] = presentation.operators.map((view) => ({
      kind: 'pdf',
      path: join(operatorDir(outDir, view.id), 'report.pdf'),
      ...(options.templateDir === undefined ? {} : { templateDir: options.templateDir }),
    }));
    await writeOperatorFiles(
      presentation,
      files,
      options.jobs,
      (view, file, onPages) => writeOperatorPdf(presentation, view, templates, file, onPages),
      (file) => fileProgress(options, outDir, file.path, 'pages'),
    );
    const written = files.map((f) => f.path);
    // The regulator's view of the whole run, beside the operators' folders.
    const sector = join(outDir, 'sector.pdf');
    const onPages = fileProgress(options, outDir, sector, 'pages');
    writeFileAtomic(sector, await renderSectorPdf(presentation, templates, onPages));
    written.push(sector);
    return written;
  },
};

/** One operator's OUT/<operator>/report.pdf, as a render worker is asked for it (it loads templateDir's templates itself). */
export interface OperatorPdfFile extends OperatorFile {
  kind: 'pdf';
  templateDir?: string;
}

/** Draws and writes one operator's PDF (in this thread or a render worker's). */
export async function writeOperatorPdf(
  source: OperatorSource,
  view: OperatorView,
  templates: TemplateSet,
  file: OperatorPdfFile,
  onPages?: (pages: number) => void,
): Promise<void> {
  writeFileAtomic(file.path, await renderOperatorPdf(source, view, templates, onPages ? { onPages } : {}));
}

let shippedLabelKeys: string[] | undefined;
/** The labels the shipped file defines: an override must define each of them. */
function requiredLabels(context: object): string[] {
  shippedLabelKeys ??= Object.keys(flattenLabels(renderYaml(loadTemplates(), 'labels.yaml.hbs', context)));
  return shippedLabelKeys;
}

/**
 * Above this many bytes an operator's findings are not attached to its PDF: the report says where
 * findings.json and occurrences.csv are instead. Grouped by cause, the samples' attachments are well under
 * 1 MB; a PDF meant to be mailed should not carry hundreds of megabytes of JSON.
 */
export const MAX_ATTACHMENT_BYTES = 16 * 1024 * 1024;

/** Options for rendering one operator's PDF (tests set a small attachment limit). */
export interface OperatorPdfOptions {
  /** Findings JSON larger than this is left out of the PDF (default MAX_ATTACHMENT_BYTES). */
  maxAttachmentBytes?: number;
  /** Hears the number of pages drawn so far, as each page is added (the terminal's progress). */
  onPages?: (pages: number) => void;
}

/**
 * The operator's part of findings.json, in findings.json's own format: what the PDF attaches. Nothing of
 * another operator goes in: not its findings, counted groups, waivers, errors or input file names.
 */
function operatorFindingsData(result: AuditResult, view: OperatorView): AuditResult {
  const { summarised, baseline, ...rest } = result;
  return {
    ...rest,
    run: { ...result.run, inputs: view.inputs },
    summary: {
      result: view.verdict,
      byStatus: view.totals.byStatus,
      bySeverity: view.totals.bySeverity,
      operators: result.summary.operators.filter((o) => o.id === view.id),
      errors: view.errors.length,
    },
    findings: view.findings,
    ...(view.summarised.length > 0 ? { summarised: view.summarised } : {}),
    waivers: view.waivers,
    errors: view.errors,
    ...(view.baseline ? { baseline: view.baseline } : {}),
  };
}

/**
 * The operator's findings JSON as bytes, built from streamed pieces (an operator with 600,000 failures
 * once had ~0.9 GB of it, beyond the longest string V8 can hold), or — past `maxBytes` — null, having
 * stopped there: `digest` is then the SHA-256 of the bytes made up to that point (the document id's input).
 */
export function boundedFindingsJson(
  result: AuditResult,
  view: OperatorView,
  maxBytes: number = MAX_ATTACHMENT_BYTES,
): { bytes: Buffer; digest?: undefined } | { bytes: null; digest: string } {
  const pieces: Buffer[] = [];
  let size = 0;
  let batch = '';
  const flush = (): boolean => {
    const piece = Buffer.from(batch, 'utf8');
    batch = '';
    pieces.push(piece);
    size += piece.length;
    return size <= maxBytes;
  };
  for (const chunk of findingsJsonChunks(operatorFindingsData(result, view))) {
    batch += chunk;
    if (batch.length >= 1 << 20 && !flush()) {
      const hash = createHash('sha256');
      for (const piece of pieces) hash.update(piece);
      return { bytes: null, digest: hash.digest('hex') };
    }
  }
  if (!flush()) {
    const hash = createHash('sha256');
    for (const piece of pieces) hash.update(piece);
    return { bytes: null, digest: hash.digest('hex') };
  }
  return { bytes: Buffer.concat(pieces) };
}

/** findings.json cut down to one operator, whatever its size (the PDF attaches it only up to MAX_ATTACHMENT_BYTES). */
export function operatorFindingsJson(result: AuditResult, view: OperatorView): Buffer {
  return boundedFindingsJson(result, view, Number.POSITIVE_INFINITY).bytes as Buffer;
}

/** The attachment as templates and labels see it (`attachment.*`). */
export interface AttachmentFacts {
  /** false when the findings were too large to attach: the report then says where findings.json is. */
  attached: boolean;
  /** The attached file's name, e.g. jp-sakura.findings.json. */
  name: string;
  /** The limit, as text: "16 MB". */
  limit: string;
}

export function megabytesText(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`;
}

/** XMP metadata is XML that pdfkit writes without escaping, so metadata text avoids XML's special characters. */
function metadataText(text: string): string {
  return text.replace(/&/g, '＆').replace(/</g, '＜').replace(/>/g, '＞');
}

/** The writer for one PDF, with the metadata, PDF/A dates and machine-readable attachment every report carries. */
function startDocument(options: {
  title: string;
  subject: string;
  keywords: string;
  theme: Theme;
  templates: TemplateSet;
  run: AuditResult['run'];
  reportId: string;
  /** Hears the pages drawn so far, as each is added. */
  onPages?: (pages: number) => void;
  /** bytes null: left out (too large); digest then stands for it in the document id. */
  attachment: { name: string; bytes: Buffer | null; digest?: string; description: string };
}): PdfWriter {
  const { theme, run, attachment } = options;
  const auditDay = new Date(`${run.auditDate}T00:00:00Z`);
  const tool = `${run.tool.name} ${run.tool.version}`;
  // The document id (trailer /ID) is pdfkit's hash of the info dictionary, so a digest of everything the
  // pages are drawn from goes into it: the attached data, the templates and the logo.
  const digest = createHash('sha256')
    .update(attachment.bytes ?? `omitted ${attachment.digest ?? ''}`)
    .update(options.templates.digest)
    .update(theme.logo ?? '')
    .digest('hex');
  const title = metadataText(options.title);
  const w = new PdfWriter(
    {
      title,
      language: theme.language,
      info: {
        Title: title,
        Author: metadataText(theme.organisation),
        Subject: metadataText(options.subject),
        Keywords: metadataText(options.keywords),
        Creator: tool,
        Producer: `${tool} (PDFKit)`,
        CreationDate: auditDay,
        ModDate: auditDay,
        ReportId: options.reportId,
        ContentDigest: digest,
      },
    },
    { text: theme.colours.text, muted: theme.colours.muted, rule: theme.colours.rule, shade: theme.colours.shade },
  );
  const { onPages } = options;
  if (onPages) {
    w.doc.on('pageAdded', () => onPages(w.pageIndex + 1));
    onPages(1); // the first page, added with the document
  }
  // PDF/A wants the modification date in the XMP metadata as well as in the info dictionary.
  const iso = `${run.auditDate}T00:00:00Z`;
  (w.doc as unknown as { appendXML(xml: string): void }).appendXML(
    `<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:ModifyDate>${iso}</xmp:ModifyDate><xmp:MetadataDate>${iso}</xmp:MetadataDate></rdf:Description>`,
  );
  if (attachment.bytes !== null)
    w.doc.file(attachment.bytes, {
      name: attachment.name,
      type: 'application/json',
      relationship: 'Data',
      description: metadataText(attachment.description),
      creationDate: auditDay,
      modifiedDate: auditDay,
    } as PDFKit.Mixins.PDFAttachmentOptions);
  return w;
}

export async function renderOperatorPdf(
  presentation: OperatorSource,
  view: OperatorView,
  templates: TemplateSet,
  options: OperatorPdfOptions = {},
): Promise<Buffer> {
  const { operator } = view;
  const model = operatorReport(presentation, view);
  const maxBytes = options.maxAttachmentBytes ?? MAX_ATTACHMENT_BYTES;
  const findingsData = boundedFindingsJson(presentation.report.result, view, maxBytes);
  const facts: AttachmentFacts = {
    attached: findingsData.bytes !== null,
    name: `${operator.id}.findings.json`,
    limit: megabytesText(maxBytes),
  };
  const firstContext = templateContext(model, undefined, facts);
  const labels = loadLabels(templates, firstContext, requiredLabels(firstContext));
  const context = templateContext(model, (p) => labels[`protocol.${p}`] ?? p, facts);
  const theme = loadTheme(templates, context);
  const w = startDocument({
    title: `${label(labels, 'document.title')} — ${operator.name}`,
    subject: label(labels, 'document.subject'),
    keywords: label(labels, 'document.keywords'),
    theme,
    templates,
    run: model.run,
    reportId: model.reportId,
    onPages: options.onPages,
    attachment: {
      name: facts.name,
      bytes: findingsData.bytes,
      digest: findingsData.digest,
      description: label(labels, 'attachment.description'),
    },
  });

  const ctx: Ctx = { w, theme, labels, templates, context, report: model };
  drawCover(ctx, { result: model.verdict, failOn: model.run.profile.failOn, incomplete: model.incomplete });
  const contents = reserveContents(ctx);
  drawSummary(ctx, '1');
  drawChangeSummary(ctx, view);
  drawCharts(ctx, '2');
  drawFindings(ctx, '3');
  drawControlResults(ctx, '4');
  drawMethodology(ctx, 'A');
  drawProfile(ctx, 'B', model.run);
  drawWaivers(ctx, 'C');
  drawCarriers(ctx, 'D');
  drawInputs(ctx, 'E', model);
  drawGlossary(ctx, 'F');
  drawContents(ctx, contents);
  drawFurniture(ctx, label(labels, 'header.title'), model.reportId);
  return w.finish();
}

/**
 * The sector report, OUT/sector.pdf: every operator of the run side by side (rankings, exposure matrix,
 * carriers, control pass rates, change since the last audit), with the operator reports' look and furniture.
 */
export async function renderSectorPdf(
  presentation: Presentation,
  templates: TemplateSet,
  onPages?: (pages: number) => void,
): Promise<Buffer> {
  const model = sectorReport(presentation);
  const firstContext = sectorContext(model);
  const labels = loadLabels(
    templates,
    firstContext,
    requiredLabels(templateContext(operatorReport(presentation, placeholderView(presentation)))),
  );
  const context = sectorContext(model, (p) => labels[`protocol.${p}`] ?? p);
  const theme = loadTheme(templates, context);
  const w = startDocument({
    title: label(labels, 'sector.document.title'),
    subject: label(labels, 'sector.document.subject'),
    keywords: label(labels, 'document.keywords'),
    theme,
    templates,
    run: model.run,
    reportId: model.reportId,
    onPages,
    attachment: {
      name: 'sector.json',
      bytes: Buffer.from(sectorJson(model), 'utf8'),
      description: label(labels, 'sector.attachment'),
    },
  });
  const ctx: SectorCtx = { w, theme, labels, templates, context, model };
  drawCover(ctx, { result: model.verdict, failOn: model.run.profile.failOn }, 'sector-cover.hbs');
  const contents = reserveContents(ctx);
  drawSectorSummary(ctx, '1');
  drawExposureMatrix(ctx, '2');
  drawRankings(ctx, '3');
  drawSectorCarriers(ctx, '4');
  drawPassRates(ctx, '5');
  drawChanges(ctx, '6');
  drawMethodology(ctx, 'A', 'sector-methodology.hbs');
  drawProfile(ctx, 'B', model.run);
  drawInputs(ctx, 'C', model, 'sector-inputs.hbs');
  drawGlossary(ctx, 'D');
  drawContents(ctx, contents);
  drawFurniture(ctx, label(labels, 'sector.header.title'), model.reportId);
  return w.finish();
}

/** Stands in for an operator where only the shape of the operator context matters (which labels exist). */
function placeholderView(presentation: Presentation): OperatorView {
  const operator: InventoryOperator = { id: 'placeholder', name: 'placeholder', country: '', networks: [], plmns: [] };
  return {
    id: operator.id,
    operator,
    verdict: 'NOT GATED',
    incomplete: [],
    ...tally([], [], presentation.report.result.controls),
    findings: [],
    summarised: [],
    routes: [],
    carriers: [],
    agreements: [],
    waivers: [],
    inputs: [],
    errors: [],
    baseline: null,
    trafficShares: [],
  };
}

/** Running header (report title and id) and footer (classification, page x of y) on every page but the cover. */
function drawFurniture(ctx: BaseCtx, header: string, reportIdText: string): void {
  const { w, theme, labels } = ctx;
  const c = theme.colours;
  const id = `${label(labels, 'header.reportId')} ${reportIdText}`;
  w.furniture((page, pages) => {
    if (page === 0) return;
    // The id is the manifest's full SHA-256 (so it can be matched with manifest.json): small, on its own line.
    w.drawTextAt([{ text: header }], w.left, 32, w.width, { size: 7.5, color: c.muted });
    w.drawTextAt([{ text: id, bold: true }], w.left, 43, w.width, { size: 6.5, color: c.primary, align: 'right' });
    w.doc.save().moveTo(w.left, 54).lineTo(w.right, 54).lineWidth(0.6).strokeColor(c.rule).stroke().restore();
    const fy = w.bottom + 22;
    w.doc
      .save()
      .moveTo(w.left, fy - 6)
      .lineTo(w.right, fy - 6)
      .lineWidth(0.6)
      .strokeColor(c.rule)
      .stroke()
      .restore();
    const pageText = `${label(labels, 'footer.page')} ${page + 1} ${label(labels, 'footer.of')} ${pages}`;
    const pageWidth = w.measure(pageText, 7.5);
    w.drawTextAt([{ text: theme.classification }], w.left, fy, w.width - pageWidth - 16, { size: 7, color: c.muted });
    w.drawTextAt([{ text: pageText }], w.right - pageWidth - 2, fy, pageWidth + 2, {
      size: 7.5,
      color: c.text,
      align: 'right',
    });
  });
}
