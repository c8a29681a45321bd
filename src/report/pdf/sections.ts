import { stringify } from 'yaml';
import {
  BASELINE_STATES,
  type BaselineState,
  type Finding,
  type Occurrence,
  type WaiverOutcome,
} from '../../model/finding.js';
import { baselineEntries } from '../view/operator.js';
import type { ChainLink, InventoryCarrier, Verdict } from '../../model/report.js';
import { SEVERITIES, STATUSES, type Severity, type Status } from '../../model/types.js';
import {
  drawFamilyChart,
  drawTrafficChart,
  familyChartAlt,
  familyChartHeight,
  trafficChartAlt,
  trafficChartHeight,
  type ChartLabels,
} from './charts.js';
import type { TemplateContext } from './context.js';
import { parseMarkup, type Block, type Inline } from './markup.js';
import {
  groupFailures,
  OCCURRENCE_LIMIT,
  occurrenceCount,
  type ControlResult,
  type FailureGroup,
  type OperatorReport,
} from './model.js';
import { label, type Labels, type Theme } from './settings.js';
import type { TemplateName, TemplateSet } from './templates.js';
import type { Cell, PdfWriter, Span, TextStyle } from './writer.js';
import { countText } from '../number-text.js';

/**
 * The sections of the report, in order: cover, contents, executive summary, charts, findings by family,
 * the result of every control, and the appendices. Each section takes the view model and draws; all
 * wording comes from templates (narrative) and labels (short texts).
 */

export { OCCURRENCE_LIMIT };

/** Full finding blocks per control; further findings of the same control are listed as table rows. */
export const DETAIL_LIMIT = 20;
/**
 * Further findings of a control listed one table row each; beyond that they are counted in groups (by
 * table, destination and primary carrier for routes), so a control failing on 47,000 routes takes a few
 * pages, not a thousand, and the PDF's size does not grow with the number of failures.
 */
export const ROW_LIMIT = 200;
/** Groups shown for the failures beyond ROW_LIMIT; any further groups are added up in one last row. */
export const GROUP_LIMIT = 60;
/** Items of an evidence list shown in the PDF; the attached findings.json has them all. */
export const EVIDENCE_LIST_LIMIT = 12;

/** What every section draws with: the operator reports' and the sector report's sections share it. */
export interface BaseCtx {
  w: PdfWriter;
  theme: Theme;
  labels: Labels;
  templates: TemplateSet;
  /** The variables the templates see. */
  context: object;
}

export interface Ctx extends BaseCtx {
  context: TemplateContext;
  report: OperatorReport;
}

const BODY = 9;

export function styles(theme: Theme) {
  const c = theme.colours;
  return {
    body: { size: BODY, color: c.text, leading: 1.45 } satisfies TextStyle,
    small: { size: 7.5, color: c.muted, leading: 1.35 } satisfies TextStyle,
    h1: { size: 17, color: c.primary, bold: true, leading: 1.25 } satisfies TextStyle,
    h2: { size: 12.5, color: c.primary, bold: true, leading: 1.3 } satisfies TextStyle,
    h3: { size: 10.5, color: c.text, bold: true, leading: 1.3 } satisfies TextStyle,
    label: { size: 7.5, color: c.muted, bold: true, leading: 1.3 } satisfies TextStyle,
  };
}

export function spans(inlines: Inline[], bold?: string): Span[] {
  return inlines.map((i) => ({ text: i.text, bold: i.bold, color: i.bold && bold ? bold : undefined }));
}

/** Control texts mark field names with backticks (Markdown); in print the name reads as it is. */
export function prose(text: string): string {
  return text.replace(/`([^`]*)`/g, '$1').trim();
}

export function L(ctx: BaseCtx, key: string): string {
  return label(ctx.labels, key);
}

export function render(ctx: BaseCtx, name: TemplateName, extra: object = {}): Block[] {
  return parseMarkup(ctx.templates.render(name, { ...ctx.context, ...extra }));
}

/** Draws template blocks as body text: headings inside a section become H3, lists become bullets. */
export function drawBlocks(ctx: BaseCtx, blocks: Block[], idPrefix: string): void {
  const s = styles(ctx.theme);
  blocks.forEach((block, i) => {
    if (block.type === 'heading') {
      ctx.w.space(4);
      ctx.w.heading(3, spans(block.inlines), s.h3, { destination: `${idPrefix}-h${i}`, toc: false, keep: 50 });
    } else if (block.type === 'paragraph') ctx.w.paragraph(spans(block.inlines), s.body, { after: 6 });
    else
      ctx.w.bullets(
        block.items.map((item) => spans(item)),
        s.body,
        { bulletColor: ctx.theme.colours.accent },
      );
  });
}

// ---- cover and contents -------------------------------------------------------------------------

/** The verdict a cover shows: the result, the fail-on severity it was decided against, and why it is not complete. */
export interface CoverVerdict {
  result: Verdict;
  failOn: string;
  /** What could not be loaded or evaluated (dropped documents and routes, errors): named on the first page. */
  incomplete?: string[];
}

/** A verdict's badge: its label (labels.yaml `verdict.*`) and colour (the theme's status colours). */
export function verdictBadge(ctx: BaseCtx, verdict: Verdict): { text: string; color: string } {
  const c = ctx.theme.colours;
  const styleOf: Record<Verdict, [string, string]> = {
    PASS: ['verdict.pass', c.status.pass],
    FAIL: ['verdict.fail', c.status.fail],
    ERROR: ['verdict.error', c.status.error],
    INCOMPLETE: ['verdict.incomplete', c.status['not-evidenced']],
    'NOT GATED': ['verdict.notGated', c.muted],
  };
  const [key, color] = styleOf[verdict];
  return { text: L(ctx, key), color };
}

/**
 * The size at which a value that is one unbreakable word (the 64-digit report id) fits its line: a word
 * wider than the line is broken wherever it runs out, which left the id's last digit alone on a second
 * line. Anything with a space is laid out at `size` and wraps between words.
 */
function unbrokenFitSize(w: PdfWriter, value: readonly Span[], width: number, size: number): number {
  const text = value.map((sp) => sp.text).join('');
  if (/\s/.test(text.trim()) || value.some((sp) => sp.bold)) return size;
  const natural = w.measure(text.trim(), size, false);
  return natural <= width ? size : Math.max(7, Math.floor((size * width * 10) / natural) / 10);
}

export function drawCover(ctx: BaseCtx, verdictOf: CoverVerdict, template: TemplateName = 'cover.hbs'): void {
  const { w, theme } = ctx;
  const c = theme.colours;
  const blocks = render(ctx, template);
  const bandHeight = 150;
  w.artifact(() => {
    w.doc.save().rect(0, 0, w.pageWidth, bandHeight).fill(c.primary).restore();
    w.doc.save().rect(0, bandHeight, w.pageWidth, 4).fill(c.accent).restore();
  });
  w.group('Sect', () => {
    w.y = 46;
    w.paragraph([{ text: theme.organisation.toUpperCase(), bold: true }], { size: 10, color: '#FFFFFF' }, { after: 0 });
    if (theme.logo) {
      const logo = theme.logo;
      w.y = 34;
      w.block('Figure', 0, () => w.doc.image(logo, w.right - 140, 34, { fit: [140, 80], align: 'right' }), {
        alt: `${theme.organisation} logo`,
      });
    }
    w.y = bandHeight + 56;
    const facts: Inline[][] = [];
    for (const block of blocks) {
      if (block.type === 'heading' && block.level === 1) {
        w.heading(
          1,
          spans(block.inlines),
          { size: 26, color: c.primary, bold: true, leading: 1.2 },
          { destination: 'cover', toc: false, keep: 0 },
        );
      } else if (block.type === 'heading') {
        w.paragraph(
          spans(block.inlines),
          { size: block.level === 2 ? 17 : 12, color: c.text, bold: true, leading: 1.3 },
          { after: 14 },
        );
      } else if (block.type === 'paragraph') {
        w.paragraph(spans(block.inlines), { size: 10, color: c.muted, leading: 1.5 }, { after: 12 });
      } else facts.push(...block.items);
    }
    // The verdict, then the facts as a two-column list.
    w.space(6);
    const { text: verdict, color: colour } = verdictBadge(ctx, verdictOf.result);
    w.block('P', 34, (x, y) => {
      w.drawBadge(verdict, colour, x, y, 15);
      const threshold =
        verdictOf.failOn === 'none' ? L(ctx, 'verdict.noThreshold') : `${L(ctx, 'verdict.failOn')} ${verdictOf.failOn}`;
      w.drawTextAt([{ text: threshold, color: c.muted }], x + w.measure(verdict, 15, true) + 26, y + 6, 300, {
        size: 10,
        color: c.muted,
      });
    });
    // A result that is not complete says on the first page what is missing, before any figure is read.
    if (verdictOf.incomplete && verdictOf.incomplete.length > 0) {
      w.space(4);
      w.paragraph(
        [{ text: L(ctx, 'verdict.incompleteBecause'), bold: true }],
        { size: 9.5, color: colour, bold: true },
        { after: 2 },
      );
      const shown = verdictOf.incomplete.slice(0, 8);
      const more = verdictOf.incomplete.length - shown.length;
      w.bullets(
        [...shown, ...(more > 0 ? [`${countText(more)} ${L(ctx, 'verdict.more')}`] : [])].map((t) => [{ text: t }]),
        { size: 9, color: c.text, leading: 1.35 },
        { bulletColor: colour },
      );
    }
    w.space(10);
    w.rule(c.rule, 0.8);
    w.space(8);
    w.group('L', (list) => {
      for (const item of facts) {
        const split = item.findIndex((i) => i.bold);
        const key = split >= 0 ? item[split].text.replace(/:\s*$/, '') : '';
        const value = split >= 0 ? [...item.slice(0, split), ...item.slice(split + 1)] : item;
        const valueSpans = spans(value).map((sp, i) => (i === 0 ? { ...sp, text: sp.text.replace(/^\s+/, '') } : sp));
        const lines = w.layout(valueSpans, w.width - 130, {
          size: unbrokenFitSize(w, valueSpans, w.width - 130, 10),
          color: c.text,
          leading: 1.4,
        });
        const height = lines.reduce((s, l) => s + l.height, 0) + 5;
        w.ensure(height);
        const y0 = w.y;
        const li = w.doc.struct('LI');
        list.add(li);
        const lbl = w.doc.struct('Lbl');
        li.add(lbl);
        w.tag(lbl, () =>
          w.drawTextAt([{ text: key, bold: true }], w.left, y0 + 1, 124, { size: 8.5, color: c.muted, bold: true }),
        );
        lbl.end();
        const body = w.doc.struct('LBody');
        li.add(body);
        w.tag(body, () => {
          let cy = y0;
          for (const line of lines) {
            w.drawLine(line, w.left + 130, cy, w.width - 130);
            cy += line.height;
          }
        });
        body.end();
        li.end();
        w.y += height;
      }
    });
    w.y = Math.max(w.y + 10, w.bottom - 40);
    w.rule(c.rule, 0.8);
    w.space(6);
    w.paragraph([{ text: theme.classification }], { size: 8.5, color: c.muted, leading: 1.4 }, { after: 0 });
  });
}

/** Reserves the contents page; it is filled in by drawContents once every heading's page is known. */
export function reserveContents(ctx: BaseCtx): { page: number } {
  ctx.w.newPage();
  // The bookmark is made now so that it sits between the cover and the sections in the outline.
  ctx.w.doc.outline.addItem(L(ctx, 'sections.contents'));
  return { page: ctx.w.pageIndex };
}

export function drawContents(ctx: BaseCtx, reserved: { page: number }): void {
  const { w, theme } = ctx;
  const s = styles(theme);
  const c = theme.colours;
  w.switchTo(reserved.page, w.top);
  const entries = w.headings.filter((h) => h.toc);
  w.group('Sect', () => {
    // The contents heading itself: tagged and bookmarked, but not listed in the contents.
    w.heading(1, [{ text: L(ctx, 'sections.contents') }], s.h1, {
      destination: 'contents',
      toc: false,
      keep: 0,
      outline: false,
    });
    w.headings.pop();
    w.space(6);
    w.group('TOC', (toc) => {
      for (const entry of entries) {
        const size = entry.level === 1 ? 10.5 : 9.5;
        const indent = entry.level === 1 ? 0 : 18;
        const height = size * 1.9;
        if (w.y + height > w.bottom) throw new Error('ixaudit: the table of contents does not fit its reserved page');
        const y0 = w.y;
        const pageText = String(entry.page + 1);
        const pageWidth = w.measure(pageText, size, entry.level === 1);
        const titleWidth = Math.min(w.measure(entry.title, size, entry.level === 1), w.width - indent - 60);
        const item = w.doc.struct('TOCI');
        toc.add(item);
        const link = w.doc.struct('Link');
        item.add(link);
        w.tag(link, () => {
          w.drawTextAt([{ text: entry.title, bold: entry.level === 1 }], w.left + indent, y0, w.width - indent - 50, {
            size,
            color: entry.level === 1 ? c.primary : c.text,
          });
          w.drawTextAt([{ text: pageText, bold: entry.level === 1 }], w.right - 40, y0, 40, {
            size,
            color: c.text,
            align: 'right',
          });
        });
        w.linkTo(link, w.left + indent, y0, w.width - indent, size * 1.4, entry.destination);
        link.end();
        item.end();
        // Dot leaders between the title and its page number (decoration).
        w.artifact(() => {
          const from = w.left + indent + titleWidth + 6;
          const to = w.right - pageWidth - 6;
          if (to > from)
            w.doc
              .save()
              .moveTo(from, y0 + size)
              .lineTo(to, y0 + size)
              .lineWidth(0.6)
              .dash(0.6, { space: 2.4 })
              .strokeColor(c.rule)
              .stroke()
              .undash()
              .restore();
        });
        w.y += height;
      }
    });
  });
}

// ---- executive summary and charts ---------------------------------------------------------------

/** The panel that opens a summary: a label, the pass / fail badge, and one line of figures beside it. */
export function drawVerdictPanel(
  ctx: BaseCtx,
  label: string,
  labelWidth: number,
  verdict: Verdict,
  figures: string,
): void {
  const { w, theme } = ctx;
  const s = styles(theme);
  const c = theme.colours;
  const { text, color: colour } = verdictBadge(ctx, verdict);
  w.block(
    'P',
    40,
    (x, y) => {
      w.drawTextAt([{ text: label.toUpperCase(), bold: true }], x + 12, y + 8, labelWidth, s.label);
      w.drawBadge(text, colour, x + 12, y + 19, 11);
      const figuresAt = Math.max(80, w.measure(text, 11, true) + 40);
      w.drawTextAt([{ text: figures }], x + figuresAt, y + 21, w.width - figuresAt - 12, { size: 9, color: c.text });
    },
    {
      background: (x, y) =>
        w.doc.save().rect(x, y, w.width, 40).fill(c.shade).restore().save().rect(x, y, 3, 40).fill(colour).restore(),
    },
  );
}

export function drawSummary(ctx: Ctx, number: string): void {
  const { w, theme, report } = ctx;
  const s = styles(theme);
  const c = theme.colours;
  w.group('Sect', () => {
    w.heading(1, [{ text: `${number}  ${L(ctx, 'sections.summary')}` }], s.h1, {
      destination: 'summary',
      newPage: true,
      bookmark: `${number} ${L(ctx, 'sections.summary')}`,
    });
    w.space(4);
    const counts = report.counts;
    const summary = STATUSES.filter((st) => counts[st] > 0 || st === 'fail')
      .map((st) => `${countText(counts[st])} ${L(ctx, `status.${st}`).toLowerCase()}`)
      .join(' · ');
    drawVerdictPanel(ctx, L(ctx, 'sections.overall'), 200, report.verdict, summary);
    w.space(10);
    drawBlocks(ctx, render(ctx, 'executive-summary.hbs'), 'summary');

    w.heading(2, [{ text: L(ctx, 'sections.counts') }], s.h2, { destination: 'summary-counts', toc: false, keep: 120 });
    const statuses = STATUSES;
    const rows: Cell[][] = SEVERITIES.map((sev) => [
      { spans: [], badge: { text: L(ctx, `severity.${sev}`), color: c.severity[sev] } },
      ...statuses.map((st) => {
        const n = report.bySeverity[sev][st];
        const strong = n > 0 && (st === 'fail' || st === 'error');
        return {
          spans: [{ text: countText(n), bold: strong, color: strong ? c.status[st] : n === 0 ? c.muted : undefined }],
        };
      }),
      { spans: [{ text: countText(statuses.reduce((sum, st) => sum + report.bySeverity[sev][st], 0)), bold: true }] },
    ]);
    rows.push([
      { spans: [{ text: L(ctx, 'table.total'), bold: true }] },
      ...statuses.map((st) => ({ spans: [{ text: countText(report.counts[st]), bold: true }] })),
      { spans: [{ text: countText(report.total), bold: true }] },
    ]);
    w.table(
      [
        { header: L(ctx, 'table.severity'), width: 1.3 },
        ...statuses.map((st) => ({ header: L(ctx, `status.${st}`), width: 1, align: 'right' as const })),
        { header: L(ctx, 'table.total'), width: 0.8, align: 'right' },
      ],
      rows,
      { size: 8, headerFill: c.primary },
    );

    w.heading(2, [{ text: L(ctx, 'sections.exposures') }], s.h2, {
      destination: 'summary-exposures',
      toc: false,
      keep: 60,
    });
    if (report.exposures.length === 0) w.paragraph([{ text: L(ctx, 'finding.none') }], s.body);
    else {
      const items = report.exposures.map((exposure) => {
        const blocks = render(ctx, 'exposure.hbs', { exposure });
        return blocks.flatMap((b) =>
          b.type === 'paragraph'
            ? spans(b.inlines, c.text)
            : b.type === 'list'
              ? b.items.flatMap((i) => spans(i))
              : spans(b.inlines),
        );
      });
      w.bullets(items, s.body, { bulletColor: c.status.fail });
    }
  });
}

function chartLabels(ctx: Ctx): ChartLabels {
  return {
    familyName: (f) => ctx.labels[`family.${f}`] ?? f,
    severity: (sev: Severity) => L(ctx, `severity.${sev}`),
    passed: L(ctx, 'chart.passed'),
    avoidable: L(ctx, 'chart.avoidable'),
    unavoidable: L(ctx, 'chart.unavoidable'),
    limit: L(ctx, 'chart.limit'),
    noRoutes: L(ctx, 'chart.noRoutes'),
    protocol: (p) => ctx.labels[`protocol.${p}`] ?? p,
  };
}

export function drawCharts(ctx: Ctx, number: string): void {
  const { w, theme, report } = ctx;
  const s = styles(theme);
  const labels = chartLabels(ctx);
  w.group('Sect', () => {
    w.heading(1, [{ text: `${number}  ${L(ctx, 'sections.charts')}` }], s.h1, {
      destination: 'charts',
      // The heading, its introduction (about 90 pt) and the first chart together: a heading and introduction
      // alone at the foot of a page, the chart overleaf, is what keeping only 200 pt gave.
      keep: 140 + familyChartHeight(report),
      bookmark: `${number} ${L(ctx, 'sections.charts')}`,
    });
    drawBlocks(ctx, render(ctx, 'charts.hbs'), 'charts');
    w.space(4);
    w.heading(3, [{ text: L(ctx, 'sections.familyChart') }], s.h3, {
      destination: 'chart-families',
      toc: false,
      keep: familyChartHeight(report) + 10,
    });
    w.figure(familyChartAlt(report, labels), familyChartHeight(report), (x, y) =>
      drawFamilyChart(w, theme, report, labels, x, y),
    );
    w.space(8);
    w.heading(3, [{ text: L(ctx, 'sections.trafficChart') }], s.h3, {
      destination: 'chart-traffic',
      toc: false,
      keep: trafficChartHeight(report.trafficShares) + 10,
    });
    w.figure(trafficChartAlt(report.trafficShares, labels), trafficChartHeight(report.trafficShares), (x, y) =>
      drawTrafficChart(w, theme, report.trafficShares, labels, x, y),
    );
  });
}

// ---- findings -----------------------------------------------------------------------------------

export function drawFindings(ctx: Ctx, number: string): void {
  const { w, theme, report } = ctx;
  const s = styles(theme);
  w.group('Sect', () => {
    w.heading(1, [{ text: `${number}  ${L(ctx, 'sections.findings')}` }], s.h1, {
      destination: 'findings',
      newPage: true,
      bookmark: `${number} ${L(ctx, 'sections.findings')}`,
    });
    drawBlocks(ctx, render(ctx, 'findings-intro.hbs'), 'findings');
    report.families.forEach((family, fi) => {
      w.group('Sect', () => {
        const name = ctx.labels[`family.${family.family}`] ?? family.family;
        const title = `${number}.${fi + 1}  ${name} (${family.family})`;
        w.space(6);
        w.heading(2, [{ text: title }], s.h2, {
          destination: `family-${family.family}`,
          keep: 120,
          bookmark: title.replace(/ {2}/, ' '),
        });
        for (const { control, findings } of family.controls) drawControlFindings(ctx, control, findings);
      });
    });
  });
}

function drawControlFindings(
  ctx: Ctx,
  control: OperatorReport['families'][number]['controls'][number]['control'],
  findings: Finding[],
): void {
  const { w, theme } = ctx;
  const s = styles(theme);
  const c = theme.colours;
  w.group('Sect', () => {
    w.space(4);
    w.heading(3, [{ text: `${control.id}  `, color: c.primary }, { text: control.title }], s.h3, {
      destination: `control-${control.id}`,
      toc: false,
      keep: 110,
      bookmark: `${control.id} ${control.title}`,
    });
    w.paragraph(
      [
        { text: `${L(ctx, 'finding.requirement')}: `, bold: true },
        { text: prose(control.requirement) },
        { text: `  ·  ${L(ctx, 'table.severity')}: `, color: c.muted },
        { text: L(ctx, `severity.${control.severity}`), bold: true, color: c.severity[control.severity] },
      ],
      s.body,
      { after: 4 },
    );
    // Most controls give every finding the same remediation: it is printed once, after the findings.
    const remediations = [...new Set(findings.map((f) => f.remediation.trim()))];
    for (const f of findings.slice(0, DETAIL_LIMIT)) drawFinding(ctx, f, remediations.length > 1);
    if (findings.length > DETAIL_LIMIT) {
      const rows = findings.slice(DETAIL_LIMIT, DETAIL_LIMIT + ROW_LIMIT);
      w.paragraph(
        [{ text: `${L(ctx, 'finding.more')} (${countText(findings.length - DETAIL_LIMIT)})`, bold: true }],
        s.body,
        {
          after: 4,
        },
      );
      // One row per finding (cause): its count of occurrences, and the first of them.
      w.table(
        [
          { header: L(ctx, 'finding.status'), width: 1 },
          { header: L(ctx, 'finding.occurrences'), width: 1.3, align: 'right' },
          { header: L(ctx, 'finding.firstSubject'), width: 2.4 },
          { header: L(ctx, 'finding.location'), width: 2 },
          { header: L(ctx, 'finding.message'), width: 3.6 },
        ],
        rows.map((f) => [
          { spans: [], badge: { text: L(ctx, `status.${f.status}`), color: c.status[f.status] } },
          { spans: [{ text: countText(occurrenceCount(f)), bold: occurrenceCount(f) > 1 }] },
          { spans: [{ text: f.subject }] },
          { spans: [{ text: `${f.location.file}:${f.location.line}:${f.location.column}` }] },
          { spans: [{ text: prose(f.message) }] },
        ]),
        { size: 7, headerFill: c.primary },
      );
      const rest = findings.slice(DETAIL_LIMIT + ROW_LIMIT);
      if (rest.length > 0) drawGroupedFailures(ctx, rest);
    }
    if (remediations.length === 1)
      w.paragraph(
        [
          { text: `${L(ctx, 'finding.remediation')}: `, bold: true, color: c.primary },
          { text: prose(remediations[0]) },
        ],
        s.body,
        { after: 4 },
      );
    if (control.references.length > 0) {
      const refs = control.references
        .map((r) => `${r.document}${r.section ? `, ${r.section}` : ''}${r.note ? ` (${r.note})` : ''}`)
        .join('; ');
      w.paragraph([{ text: `${L(ctx, 'finding.references')}: `, bold: true }, { text: refs }], s.small, { after: 8 });
    }
  });
}

/**
 * Findings beyond the listed rows: their occurrences counted per group with the range of subjects and
 * lines, every one accounted for.
 */
function drawGroupedFailures(ctx: Ctx, rest: Finding[]): void {
  const { w, theme, report } = ctx;
  const s = styles(theme);
  const c = theme.colours;
  const groups = groupFailures(rest, report.routesByRef);
  const shown = groups.slice(0, GROUP_LIMIT);
  const hidden = groups.slice(GROUP_LIMIT);
  const subjects = rest.reduce((sum, f) => sum + occurrenceCount(f), 0);
  w.ensure(110); // keep the heading and its note with the first rows of the table
  w.paragraph([{ text: `${L(ctx, 'finding.grouped')} (${countText(subjects)})`, bold: true }], s.body, { after: 2 });
  w.paragraph([{ text: L(ctx, 'finding.groupedNote') }], s.small, { after: 4 });
  const what = (g: FailureGroup): Span[] =>
    g.table !== ''
      ? [
          { text: `${g.table}`, bold: true },
          {
            text: ` · ${L(ctx, 'finding.destination')} ${g.country || '—'} · ${L(ctx, 'finding.primary')} ${g.carrier || '—'}`,
          },
        ]
      : [{ text: g.kind, bold: true }];
  const rows: Cell[][] = shown.map((g) => [
    { spans: [], badge: { text: L(ctx, `status.${g.status}`), color: c.status[g.status] } },
    { spans: [{ text: countText(g.count), bold: true }] },
    { spans: what(g) },
    { spans: [{ text: g.first === g.last ? g.first : `${g.first} … ${g.last}` }] },
    { spans: [{ text: `${g.file}:${g.fromLine === g.toLine ? g.fromLine : `${g.fromLine}–${g.toLine}`}` }] },
  ]);
  if (hidden.length > 0) {
    const count = hidden.reduce((sum, g) => sum + g.count, 0);
    rows.push([
      { spans: [{ text: '…', color: c.muted }] },
      { spans: [{ text: countText(count), bold: true }] },
      { spans: [{ text: `${countText(hidden.length)} ${L(ctx, 'finding.smallerGroups')}`, color: c.muted }] },
      { spans: [] },
      { spans: [] },
    ]);
  }
  w.table(
    [
      { header: L(ctx, 'finding.status'), width: 1 },
      { header: L(ctx, 'finding.count'), width: 0.7, align: 'right' },
      { header: L(ctx, 'finding.group'), width: 2.8 },
      { header: L(ctx, 'finding.subjects'), width: 3.2 },
      { header: L(ctx, 'finding.lines'), width: 2 },
    ],
    rows,
    { size: 7, headerFill: c.primary },
  );
}

function waiverText(ctx: Ctx, f: Finding): Span[] {
  const c = ctx.theme.colours;
  if (!f.waiver) return [{ text: L(ctx, 'finding.noWaiver'), color: c.muted }];
  if (f.waiver.status === 'applied')
    return [
      {
        text: `${f.waiver.id} ${L(ctx, 'finding.waiverApplied')} ${f.waiver.expires}`,
        color: c.status.waived,
        bold: true,
      },
    ];
  return [
    {
      text: `${f.waiver.id} ${L(ctx, 'finding.waiverExpired')} ${f.waiver.expires} — ${L(ctx, 'finding.waiverExpiredNote')}`,
      color: c.status.fail,
      bold: true,
    },
  ];
}

/** With --baseline: how this finding compares with the previous audit. */
function baselineText(ctx: Ctx, baseline: NonNullable<Finding['baseline']>): Span[] {
  const c = ctx.theme.colours;
  const was = baseline.previousStatus ? ` ${L(ctx, `status.${baseline.previousStatus}`)}` : '';
  switch (baseline.state) {
    case 'new':
      return [{ text: L(ctx, 'finding.baselineNew'), color: c.status.fail, bold: true }];
    case 'unchanged':
      return [{ text: `${L(ctx, 'finding.baselineUnchanged')}`, color: c.muted }];
    case 'resolved':
      return [{ text: `${L(ctx, 'finding.baselineResolved')}${was}`, color: c.status.pass, bold: true }];
    default:
      return [{ text: `${L(ctx, 'finding.baselineChanged')}${was}`, bold: true }];
  }
}

/**
 * With --baseline: the finding's own state (its first occurrence's) when its occurrences agree, else how
 * many of them are in each state ("2 new · 4 unchanged"), in the order of BASELINE_STATES.
 */
function findingBaselineText(ctx: Ctx, f: Finding, baseline: NonNullable<Finding['baseline']>): Span[] {
  const counts = new Map<BaselineState, number>();
  for (const entry of baselineEntries(f)) counts.set(entry.state, (counts.get(entry.state) ?? 0) + 1);
  if (counts.size <= 1) return baselineText(ctx, baseline);
  const c = ctx.theme.colours;
  return BASELINE_STATES.filter((st) => counts.has(st)).flatMap((st, i) => [
    ...(i > 0 ? [{ text: ' · ', color: c.muted }] : []),
    {
      text: `${counts.get(st)} ${L(ctx, `changes.state.${st}`).toLowerCase()}`,
      bold: st === 'regressed' || st === 'new',
    },
  ]);
}

function drawFinding(ctx: Ctx, f: Finding, ownRemediation: boolean): void {
  const { w, theme } = ctx;
  const s = styles(theme);
  const c = theme.colours;
  w.group('Div', () => {
    // Header line: status, subject, location (the first occurrence's), and how many subjects share the cause.
    const location = `${f.location.file}:${f.location.line}:${f.location.column}`;
    const statusText = L(ctx, `status.${f.status}`);
    const badgeWidth = w.measure(statusText, 7.5, true) + 7.5 * 1.1;
    const occurrences = f.occurrences;
    const head = w.layout(
      [
        { text: f.subject, bold: true },
        { text: `   ${location}`, color: c.muted },
        ...(occurrences.length > 1
          ? [
              {
                text: `   ${countText(occurrences.length)} ${L(ctx, 'finding.occurrencesShort')}`,
                bold: true,
                color: c.primary,
              },
            ]
          : []),
      ],
      w.width - badgeWidth - 18,
      { size: 8.5, color: c.text },
    );
    const headHeight = head.reduce((sum, l) => sum + l.height, 0) + 8;
    w.ensure(headHeight + 60);
    const y0 = w.y;
    w.artifact(() =>
      w.doc
        .save()
        .rect(w.left, y0, w.width, headHeight)
        .fill(c.shade)
        .restore()
        .save()
        .rect(w.left, y0, 2.5, headHeight)
        .fill(c.status[f.status])
        .restore(),
    );
    w.block('P', headHeight, (x, y) => {
      w.drawBadge(statusText, c.status[f.status], x + 8, y + 4.5, 7.5);
      let cy = y + 4;
      for (const line of head) {
        w.drawLine(line, x + 14 + badgeWidth, cy, w.width - badgeWidth - 18);
        cy += line.height;
      }
    });
    w.space(5);
    const indent = 8;
    const field = (name: string, value: Span[]) =>
      w.paragraph([{ text: `${name}: `, bold: true }, ...value], s.body, { x: w.left + indent, after: 3 });
    field(L(ctx, 'finding.found'), [{ text: prose(f.message) }]);
    if (occurrences.length > 1) drawOccurrences(ctx, occurrences, indent);
    if (f.excerpt && f.excerpt.length > 0) drawExcerpt(ctx, f, indent);
    for (const chain of chainsOf(f.evidence, ctx.report.carriersById)) drawChain(ctx, chain, indent);
    const details = evidenceDetails(f.evidence, `… ${L(ctx, 'finding.truncated')}`);
    if (details) {
      w.ensure(34); // keep the label with the first lines of the details
      w.paragraph(
        [{ text: `${L(ctx, 'finding.details')}`, bold: true }],
        { ...s.small, color: c.text },
        { x: w.left + indent, after: 1 },
      );
      drawPreformatted(ctx, details, indent + 6);
    }
    if (ownRemediation) field(L(ctx, 'finding.remediation'), [{ text: prose(f.remediation) }]);
    field(L(ctx, 'finding.waiver'), waiverText(ctx, f));
    if (f.baseline) field(L(ctx, 'finding.baseline'), findingBaselineText(ctx, f, f.baseline));
    w.space(6);
  });
}

/** An occurrence's own evidence in one short line: `destinationGroup: CN; trafficShare: 12.5`. */
export function occurrenceEvidenceText(evidence: Record<string, unknown> | undefined, max = 120): string {
  if (!evidence) return '';
  const text = Object.entries(evidence)
    .map(
      ([key, value]) =>
        `${key}: ${value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
    )
    .join('; ');
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

/**
 * The subjects that share a finding's cause: the first OCCURRENCE_LIMIT with their file and line (and their
 * own evidence), then how many more, which findings.json and occurrences.csv list.
 */
function drawOccurrences(ctx: Ctx, occurrences: readonly Occurrence[], indent: number): void {
  const { w, theme } = ctx;
  const s = styles(theme);
  const c = theme.colours;
  w.ensure(30);
  w.paragraph(
    [{ text: `${L(ctx, 'finding.occurrences')} (${countText(occurrences.length)})`, bold: true }],
    { ...s.small, color: c.text },
    { x: w.left + indent, after: 1 },
  );
  for (const o of occurrences.slice(0, OCCURRENCE_LIMIT)) {
    const own = occurrenceEvidenceText(o.evidence);
    w.paragraph(
      [
        { text: o.subject, bold: true },
        { text: `   ${o.location.file}:${o.location.line}`, color: c.muted },
        ...(own ? [{ text: `   ${own}` }] : []),
      ],
      { ...s.small, color: c.text },
      { x: w.left + indent + 6, after: 0.5 },
    );
  }
  const more = occurrences.length - OCCURRENCE_LIMIT;
  if (more > 0)
    w.paragraph(
      [{ text: `${L(ctx, 'finding.and')} ${countText(more)} ${L(ctx, 'finding.moreOccurrences')}` }],
      s.small,
      {
        x: w.left + indent + 6,
        after: 0.5,
      },
    );
  w.space(3);
}

/** The YAML lines behind a finding, with line numbers; the offending line is highlighted. */
function drawExcerpt(ctx: Ctx, f: Finding, indent: number): void {
  const { w, theme } = ctx;
  const c = theme.colours;
  const size = 7.5;
  const gutter = 30;
  const x0 = w.left + indent;
  const width = w.width - indent;
  const caption = w.layout([{ text: `${L(ctx, 'finding.source')} — ${f.location.file}`, bold: true }], width, {
    size: 7.5,
    color: c.muted,
  });
  const lines = f.excerpt!.map((e) => {
    const spaces = /^ */.exec(e.text)![0].length;
    const indentWidth = spaces * size * 0.5;
    const laid = w.layout(
      [{ text: e.text.trimStart() || ' ', bold: e.line === f.location.line }],
      width - gutter - 10 - indentWidth,
      { size, color: c.text, leading: 1.35 },
    );
    return { entry: e, indentWidth, laid, height: laid.reduce((s, l) => s + l.height, 0) };
  });
  const captionHeight = caption.reduce((s, l) => s + l.height, 0);
  const height = captionHeight + lines.reduce((s, l) => s + l.height, 0) + 8;
  w.ensure(height + 4);
  const y0 = w.y;
  w.artifact(() => {
    w.doc
      .save()
      .rect(x0, y0 + captionHeight, width, height - captionHeight)
      .fill('#FAFBFC')
      .restore();
    w.doc
      .save()
      .rect(x0, y0 + captionHeight, width, height - captionHeight)
      .lineWidth(0.5)
      .strokeColor(c.rule)
      .stroke()
      .restore();
    let cy = y0 + captionHeight + 4;
    for (const l of lines) {
      if (l.entry.line === f.location.line)
        w.doc
          .save()
          .rect(x0 + 0.5, cy - 1, width - 1, l.height + 1)
          .fill(c.highlight)
          .restore()
          .save()
          .rect(x0, cy - 1, 2.5, l.height + 1)
          .fill(c.status[f.status])
          .restore();
      cy += l.height;
    }
    w.doc
      .save()
      .moveTo(x0 + gutter, y0 + captionHeight)
      .lineTo(x0 + gutter, y0 + height)
      .lineWidth(0.5)
      .strokeColor(c.rule)
      .stroke()
      .restore();
  });
  w.block('Code', height, (_x, y) => {
    let cy = y;
    for (const line of caption) {
      w.drawLine(line, x0, cy, width);
      cy += line.height;
    }
    cy += 4;
    for (const l of lines) {
      const hit = l.entry.line === f.location.line;
      w.drawTextAt([{ text: String(l.entry.line), bold: hit }], x0, cy, gutter - 5, {
        size,
        color: hit ? c.text : c.muted,
        align: 'right',
        leading: 1.35,
      });
      let ly = cy;
      for (const line of l.laid) {
        w.drawLine(line, x0 + gutter + 6 + l.indentWidth, ly, width - gutter - 10 - l.indentWidth);
        ly += line.height;
      }
      cy += l.height;
    }
  });
  w.space(4);
}

export interface ChainNode {
  name: string;
  detail: string;
  share: string;
}

export interface Chain {
  caption: string;
  nodes: ChainNode[];
}

/** A carrier's structured chain as boxes: name, country and type, and the share held in the step before. */
export function chainNodes(chain: readonly ChainLink[]): ChainNode[] {
  return chain.map((link, i) => ({
    name: link.name,
    detail: (i === 0 ? [link.country] : [link.country || 'jurisdiction unconfirmed', link.type])
      .filter((v) => v !== '')
      .join(' · '),
    share: i === 0 ? '' : link.control ? 'control' : link.share === null ? '' : `${link.share} %`,
  }));
}

/**
 * Ownership chains to draw for a finding: a structured `chain` in its evidence (OWN controls), and the
 * chain of each carrier a route finding's evidence names beside its `ownership` text, taken from the
 * inventory (structured), never parsed back from that text. Each chain once.
 */
export function chainsOf(evidence: Record<string, unknown>, carriers: ReadonlyMap<string, InventoryCarrier>): Chain[] {
  const out: Chain[] = [];
  const seen = new Set<string>();
  const add = (caption: string, nodes: ChainNode[]) => {
    const key = nodes.map((n) => n.name).join('\u0000');
    if (nodes.length < 2 || seen.has(key)) return;
    seen.add(key);
    out.push({ caption, nodes });
  };
  if (Array.isArray(evidence.chain)) {
    const nodes = (evidence.chain as Array<Record<string, unknown>>).map((n) => ({
      name: String(n.name ?? n.id ?? ''),
      detail: [n.country, n.type].filter((v) => typeof v === 'string' && v !== '').join(' · '),
      share: typeof n.share === 'number' ? `${n.share} %` : n.control === true ? 'control' : '',
    }));
    add(String(evidence.counterparty ?? (evidence.chain as Array<Record<string, unknown>>)[0]?.id ?? ''), nodes);
  }
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      const carrier = typeof o.carrier === 'string' ? carriers.get(o.carrier) : undefined;
      if (typeof o.ownership === 'string' && carrier)
        add([o.position, o.carrier].filter((v) => typeof v === 'string').join(' '), chainNodes(carrier.chain));
      for (const [k, v] of Object.entries(o)) if (k !== 'chain') visit(v);
    }
  };
  visit(evidence);
  return out;
}

/** Boxes joined by arrows, left to right, wrapping after four; the share held is written on each arrow. */
function drawChain(ctx: Ctx, chain: Chain, indent: number): void {
  const { w, theme } = ctx;
  const c = theme.colours;
  const perRow = Math.min(4, chain.nodes.length);
  const gap = 30;
  const x0 = w.left + indent;
  const width = w.width - indent;
  const boxWidth = (width - (perRow - 1) * gap) / perRow;
  const pad = 5;
  const laid = chain.nodes.map((n) => ({
    name: w.layout([{ text: n.name, bold: true }], boxWidth - 2 * pad, { size: 7.5, color: c.text, leading: 1.3 }),
    detail: n.detail
      ? w.layout([{ text: n.detail }], boxWidth - 2 * pad, { size: 7, color: c.muted, leading: 1.3 })
      : [],
  }));
  const boxHeight = Math.max(...laid.map((l) => [...l.name, ...l.detail].reduce((s, x) => s + x.height, 0))) + 2 * pad;
  const rows = Math.ceil(chain.nodes.length / perRow);
  const captionHeight = 12;
  const height = captionHeight + rows * boxHeight + (rows - 1) * 14 + 6;
  const caption = `${L(ctx, 'finding.chain')}${chain.caption ? ` — ${chain.caption}` : ''}`;
  const alt = `${caption}: ${chain.nodes.map((n, i) => `${i > 0 && n.share ? `(${n.share}) ` : ''}${n.name}${n.detail ? ` [${n.detail}]` : ''}`).join(' → ')}`;
  w.figure(alt, height, (_x, y) => {
    const doc = w.doc;
    w.drawTextAt([{ text: caption, bold: true }], x0, y, width, { size: 7.5, color: c.muted });
    chain.nodes.forEach((_node, i) => {
      const row = Math.floor(i / perRow);
      const col = i % perRow;
      const bx = x0 + col * (boxWidth + gap);
      const by = y + captionHeight + row * (boxHeight + 14);
      const last = i === chain.nodes.length - 1;
      doc
        .save()
        .roundedRect(bx, by, boxWidth, boxHeight, 3)
        .fill(last ? c.highlight : '#FFFFFF')
        .restore();
      doc
        .save()
        .roundedRect(bx, by, boxWidth, boxHeight, 3)
        .lineWidth(last ? 1.1 : 0.6)
        .strokeColor(last ? c.primary : c.rule)
        .stroke()
        .restore();
      let cy = by + pad;
      for (const line of [...laid[i].name, ...laid[i].detail]) {
        w.drawLine(line, bx + pad, cy, boxWidth - 2 * pad);
        cy += line.height;
      }
      if (i + 1 < chain.nodes.length) {
        const next = chain.nodes[i + 1];
        const sameRow = col + 1 < perRow;
        const ay = by + boxHeight / 2;
        if (sameRow) {
          const ax = bx + boxWidth + 3;
          doc
            .save()
            .moveTo(ax, ay)
            .lineTo(ax + gap - 9, ay)
            .lineWidth(0.9)
            .strokeColor(c.accent)
            .stroke()
            .restore();
          doc
            .save()
            .moveTo(ax + gap - 6, ay)
            .lineTo(ax + gap - 11, ay - 3)
            .lineTo(ax + gap - 11, ay + 3)
            .closePath()
            .fill(c.accent)
            .restore();
          if (next.share)
            w.drawTextAt([{ text: next.share }], ax - 4, ay - 11, gap + 2, {
              size: 6.5,
              color: c.muted,
              align: 'center',
            });
        } else {
          // Continue on the next row: a bent arrow from this box's bottom to the first box of the next row.
          const sx = bx + boxWidth / 2;
          const sy = by + boxHeight;
          const tx = x0 + boxWidth / 2;
          const ty = by + boxHeight + 14;
          doc
            .save()
            .moveTo(sx, sy)
            .lineTo(sx, sy + 7)
            .lineTo(tx, sy + 7)
            .lineTo(tx, ty - 4)
            .lineWidth(0.9)
            .strokeColor(c.accent)
            .stroke()
            .restore();
          doc
            .save()
            .moveTo(tx, ty)
            .lineTo(tx - 3, ty - 5)
            .lineTo(tx + 3, ty - 5)
            .closePath()
            .fill(c.accent)
            .restore();
          if (next.share) w.drawTextAt([{ text: next.share }], tx + 4, sy + 1, 60, { size: 6.5, color: c.muted });
        }
      }
      if (last)
        w.drawTextAt([{ text: L(ctx, 'finding.controller') }], bx, by + boxHeight + 1.5, boxWidth, {
          size: 6.5,
          color: c.primary,
          align: 'right',
        });
    });
  });
  w.space(6);
}

/** The evidence not drawn elsewhere (chains), as YAML text; long lists are cut with a note. */
export function evidenceDetails(
  evidence: Record<string, unknown>,
  truncatedNote = '… more in the attached findings.json',
): string {
  const strip = (value: unknown, depth: number): unknown => {
    if (Array.isArray(value)) {
      const kept = value.slice(0, EVIDENCE_LIST_LIMIT).map((v) => strip(v, depth + 1));
      return value.length > EVIDENCE_LIST_LIMIT
        ? [...kept, `${value.length - EVIDENCE_LIST_LIMIT} ${truncatedNote}`]
        : kept;
    }
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .filter(([k]) => k !== 'chain' && k !== 'ownership')
          .map(([k, v]) => [k, strip(v, depth + 1)]),
      );
    }
    return value;
  };
  const stripped = strip(evidence, 0) as Record<string, unknown>;
  if (Object.keys(stripped).length === 0) return '';
  return stringify(stripped, { lineWidth: 0, flowCollectionPadding: false }).trimEnd();
}

/** YAML-like text with its indentation kept (an indent of n spaces is n half-ems). */
function drawPreformatted(ctx: Ctx, text: string, indent: number): void {
  const { w, theme } = ctx;
  const size = 7.5;
  for (const raw of text.split('\n')) {
    const spaces = /^ */.exec(raw)![0].length;
    const x = w.left + indent + spaces * size * 0.5;
    const keyMatch = /^(\s*(?:- )?)([^:]+:)(\s.*)?$/.exec(raw);
    const content: Span[] =
      keyMatch && !raw.trimStart().startsWith('- "')
        ? [{ text: (keyMatch[1] + keyMatch[2]).trimStart(), color: theme.colours.muted }, { text: keyMatch[3] ?? '' }]
        : [{ text: raw.trimStart() }];
    w.paragraph(content, { size, color: theme.colours.text, leading: 1.35 }, { x, after: 0, type: 'Code' });
  }
  w.space(4);
}

// ---- control results ------------------------------------------------------------------------------

export function drawControlResults(ctx: Ctx, number: string): void {
  const { w, theme, report } = ctx;
  const s = styles(theme);
  const c = theme.colours;
  w.group('Sect', () => {
    w.heading(1, [{ text: `${number}  ${L(ctx, 'sections.controls')}` }], s.h1, {
      destination: 'controls',
      newPage: true,
      bookmark: `${number} ${L(ctx, 'sections.controls')}`,
    });
    drawBlocks(ctx, render(ctx, 'controls-intro.hbs'), 'controls');
    const order: Status[] = ['fail', 'error', 'not-evidenced', 'waived', 'pass', 'not-applicable'];
    const resultCell = (r: ControlResult): Cell => {
      const text = r.result === 'none' ? L(ctx, 'status.none') : L(ctx, `status.${r.result}`);
      return { spans: [], badge: { text, color: r.result === 'none' ? c.muted : c.status[r.result] } };
    };
    // The subjects per status in one column, only the statuses that occur: "25 pass · 1 not applicable".
    const countsCell = (r: ControlResult): Cell => {
      const parts = order.filter((st) => r.counts[st] > 0);
      if (parts.length === 0) return { spans: [{ text: L(ctx, 'table.noSubject'), color: c.muted }] };
      return {
        spans: parts.flatMap((st, i) => [
          ...(i > 0 ? [{ text: ' · ', color: c.muted }] : []),
          {
            text: `${countText(r.counts[st])} `,
            bold: st === 'fail' || st === 'error',
            color: st === 'fail' || st === 'error' ? c.status[st] : undefined,
          },
          {
            text: L(ctx, `status.${st}`).toLowerCase(),
            color: st === 'fail' || st === 'error' ? c.status[st] : c.muted,
          },
        ]),
      };
    };
    w.table(
      [
        { header: L(ctx, 'table.control'), width: 1.15 },
        { header: L(ctx, 'table.title'), width: 3.3 },
        { header: L(ctx, 'table.severity'), width: 0.95 },
        { header: L(ctx, 'table.result'), width: 1.3 },
        { header: L(ctx, 'table.subjects'), width: 2.6 },
      ],
      report.controlResults.map((r) => [
        { spans: [{ text: r.control.id, bold: true }] },
        { spans: [{ text: r.control.title }] },
        {
          spans: [
            { text: L(ctx, `severity.${r.control.severity}`), color: c.severity[r.control.severity], bold: true },
          ],
        },
        resultCell(r),
        countsCell(r),
      ]),
      { size: 7.5, headerFill: c.primary },
    );
  });
}

// ---- appendices -----------------------------------------------------------------------------------

export function appendixHeading(ctx: BaseCtx, letter: string, key: string, destination: string, newPage = false): void {
  const s = styles(ctx.theme);
  const title = `${L(ctx, 'sections.appendix')} ${letter}  ${L(ctx, key)}`;
  ctx.w.space(newPage ? 0 : 10);
  ctx.w.heading(1, [{ text: title }], s.h1, { destination, newPage, keep: 120, bookmark: title.replace(/ {2}/, ' ') });
}

export function drawMethodology(ctx: BaseCtx, letter: string, template: TemplateName = 'methodology.hbs'): void {
  ctx.w.group('Sect', () => {
    appendixHeading(ctx, letter, 'sections.methodology', 'methodology', true);
    drawBlocks(ctx, render(ctx, template), 'methodology');
  });
}

function flowValue(value: unknown): string {
  if (typeof value === 'string') return value;
  return stringify(value, { lineWidth: 0, collectionStyle: 'flow', flowCollectionPadding: false }).trim();
}

export function drawProfile(ctx: BaseCtx, letter: string, run: OperatorReport['run']): void {
  const { w, theme } = ctx;
  const c = theme.colours;
  const p = run.profile;
  w.group('Sect', () => {
    appendixHeading(ctx, letter, 'sections.profile', 'profile');
    drawBlocks(ctx, render(ctx, 'profile-intro.hbs'), 'profile');
    const none = L(ctx, 'profile.none');
    const settings: Array<[string, string]> = [
      [L(ctx, 'profile.id'), p.id],
      [L(ctx, 'profile.chain'), p.chain.join(' → ')],
      [L(ctx, 'profile.file'), p.file],
      [L(ctx, 'profile.failOn'), p.failOn],
      [L(ctx, 'profile.auditDate'), run.auditDate],
      [L(ctx, 'profile.auditDateSource'), run.auditDateSource],
      [L(ctx, 'profile.disabled'), p.disabled.length ? p.disabled.join(', ') : none],
      [
        L(ctx, 'profile.severity'),
        Object.keys(p.severity).length
          ? Object.entries(p.severity)
              .map(([k, v]) => `${k} → ${v}`)
              .join(', ')
          : none,
      ],
    ];
    w.table(
      [
        { header: L(ctx, 'table.setting'), width: 1 },
        { header: L(ctx, 'table.value'), width: 3 },
      ],
      settings.map(([k, v]) => [{ spans: [{ text: k, bold: true }] }, { spans: [{ text: v }] }]),
      { size: 8, headerFill: c.primary },
    );
    w.table(
      [
        { header: L(ctx, 'table.parameter'), width: 1.7 },
        { header: L(ctx, 'table.value'), width: 2.6 },
      ],
      Object.entries(p.parameters).map(([k, v]) => [
        { spans: [{ text: k, bold: true }] },
        { spans: [{ text: flowValue(v) }] },
      ]),
      { size: 8, headerFill: c.primary },
    );
  });
}

export function drawWaivers(ctx: Ctx, letter: string): void {
  const { w, theme, report } = ctx;
  const c = theme.colours;
  const order = ['applied', 'expired', 'unmatched', 'not-needed', 'requested'];
  const colour: Record<string, string> = {
    applied: c.status.waived,
    expired: c.status.fail,
    unmatched: c.status['not-evidenced'],
    'not-needed': c.muted,
    requested: c.muted,
  };
  w.group('Sect', () => {
    appendixHeading(ctx, letter, 'sections.waivers', 'waivers');
    drawBlocks(ctx, render(ctx, 'waivers-intro.hbs'), 'waivers');
    if (report.waivers.length === 0) return;
    const waivers = [...report.waivers].sort(
      (a, b) => order.indexOf(a.status) - order.indexOf(b.status) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    w.table(
      [
        { header: L(ctx, 'table.waiver'), width: 1.3 },
        { header: L(ctx, 'table.status'), width: 1.15 },
        { header: L(ctx, 'table.control'), width: 1.05 },
        { header: L(ctx, 'table.expires'), width: 1 },
        { header: L(ctx, 'table.targets'), width: 2.3 },
        { header: L(ctx, 'table.message'), width: 2.95 },
      ],
      waivers.map((wv) => [
        {
          spans: [
            { text: wv.id, bold: true },
            { text: `\n${L(ctx, `waiverSource.${wv.source}`)}`, color: c.muted, size: 6.5 },
          ],
        },
        { spans: [], badge: { text: wv.status, color: colour[wv.status] ?? c.muted } },
        { spans: [{ text: wv.control }] },
        { spans: [{ text: wv.expires }] },
        { spans: [{ text: wv.targets.join('\n') }] },
        {
          spans: [
            { text: wv.message },
            ...waiverDeclaration(ctx, wv),
            { text: `\n${wv.location.file}:${wv.location.line}:${wv.location.column}`, color: c.muted, size: 6.5 },
          ],
        },
      ]),
      { size: 7.5, headerFill: c.primary },
    );
  });
}

/**
 * What the waiver itself declares, as the appendix's introduction promises: why it was asked for, who
 * approved it (with the ticket) and the compensating controls. A reader judging a waiver needs these
 * beside it, not only in the workbook; a field left empty is left out.
 */
function waiverDeclaration(ctx: Ctx, wv: WaiverOutcome): Span[] {
  const muted = ctx.theme.colours.muted;
  const spans: Span[] = [];
  if (wv.justification)
    spans.push({ text: `\n${L(ctx, 'table.justification')}: `, bold: true }, { text: wv.justification });
  const approval = [wv.approvedBy, wv.ticket ? `${L(ctx, 'table.ticket')} ${wv.ticket}` : '']
    .filter(Boolean)
    .join(' · ');
  if (approval) spans.push({ text: `\n${L(ctx, 'table.approvedBy')}: `, bold: true }, { text: approval });
  if (wv.compensatingControls.length > 0)
    spans.push(
      { text: `\n${L(ctx, 'table.compensating')}: `, bold: true },
      { text: wv.compensatingControls.join('; '), color: muted },
    );
  return spans;
}

export function drawCarriers(ctx: Ctx, letter: string): void {
  const { w, theme, report } = ctx;
  const c = theme.colours;
  w.group('Sect', () => {
    appendixHeading(ctx, letter, 'sections.carriers', 'carriers');
    drawBlocks(ctx, render(ctx, 'carriers-intro.hbs'), 'carriers');
    if (report.carriers.length === 0) return;
    w.table(
      [
        { header: L(ctx, 'table.carrier'), width: 2.2 },
        { header: L(ctx, 'table.roles'), width: 1.3 },
        { header: L(ctx, 'table.controller'), width: 2.4 },
        { header: L(ctx, 'table.risk'), width: 2.6 },
      ],
      report.carriers.map((carrier) => [
        {
          spans: [
            { text: carrier.name, bold: true },
            { text: `\n${carrier.id} · ${carrier.incorporatedIn}`, color: c.muted },
            ...(carrier.declaredBy.length > 0
              ? [
                  {
                    text: `\n${L(ctx, 'table.declaredBy')} ${carrier.declaredBy.join(', ')}`,
                    color: c.status['not-evidenced'],
                    size: 6.5,
                  },
                ]
              : []),
          ],
        },
        { spans: [{ text: carrier.roles.join(', ') }] },
        {
          spans: carrier.ownershipResolved
            ? [
                { text: carrier.controller.name },
                { text: `\n${carrier.controller.country} · ${carrier.controller.type}`, color: c.muted },
              ]
            : [{ text: L(ctx, 'table.unresolved'), color: c.status['not-evidenced'], bold: true }],
        },
        {
          spans: carrier.highRisk
            ? [{ text: carrier.riskReasons.join('; '), color: c.status.fail }]
            : [{ text: L(ctx, 'table.notHighRisk'), color: c.muted }],
          fill: carrier.highRisk ? '#FCEDEC' : undefined,
        },
      ]),
      { size: 7.5, headerFill: c.primary },
    );
  });
}

export function drawInputs(
  ctx: BaseCtx,
  letter: string,
  report: Pick<OperatorReport, 'inputs' | 'errors' | 'run'>,
  template: TemplateName = 'inputs-intro.hbs',
): void {
  const { w, theme } = ctx;
  const s = styles(theme);
  const c = theme.colours;
  w.group('Sect', () => {
    appendixHeading(ctx, letter, 'sections.inputs', 'inputs');
    drawBlocks(ctx, render(ctx, template), 'inputs');
    w.table(
      [
        { header: L(ctx, 'table.file'), width: 2.6 },
        { header: L(ctx, 'table.bytes'), width: 0.7, align: 'right' },
        { header: L(ctx, 'table.sha256'), width: 4 },
      ],
      report.inputs.map((i) => [
        {
          spans: [
            { text: i.file },
            ...(i.builtin ? [{ text: `\n${L(ctx, 'table.builtin')}`, color: c.muted, size: 6.5 }] : []),
          ],
        },
        { spans: [{ text: countText(i.bytes) }] },
        { spans: [{ text: i.sha256, size: 6.8 }] },
      ]),
      { size: 7.5, headerFill: c.primary },
    );
    // The auditor's trusted facts that differ from the bundled registry, so a reader can weigh them.
    w.heading(2, [{ text: L(ctx, 'sections.registryChanges') }], s.h2, {
      destination: 'registry-changes',
      toc: false,
      keep: 60,
    });
    const currency = report.run.registry;
    const stale =
      currency.stale.length > 0
        ? ` ${currency.stale.length} ${L(ctx, 'registry.stale')} ${currency.maxAgeMonths} ${L(ctx, 'registry.months')}: ${currency.stale
            .slice(0, 10)
            .map((f) => `${f.kind}/${f.id} (${f.fact}, ${f.checked || L(ctx, 'registry.never')})`)
            .join('; ')}${currency.stale.length > 10 ? ' …' : ''}.`
        : '';
    w.paragraph([{ text: `${L(ctx, 'registry.asOf')} ${currency.asOf || L(ctx, 'registry.never')}.${stale}` }], s.body);
    const changes = report.run.registryChanges;
    if (changes.length === 0) w.paragraph([{ text: L(ctx, 'registry.none') }], s.body);
    else {
      w.table(
        [
          { header: L(ctx, 'table.entry'), width: 2 },
          { header: L(ctx, 'table.change'), width: 1 },
          { header: L(ctx, 'table.location'), width: 4 },
        ],
        changes.map((r) => [
          { spans: [{ text: `${r.kind}/${r.id}`, bold: true }] },
          { spans: [{ text: L(ctx, `registry.${r.change}`) }] },
          {
            spans: [
              { text: r.at },
              ...(r.replaces
                ? [{ text: `\n${L(ctx, 'registry.replaces')} ${r.replaces}`, color: c.muted, size: 6.5 }]
                : []),
            ],
          },
        ]),
        { size: 7.5, headerFill: c.primary },
      );
    }
    if (report.errors.length > 0) {
      w.heading(2, [{ text: L(ctx, 'sections.inputErrors') }], s.h2, {
        destination: 'input-errors',
        toc: false,
        keep: 60,
      });
      w.table(
        [
          { header: L(ctx, 'table.location'), width: 2.4 },
          { header: L(ctx, 'table.code'), width: 0.9 },
          { header: L(ctx, 'table.message'), width: 4 },
        ],
        report.errors.map((e) => [
          { spans: [{ text: e.line > 0 ? `${e.file}:${e.line}:${e.column}` : e.file }] },
          { spans: [{ text: e.code }] },
          { spans: [{ text: e.message }] },
        ]),
        { size: 7.5, headerFill: c.primary },
      );
    }
  });
}

export function drawGlossary(ctx: BaseCtx, letter: string): void {
  ctx.w.group('Sect', () => {
    appendixHeading(ctx, letter, 'sections.glossary', 'glossary');
    drawBlocks(ctx, render(ctx, 'glossary.hbs'), 'glossary');
  });
}
