import type { InputFile } from '../../model/report.js';
import { BASELINE_STATES, type BaselineState } from '../../model/finding.js';
import { compareText } from '../../model/order.js';
import type { AuditResult, BaselineComparison, InventoryOperator, Verdict } from '../../model/report.js';
import { compareProtocols, type Diagnostic, type Status } from '../../model/types.js';
import { reportId } from '../manifest.js';
import { changedCount, type SectorView } from '../sector/model.js';
import { stateColour } from './changes.js';
import { OCCURRENCE_LIMIT, routeScope, type Scope } from './model.js';
import type { Presentation } from '../view/index.js';
import { drawBlocks, drawVerdictPanel, L, render, styles, verdictBadge, type BaseCtx } from './sections.js';
import type { Cell, Span } from './writer.js';
import { reportFacts, resultFacts } from './context.js';
import { countText, percentText } from '../number-text.js';

/**
 * The sector report (OUT/sector.pdf): every operator of a run side by side, for a regulator. Its figures come
 * from sectorView (the same the HTML index shows); this file adds what the PDF needs around them and draws
 * the sector's own sections. Cover, contents, appendices, fonts, tagging and templates are the operator
 * reports' own (sections.ts), so both read as one family of documents.
 */

/** Carriers listed in "carriers in most submissions"; the rest are counted in one line. */
export const SECTOR_CARRIER_LIMIT = 40;
/** High-risk carriers drawn as columns of one protocol's heat map; the rest are named below it. */
export const MATRIX_COLUMN_LIMIT = 8;
/** Subjects removed since the baseline listed one by one; the rest are counted. */
export const REMOVED_LIMIT = 100;

export interface SectorReport {
  reportId: string;
  run: AuditResult['run'];
  view: SectorView;
  /** Operators by id with their names in their own scripts. */
  operators: Map<string, InventoryOperator>;
  verdict: Verdict;
  counts: Record<Status, number>;
  /** Every judged subject of the run (the sum of counts). */
  subjects: number;
  /** Findings (causes) of the run that need attention; `counts` counts subjects. */
  attention: number;
  /** Per protocol with avoidable high-risk exposure: the heat map's rows (operators) and columns (carriers). */
  matrices: ProtocolMatrix[];
  limit: number;
  baseline: BaselineComparison | null;
  inputs: InputFile[];
  errors: Diagnostic[];
  scope: Scope;
}

export interface ProtocolMatrix {
  protocol: string;
  /** High-risk carriers, by their summed share across operators (largest first), at most MATRIX_COLUMN_LIMIT. */
  carriers: string[];
  /** Carriers beyond the column limit (named, not drawn). */
  moreCarriers: string[];
  /** Operators with exposure on this protocol, in the exposure ranking's order. */
  rows: Array<{ operator: string; total: number; cells: Array<{ share: number; routes: number } | null> }>;
  /** Operators without avoidable high-risk exposure on this protocol. */
  unexposed: number;
  /** The largest cell, for the colour scale. */
  max: number;
}

/** One heat map per protocol: the exposure matrix of sectorView, laid out as rows and columns. */
export function protocolMatrices(view: SectorView): ProtocolMatrix[] {
  const protocols = [...new Set(view.exposureMatrix.map((m) => m.protocol))].sort(compareProtocols);
  const rank = new Map(view.rankedByExposure.map((id, i) => [id, i]));
  const operators = new Map(view.operators.map((o) => [o.id, o]));
  return protocols.map((protocol) => {
    const cells = view.exposureMatrix.filter((m) => m.protocol === protocol);
    const byCarrier = new Map<string, number>();
    for (const m of cells) byCarrier.set(m.carrier, (byCarrier.get(m.carrier) ?? 0) + m.share);
    const carriers = [...byCarrier.entries()].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0])).map(([id]) => id);
    const shown = carriers.slice(0, MATRIX_COLUMN_LIMIT);
    const rowIds = [...new Set(cells.map((m) => m.operator))].sort((a, b) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0));
    const rows = rowIds.map((operator) => ({
      operator,
      total: operators.get(operator)?.exposure[protocol] ?? 0,
      cells: shown.map((carrier) => {
        const cell = cells.find((m) => m.operator === operator && m.carrier === carrier);
        return cell ? { share: cell.share, routes: cell.routes } : null;
      }),
    }));
    return {
      protocol,
      carriers: shown,
      moreCarriers: carriers.slice(MATRIX_COLUMN_LIMIT),
      rows,
      unexposed: view.operators.length - rows.length,
      max: Math.max(0, ...cells.map((m) => m.share)),
    };
  });
}

export function sectorReport(presentation: Presentation): SectorReport {
  const { result, inventory } = presentation.report;
  const view = presentation.sector;
  const routes = inventory.routes;
  // Table ids are unique only per operator.
  const counted = routeScope(routes, (r) => `${r.operator}\u0000${r.table}`);
  return {
    reportId: reportId(result),
    run: result.run,
    view,
    operators: new Map(presentation.operators.map((o) => [o.id, o.operator])),
    verdict: presentation.run.verdict,
    counts: presentation.run.totals.byStatus,
    subjects: presentation.run.totals.subjects,
    attention: presentation.run.totals.attentionCauses,
    matrices: protocolMatrices(view),
    limit: Number(result.run.profile.parameters.maxHighRiskTrafficShare ?? 0),
    baseline: result.baseline ?? null,
    inputs: result.run.inputs,
    errors: result.errors,
    scope: {
      tables: counted.tables,
      routes: routes.length,
      activeRoutes: counted.activeRoutes,
      protocols: counted.protocols,
      carriers: inventory.carriers.filter((c) => c.usedBy.length > 0).length,
      highRiskCarriers: inventory.carriers.filter((c) => c.usedBy.length > 0 && c.highRisk).length,
      agreements: inventory.agreements.length,
      files: result.run.inputs.filter((i) => !i.builtin).length,
    },
  };
}

/** The sector report's own data, attached to the PDF as sector.json. */
export function sectorJson(model: SectorReport): string {
  return `${JSON.stringify({ reportId: model.reportId, profile: model.run.profile.id, ...model.view, baseline: model.baseline }, null, 2)}\n`;
}

/**
 * The variables the sector's templates see. It has every key the operator reports' context has (so a
 * consultant's theme.yaml.hbs or labels.yaml.hbs written for those works here too; `operator` stands for
 * the sector as a whole) plus `sector`, which is `false` in the operator reports.
 */
export function sectorContext(model: SectorReport, protocolName: (p: string) => string = (p) => p) {
  const { run, counts, view } = model;
  const names = (id: string) => model.operators.get(id)?.name ?? id;
  const failing = view.operators.filter((o) => o.result === 'FAIL');
  const unfinished = view.operators.filter((o) => o.result === 'INCOMPLETE' || o.result === 'ERROR');
  const topId = view.rankedByExposure[0];
  const top = view.operators.find((o) => o.id === topId && o.maxExposure > 0);
  const topProtocol = top
    ? Object.entries(top.exposure).sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]))[0][0]
    : '';
  const overLimit = view.operators.filter((o) => o.maxExposure > model.limit);
  const shared = view.carriers.filter((c) => c.highRisk && c.operators.length > 1);
  // Pass rates are over the operators a control applies to (SectorView.controls): one that applies nowhere is not weak.
  const weakest = [...view.controls]
    .filter((c) => c.applicable > 0 && c.failing + c.notEvidenced > 0)
    .sort((a, b) => a.passRate - b.passRate || compareText(a.id, b.id));
  const worst = view.rankedByFailures[0];
  const worstOp = view.operators.find((o) => o.id === worst && o.failed > 0);
  const protocolList = model.scope.protocols.map(protocolName).join(', ');
  return {
    sector: {
      operators: view.operators.length,
      failing: failing.length,
      passing: view.operators.filter((o) => o.result === 'PASS').length,
      failingList: failing.map((o) => names(o.id)),
      /** Operators whose audit is INCOMPLETE or ERROR: no verdict can be read from their figures alone. */
      unfinished: unfinished.length,
      unfinishedList: unfinished.map((o) => `${names(o.id)} (${o.result})`),
      overLimit: overLimit.length,
      overLimitList: overLimit.map((o) => names(o.id)),
      limit: model.limit,
      topExposure: top
        ? { id: top.id, name: names(top.id), share: top.maxExposure, protocol: protocolName(topProtocol) }
        : null,
      mostFailures: worstOp
        ? {
            id: worstOp.id,
            name: names(worstOp.id),
            critical: worstOp.failedCritical,
            high: worstOp.failedHigh,
            failed: worstOp.failed,
          }
        : null,
      sharedHighRiskCarriers: shared.length,
      sharedHighRiskList: shared.slice(0, 5).map((c) => `${c.name} (${c.operators.length})`),
      weakestControls: weakest.slice(0, 3).map((c) => ({
        id: c.id,
        title: c.title,
        passRate: percentText(c.passRate),
        passing: c.passing,
        applicable: c.applicable,
        failing: c.failing,
        notEvidenced: c.notEvidenced,
      })),
      /** Controls that apply to at least one operator and pass wherever they apply. */
      controlsAllPass: view.controls.filter((c) => c.applicable > 0 && c.failing + c.notEvidenced === 0).length,
      /** Controls that apply to no operator of the run (every finding not-applicable, or none). */
      controlsApplyNowhere: view.controls.filter((c) => c.applicable === 0).length,
      baseline: model.baseline
        ? {
            previousAuditDate: model.baseline.previousAuditDate,
            source: model.baseline.source,
            // Every state, zero when a comparison built elsewhere (in-process) does not count it.
            ...(Object.fromEntries(BASELINE_STATES.map((st) => [st, model.baseline!.counts[st] ?? 0])) as Record<
              BaselineState,
              number
            >),
            moved: changedCount(model.baseline.counts),
            removed: model.baseline.removed.length,
          }
        : null,
    },
    operator: {
      id: 'sector',
      name: 'all audited operators',
      country: '',
      networks: [] as string[],
      plmns: [] as string[],
    },
    report: reportFacts(model.reportId, run),
    result: resultFacts(model.verdict, model.subjects, counts),
    scope: { ...model.scope, protocolList },
    findings: { attention: model.attention, occurrenceLimit: OCCURRENCE_LIMIT },
    /** The sector report always carries its figures (sector.json: they grow with operators, not routes). */
    attachment: { attached: true, name: 'sector.json', limit: '' },
    exposures: [] as unknown[],
    waivers: { total: 0, applied: 0, expired: 0, unmatched: 0, notNeeded: 0, requested: 0 },
    inputs: { files: model.inputs.length, submitted: model.scope.files, errors: model.errors.length },
    parameters: run.profile.parameters,
  };
}

export type SectorContext = ReturnType<typeof sectorContext>;

export interface SectorCtx extends BaseCtx {
  context: SectorContext;
  model: SectorReport;
}

function protocolName(ctx: BaseCtx, p: string): string {
  return ctx.labels[`protocol.${p}`] ?? p;
}

/** An operator in tables: its name in its own script, then id and country in grey. */
function operatorSpans(ctx: SectorCtx, id: string): Span[] {
  const o = ctx.model.operators.get(id);
  return [
    { text: o?.name ?? id, bold: true },
    { text: `\n${id}${o?.country ? ` · ${o.country}` : ''}`, color: ctx.theme.colours.muted, size: 6.5 },
  ];
}

function resultCell(ctx: SectorCtx, result: Verdict): Cell {
  return { spans: [], badge: verdictBadge(ctx, result) };
}

function sectionHeading(ctx: SectorCtx, number: string, key: string, destination: string, newPage: boolean): void {
  const title = L(ctx, `sector.sections.${key}`);
  ctx.w.heading(1, [{ text: `${number}  ${title}` }], styles(ctx.theme).h1, {
    destination,
    newPage,
    keep: 140,
    bookmark: `${number} ${title}`,
  });
}

// ---- 1 executive summary ------------------------------------------------------------------------

export function drawSectorSummary(ctx: SectorCtx, number: string): void {
  const { w, theme, model } = ctx;
  const c = theme.colours;
  const s = styles(theme);
  const view = model.view;
  w.group('Sect', () => {
    sectionHeading(ctx, number, 'summary', 'summary', true);
    w.space(4);
    const failing = view.operators.filter((o) => o.result === 'FAIL').length;
    drawVerdictPanel(
      ctx,
      L(ctx, 'sector.overall'),
      260,
      model.verdict,
      `${countText(failing)} ${L(ctx, 'sector.of')} ${countText(view.operators.length)} ${L(ctx, 'sector.operatorsFail')}`,
    );
    w.space(10);
    drawBlocks(ctx, render(ctx, 'sector-summary.hbs'), 'summary');
    // With --baseline, what moved since the previous audit, before any per-operator figure.
    if (model.baseline) drawChangeCounts(ctx);
    // Key figures per operator, in the exposure ranking's order: the page a reader starts from.
    w.heading(2, [{ text: L(ctx, 'sector.sections.glance') }], s.h2, {
      destination: 'summary-glance',
      toc: false,
      keep: 100,
    });
    w.table(
      [
        { header: L(ctx, 'sector.table.operator'), width: 2.6 },
        { header: L(ctx, 'table.result'), width: 0.9 },
        { header: L(ctx, 'sector.table.highest'), width: 1, align: 'right' },
        { header: L(ctx, 'sector.table.critical'), width: 0.9, align: 'right' },
        { header: L(ctx, 'sector.table.high'), width: 0.9, align: 'right' },
        { header: L(ctx, 'sector.table.failed'), width: 0.9, align: 'right' },
      ],
      view.rankedByExposure.map((id) => {
        const o = view.operators.find((x) => x.id === id)!;
        return [
          { spans: operatorSpans(ctx, id) },
          resultCell(ctx, o.result),
          {
            spans: [
              {
                text: `${percentText(o.maxExposure)} %`,
                bold: true,
                color: o.maxExposure > model.limit ? c.status.fail : undefined,
              },
            ],
          },
          {
            spans: [
              {
                text: countText(o.failedCritical),
                color: o.failedCritical > 0 ? c.severity.critical : c.muted,
                bold: o.failedCritical > 0,
              },
            ],
          },
          {
            spans: [
              {
                text: countText(o.failedHigh),
                color: o.failedHigh > 0 ? c.severity.high : c.muted,
                bold: o.failedHigh > 0,
              },
            ],
          },
          { spans: [{ text: countText(o.failed) }] },
        ];
      }),
      { size: 7.5, headerFill: c.primary },
    );
  });
}

// ---- 2 exposure matrix --------------------------------------------------------------------------

/** Mixes white into a #rrggbb colour: t = 0 white, 1 the colour. */
export function tint(hex: string, t: number): string {
  const v = (i: number) => Number.parseInt(hex.slice(i, i + 2), 16);
  const mix = (x: number) => Math.round(255 + (x - 255) * Math.max(0, Math.min(1, t)));
  return `#${[v(1), v(3), v(5)].map((x) => mix(x).toString(16).padStart(2, '0')).join('')}`.toUpperCase();
}

export function matrixAlt(ctx: SectorCtx, m: ProtocolMatrix): string {
  const carrierName = (id: string) => ctx.model.view.carriers.find((c) => c.id === id)?.name ?? id;
  const rows = m.rows.map((r) => {
    const cells = m.carriers.flatMap((carrier, i) =>
      r.cells[i] ? [`${carrierName(carrier)} ${percentText(r.cells[i]!.share)} %`] : [],
    );
    return `${ctx.model.operators.get(r.operator)?.name ?? r.operator}: ${cells.join(', ')}; ${L(ctx, 'sector.matrix.total')} ${percentText(r.total)} %`;
  });
  return `${protocolName(ctx, m.protocol)} — ${rows.join('. ')}.`;
}

/** One protocol's heat map: operators down, high-risk carriers across, each cell the share of the operator's traffic. */
function drawMatrix(ctx: SectorCtx, m: ProtocolMatrix): void {
  const { w, theme, model } = ctx;
  const c = theme.colours;
  const labelWidth = 140;
  const totalWidth = 58;
  const cols = Math.max(1, m.carriers.length);
  const cellWidth = Math.min(70, (w.width - labelWidth - totalWidth) / cols);
  const carrierName = (id: string) => model.view.carriers.find((x) => x.id === id)?.name ?? id;
  const headers = m.carriers.map((id) =>
    w
      .layout([{ text: carrierName(id), bold: true }], cellWidth - 4, { size: 6.5, color: c.text, leading: 1.2 })
      .slice(0, 4),
  );
  const headerHeight = Math.max(20, ...headers.map((ls) => ls.reduce((s, l) => s + l.height, 0))) + 6;
  const rowHeight = 22;
  const perPage = Math.max(1, Math.floor((w.bottom - w.top - headerHeight - 30) / rowHeight));
  const scaleMax = Math.max(model.limit, m.max, 1);
  for (let start = 0; start < m.rows.length; start += perPage) {
    const rows = m.rows.slice(start, start + perPage);
    const height = headerHeight + rows.length * rowHeight + 6;
    const alt = matrixAlt(ctx, { ...m, rows });
    w.figure(alt, height, (x, y) => {
      const doc = w.doc;
      // Column headings: carrier names, then the operator's total for the protocol.
      headers.forEach((lines, i) => {
        let cy = y + headerHeight - 4 - lines.reduce((s, l) => s + l.height, 0);
        for (const line of lines) {
          w.drawLine(line, x + labelWidth + i * cellWidth + 2, cy, cellWidth - 4, 'center');
          cy += line.height;
        }
      });
      w.drawTextAt(
        [{ text: L(ctx, 'sector.matrix.total'), bold: true }],
        x + labelWidth + cols * cellWidth + 4,
        y + headerHeight - 13,
        totalWidth - 4,
        { size: 6.5, color: c.text, align: 'right' },
      );
      rows.forEach((row, r) => {
        const ry = y + headerHeight + r * rowHeight;
        const name = model.operators.get(row.operator)?.name ?? row.operator;
        // Up to two lines of the name (in its own script); the id stays in the alternative text and the tables.
        const nameLines = w
          .layout([{ text: name }], labelWidth - 8, { size: 7, color: c.text, leading: 1.25 })
          .slice(0, 2);
        let ny = ry + (rowHeight - nameLines.reduce((h, l) => h + l.height, 0)) / 2;
        for (const line of nameLines) {
          w.drawLine(line, x, ny, labelWidth - 8, 'right');
          ny += line.height;
        }
        row.cells.forEach((cell, i) => {
          const cx = x + labelWidth + i * cellWidth;
          const t = cell ? 0.15 + 0.85 * (cell.share / scaleMax) : 0;
          doc
            .save()
            .rect(cx + 1, ry + 1, cellWidth - 2, rowHeight - 2)
            .fill(cell ? tint(c.severity.high, t) : c.shade)
            .restore();
          if (cell)
            w.drawTextAt([{ text: `${percentText(cell.share)} %`, bold: t > 0.55 }], cx, ry + 7, cellWidth, {
              size: 7,
              color: t > 0.55 ? '#FFFFFF' : c.text,
              align: 'center',
            });
        });
        const over = row.total > model.limit;
        w.drawTextAt(
          [{ text: `${percentText(row.total)} %`, bold: true }],
          x + labelWidth + cols * cellWidth + 4,
          ry + 7,
          totalWidth - 4,
          { size: 7.5, color: over ? c.status.fail : c.text, align: 'right' },
        );
      });
      doc
        .save()
        .moveTo(x + labelWidth, y + headerHeight)
        .lineTo(x + labelWidth + cols * cellWidth, y + headerHeight)
        .lineWidth(0.6)
        .strokeColor(c.text)
        .stroke()
        .restore();
    });
  }
}

export function drawExposureMatrix(ctx: SectorCtx, number: string): void {
  const { w, theme, model } = ctx;
  const s = styles(theme);
  w.group('Sect', () => {
    sectionHeading(ctx, number, 'matrix', 'matrix', true);
    drawBlocks(ctx, render(ctx, 'sector-matrix.hbs'), 'matrix');
    if (model.matrices.length === 0) {
      w.paragraph([{ text: L(ctx, 'sector.matrix.none') }], s.body);
      return;
    }
    model.matrices.forEach((m, i) => {
      w.space(6);
      w.heading(2, [{ text: `${number}.${i + 1}  ${protocolName(ctx, m.protocol)}` }], s.h2, {
        destination: `matrix-${m.protocol}`,
        keep: 90,
        bookmark: `${number}.${i + 1} ${protocolName(ctx, m.protocol)}`,
      });
      drawMatrix(ctx, m);
      const notes: string[] = [];
      if (m.unexposed > 0) notes.push(`${L(ctx, 'sector.matrix.unexposed')}: ${m.unexposed}`);
      if (m.moreCarriers.length > 0) notes.push(`${L(ctx, 'sector.matrix.moreCarriers')} ${m.moreCarriers.join(', ')}`);
      if (notes.length > 0) w.paragraph([{ text: notes.join(' · ') }], s.small, { after: 4 });
    });
  });
}

// ---- 3 rankings ---------------------------------------------------------------------------------

export function drawRankings(ctx: SectorCtx, number: string): void {
  const { w, theme, model } = ctx;
  const s = styles(theme);
  const c = theme.colours;
  const view = model.view;
  const byId = new Map(view.operators.map((o) => [o.id, o]));
  w.group('Sect', () => {
    sectionHeading(ctx, number, 'rankings', 'rankings', true);
    drawBlocks(ctx, render(ctx, 'sector-rankings.hbs'), 'rankings');
    w.heading(2, [{ text: `${number}.1  ${L(ctx, 'sector.sections.byExposure')}` }], s.h2, {
      destination: 'ranking-exposure',
      keep: 90,
      bookmark: `${number}.1 ${L(ctx, 'sector.sections.byExposure')}`,
    });
    w.table(
      [
        { header: L(ctx, 'sector.table.rank'), width: 0.4, align: 'right' },
        { header: L(ctx, 'sector.table.operator'), width: 2.5 },
        { header: L(ctx, 'table.result'), width: 0.9 },
        { header: L(ctx, 'sector.table.highest'), width: 0.9, align: 'right' },
        { header: L(ctx, 'sector.table.perProtocol'), width: 3 },
      ],
      view.rankedByExposure.map((id, i) => {
        const o = byId.get(id)!;
        const parts = Object.entries(o.exposure)
          .sort((a, b) => compareProtocols(a[0], b[0]))
          .map(([p, v]) => `${protocolName(ctx, p)} ${percentText(v)} %`);
        return [
          { spans: [{ text: String(i + 1), bold: true }] },
          { spans: operatorSpans(ctx, id) },
          resultCell(ctx, o.result),
          {
            spans: [
              {
                text: `${percentText(o.maxExposure)} %`,
                bold: true,
                color: o.maxExposure > model.limit ? c.status.fail : undefined,
              },
            ],
          },
          {
            spans: [
              {
                text: parts.length > 0 ? parts.join(' · ') : L(ctx, 'sector.table.noExposure'),
                color: parts.length > 0 ? undefined : c.muted,
              },
            ],
          },
        ];
      }),
      { size: 7.5, headerFill: c.primary },
    );
    w.heading(2, [{ text: `${number}.2  ${L(ctx, 'sector.sections.byFailures')}` }], s.h2, {
      destination: 'ranking-failures',
      keep: 90,
      bookmark: `${number}.2 ${L(ctx, 'sector.sections.byFailures')}`,
    });
    w.table(
      [
        { header: L(ctx, 'sector.table.rank'), width: 0.4, align: 'right' },
        { header: L(ctx, 'sector.table.operator'), width: 2.5 },
        { header: L(ctx, 'table.result'), width: 0.9 },
        { header: L(ctx, 'sector.table.critical'), width: 0.9, align: 'right' },
        { header: L(ctx, 'sector.table.high'), width: 0.9, align: 'right' },
        { header: L(ctx, 'sector.table.failed'), width: 0.9, align: 'right' },
      ],
      view.rankedByFailures.map((id, i) => {
        const o = byId.get(id)!;
        return [
          { spans: [{ text: String(i + 1), bold: true }] },
          { spans: operatorSpans(ctx, id) },
          resultCell(ctx, o.result),
          {
            spans: [
              {
                text: countText(o.failedCritical),
                bold: o.failedCritical > 0,
                color: o.failedCritical > 0 ? c.severity.critical : c.muted,
              },
            ],
          },
          {
            spans: [
              {
                text: countText(o.failedHigh),
                bold: o.failedHigh > 0,
                color: o.failedHigh > 0 ? c.severity.high : c.muted,
              },
            ],
          },
          { spans: [{ text: countText(o.failed) }] },
        ];
      }),
      { size: 7.5, headerFill: c.primary },
    );
  });
}

// ---- 4 carriers ---------------------------------------------------------------------------------

export function drawSectorCarriers(ctx: SectorCtx, number: string): void {
  const { w, theme, model } = ctx;
  const s = styles(theme);
  const c = theme.colours;
  const carriers = model.view.carriers.filter((x) => x.operators.length > 0);
  w.group('Sect', () => {
    sectionHeading(ctx, number, 'carriers', 'carriers', true);
    drawBlocks(ctx, render(ctx, 'sector-carriers.hbs'), 'carriers');
    w.table(
      [
        { header: L(ctx, 'sector.table.submissions'), width: 1.1, align: 'right' },
        { header: L(ctx, 'table.carrier'), width: 2.3 },
        { header: L(ctx, 'table.controller'), width: 2.2 },
        { header: L(ctx, 'sector.table.usedBy'), width: 2.6 },
      ],
      carriers.slice(0, SECTOR_CARRIER_LIMIT).map((carrier) => [
        { spans: [{ text: String(carrier.operators.length), bold: true }] },
        {
          spans: [
            { text: carrier.name, bold: true },
            {
              text: `\n${carrier.id}${carrier.highRisk ? ` · ${L(ctx, 'sector.table.highRisk')}` : ''}`,
              color: carrier.highRisk ? c.status.fail : c.muted,
              size: 6.5,
            },
          ],
          fill: carrier.highRisk ? '#FCEDEC' : undefined,
        },
        { spans: [{ text: carrier.controller }] },
        { spans: [{ text: carrier.operators.join(', ') }] },
      ]),
      { size: 7.5, headerFill: c.primary },
    );
    if (carriers.length > SECTOR_CARRIER_LIMIT) {
      w.paragraph(
        [{ text: `${carriers.length - SECTOR_CARRIER_LIMIT} ${L(ctx, 'sector.table.moreCarriers')}` }],
        s.small,
        { after: 4 },
      );
    }
  });
}

// ---- 5 control pass rates -----------------------------------------------------------------------

export function drawPassRates(ctx: SectorCtx, number: string): void {
  const { w, theme, model } = ctx;
  const c = theme.colours;
  w.group('Sect', () => {
    sectionHeading(ctx, number, 'controls', 'controls', true);
    drawBlocks(ctx, render(ctx, 'sector-controls.hbs'), 'controls');
    w.table(
      [
        { header: L(ctx, 'table.control'), width: 1.05 },
        { header: L(ctx, 'table.title'), width: 2.4 },
        { header: L(ctx, 'table.severity'), width: 0.75 },
        { header: L(ctx, 'passRates.appliesTo'), width: 0.75, align: 'right' },
        { header: L(ctx, 'sector.table.passing'), width: 1.05, align: 'right' },
        { header: L(ctx, 'sector.table.failing'), width: 0.65, align: 'right' },
        { header: L(ctx, 'sector.table.notEvidenced'), width: 0.95, align: 'right' },
        { header: L(ctx, 'sector.table.passRate'), width: 1.4, align: 'right' },
      ],
      model.view.controls.map((ctl) => {
        const severity = ctl.severity as keyof typeof c.severity;
        const rate = ctl.passRate;
        const nowhere = ctl.applicable === 0;
        return [
          { spans: [{ text: ctl.id, bold: true }] },
          { spans: [{ text: ctl.title }] },
          { spans: [{ text: L(ctx, `severity.${ctl.severity}`), bold: true, color: c.severity[severity] ?? c.text }] },
          {
            spans: [
              {
                text: `${countText(ctl.applicable)} ${L(ctx, 'passRates.of')} ${countText(model.view.operators.length)}`,
                color: nowhere ? c.muted : undefined,
              },
            ],
          },
          {
            spans: [
              {
                text: nowhere
                  ? '—'
                  : `${countText(ctl.passing)} ${L(ctx, 'passRates.of')} ${countText(ctl.applicable)}`,
                color: nowhere ? c.muted : undefined,
              },
            ],
          },
          {
            spans: [
              { text: countText(ctl.failing), bold: ctl.failing > 0, color: ctl.failing > 0 ? c.status.fail : c.muted },
            ],
          },
          {
            spans: [
              { text: countText(ctl.notEvidenced), color: ctl.notEvidenced > 0 ? c.status['not-evidenced'] : c.muted },
            ],
          },
          nowhere
            ? { spans: [{ text: L(ctx, 'passRates.nowhere'), color: c.muted, size: 6.5 }] }
            : {
                spans: [
                  { text: `${percentText(rate)} %`, bold: true, color: rate < 100 ? c.status.fail : c.status.pass },
                  {
                    text: `\n${countText(ctl.passing)} ${L(ctx, 'passRates.of')} ${countText(ctl.applicable)} ${L(ctx, 'passRates.whereItApplies')}`,
                    color: c.muted,
                    size: 6.5,
                  },
                ],
              },
        ];
      }),
      { size: 7.5, headerFill: c.primary },
    );
  });
}

// ---- 6 change since the last audit --------------------------------------------------------------

/** A count of findings in one baseline state: coloured when there are some and they moved. */
function stateCountCell(ctx: SectorCtx, state: BaselineState, n: number): Cell {
  const moved = n > 0 && state !== 'unchanged';
  return {
    spans: [
      {
        text: String(n),
        bold: moved && (state === 'regressed' || state === 'new' || state === 'resolved'),
        color: moved ? stateColour(ctx, state) : ctx.theme.colours.muted,
      },
    ],
  };
}

/**
 * The executive summary's view of the comparison: the sector's count of each state, in one table,
 * before any per-operator figure; section "changes" has them per operator.
 */
function drawChangeCounts(ctx: SectorCtx): void {
  const { w, theme, model } = ctx;
  const baseline = model.baseline!;
  const s = styles(theme);
  const c = theme.colours;
  w.heading(2, [{ text: L(ctx, 'changes.title') }], s.h2, { destination: 'summary-changes', toc: false, keep: 100 });
  w.paragraph(
    [
      { text: `${L(ctx, 'changes.comparedWith')} ` },
      { text: baseline.previousAuditDate, bold: true },
      { text: ` (${baseline.source}). ${L(ctx, 'changes.perOperator')} “${L(ctx, 'sector.sections.changes')}”.` },
    ],
    s.body,
    { after: 4 },
  );
  w.table(
    [
      { header: '', width: 1.6 },
      ...BASELINE_STATES.map((st) => ({ header: L(ctx, `changes.state.${st}`), width: 0.8, align: 'right' as const })),
    ],
    [
      [
        { spans: [{ text: L(ctx, 'changes.sector'), bold: true }] },
        ...BASELINE_STATES.map((st) => stateCountCell(ctx, st, baseline.counts[st] ?? 0)),
      ],
    ],
    { size: 7.5, headerFill: c.primary },
  );
}

export function drawChanges(ctx: SectorCtx, number: string): void {
  const { w, theme, model } = ctx;
  const s = styles(theme);
  const c = theme.colours;
  w.group('Sect', () => {
    sectionHeading(ctx, number, 'changes', 'changes', true);
    drawBlocks(ctx, render(ctx, 'sector-changes.hbs'), 'changes');
    const baseline = model.baseline;
    if (!baseline) return;
    w.table(
      [
        { header: L(ctx, 'sector.table.operator'), width: 2.4 },
        ...BASELINE_STATES.map((st) => ({
          header: L(ctx, `changes.state.${st}`),
          width: 0.8,
          align: 'right' as const,
        })),
      ],
      [
        ...(model.view.changes ?? []).map((ch) => [
          { spans: operatorSpans(ctx, ch.operator) },
          ...BASELINE_STATES.map((st) => stateCountCell(ctx, st, ch[st])),
        ]),
        [
          { spans: [{ text: L(ctx, 'table.total'), bold: true }] },
          ...BASELINE_STATES.map((st) => ({ spans: [{ text: countText(baseline.counts[st] ?? 0), bold: true }] })),
        ],
      ],
      { size: 7.5, headerFill: c.primary },
    );
    if (baseline.removed.length === 0) return;
    w.heading(2, [{ text: L(ctx, 'sector.sections.removed') }], s.h2, {
      destination: 'changes-removed',
      toc: false,
      keep: 70,
    });
    w.table(
      [
        { header: L(ctx, 'sector.table.operator'), width: 1.4 },
        { header: L(ctx, 'table.control'), width: 1.1 },
        { header: L(ctx, 'finding.subject'), width: 3.2 },
        { header: L(ctx, 'sector.table.previousStatus'), width: 1.1 },
      ],
      baseline.removed
        .slice(0, REMOVED_LIMIT)
        .map((r) => [
          { spans: [{ text: r.operator }] },
          { spans: [{ text: r.control, bold: true }] },
          { spans: [{ text: r.subject }] },
          { spans: [], badge: { text: L(ctx, `status.${r.previousStatus}`), color: c.status[r.previousStatus] } },
        ]),
      { size: 7.5, headerFill: c.primary },
    );
    if (baseline.removed.length > REMOVED_LIMIT)
      w.paragraph(
        [{ text: `${baseline.removed.length - REMOVED_LIMIT} ${L(ctx, 'sector.table.moreRemoved')}` }],
        s.small,
        { after: 4 },
      );
  });
}
