import { BASELINE_STATES } from '../../model/finding.js';
import { compareText } from '../../model/order.js';
import { compareProtocols } from '../../model/types.js';
import { reportId } from '../manifest.js';
import type { SectorView } from '../sector/model.js';
import type { Presentation } from '../view/index.js';
import { dateCell, listCell, type Cell } from './cells.js';
import type { SummaryBlock } from './summary.js';
import { type Column, type Table, TITLE_WIDTH } from './tables.js';
import type { WorkbookModel } from './writer.js';

/**
 * OUT/sector.xlsx: the regulator's view of every operator at once, cell for cell the figures of
 * sectorView (the sector PDF and the HTML index show the same). Shares are percentages held as plain
 * numbers (15 means 15 % of the operator's active traffic on that protocol), as sectorView has them.
 */
export const SECTOR_WORKBOOK_NAME = 'sector.xlsx';

export const SECTOR_SHEET = {
  summary: 'Summary',
  operators: 'Operators',
  matrix: 'Exposure matrix',
  carriers: 'Carriers',
  controls: 'Controls',
  changes: 'Changes',
} as const;

/** The grid sheet of one protocol: "Exposure ss7". */
export function gridSheetName(protocol: string): string {
  return `Exposure ${protocol}`;
}

/** Protocols in the catalog's order (ss7, diameter, gtp, sms, voice, n32), unknown ones after, by name. */
export function protocolsOf(view: SectorView): string[] {
  const seen = new Set<string>(view.exposureMatrix.map((m) => m.protocol));
  for (const o of view.operators) for (const p of Object.keys(o.exposure)) seen.add(p);
  return [...seen].sort(compareProtocols);
}

function summary(presentation: Presentation, protocols: readonly string[]): SummaryBlock[] {
  const { report, sector: view } = presentation;
  const { result } = report;
  const { run } = result;
  const exposed = view.operators.filter((o) => o.maxExposure > 0).length;
  const facts: Array<[string, Cell]> = [
    ['Scope', 'all operators in the run (sector)'],
    ['Result', presentation.run.verdict],
    ['Audit date', dateCell(run.auditDate)],
    ['Audit date from', run.auditDateSource],
    ['Profile', run.profile.id],
    ['Tool', `${run.tool.name} ${run.tool.version}`],
    ['Catalog version', run.catalog.version],
    ['Report id', reportId(result)],
    ['Operators', view.operators.length],
    ['Operators failing', view.operators.filter((o) => o.result === 'FAIL').length],
    ['Operators exposed', exposed],
    ['High-risk carriers', view.carriers.filter((c) => c.highRisk).length],
    ['Protocols with exposure', listCell(protocols)],
    ['Controls evaluated', view.controls.length],
  ];
  if (result.baseline) {
    const { counts } = result.baseline;
    facts.push(
      ['Baseline', result.baseline.source],
      ['Baseline audit date', dateCell(result.baseline.previousAuditDate)],
    );
    // The count of each state since the baseline, as findings.json's baseline.counts (removed subjects in resolved).
    for (const state of BASELINE_STATES)
      facts.push([`${state[0].toUpperCase()}${state.slice(1)} since baseline`, counts[state] ?? 0]);
  }
  const byId = new Map(view.operators.map((o) => [o.id, o]));
  const byFailures: Cell[][] = view.rankedByFailures.map((id, i) => {
    const o = byId.get(id)!;
    return [i + 1, o.id, o.failedCritical, o.failedHigh, o.failed, o.result, o.name];
  });
  return [
    { kind: 'title', text: 'ixaudit sector report' },
    { kind: 'facts', rows: facts },
    {
      kind: 'table',
      caption: 'Operators ranked by failed checks (one control on one subject): critical, then high, then all',
      columns: [
        { header: 'rank', width: 24, format: 'number' },
        { header: 'operator', width: 14 },
        { header: 'failed critical', width: 14, format: 'number' },
        { header: 'failed high', width: 12, format: 'number' },
        { header: 'failed', width: 9, format: 'number' },
        { header: 'result', width: 9, format: 'status' },
        { header: 'name', width: 50 },
      ],
      rows: byFailures,
    },
  ];
}

/** Operators in exposure order: one numeric exposure column per protocol. */
function operatorsTable(view: SectorView, protocols: readonly string[]): Table {
  const byId = new Map(view.operators.map((o) => [o.id, o]));
  const failureRank = new Map(view.rankedByFailures.map((id, i) => [id, i + 1]));
  const columns: Column[] = [
    { header: 'Exposure rank', width: 10, format: 'number' },
    { header: 'Failure rank', width: 9, format: 'number' },
    { header: 'Operator', width: 14 },
    { header: 'Name', width: 40 },
    { header: 'Country', width: 8 },
    { header: 'Result', width: 8, format: 'status' },
    { header: 'Failed critical', width: 10, format: 'number' },
    { header: 'Failed high', width: 9, format: 'number' },
    { header: 'Failed', width: 8, format: 'number' },
    { header: 'Max exposure (%)', width: 13, format: 'heat' },
    ...protocols.map((p): Column => ({ header: `${p} exposure (%)`, width: 13, format: 'heat' })),
  ];
  const rows = view.rankedByExposure.map((id, i): Cell[] => {
    const o = byId.get(id)!;
    return [
      i + 1,
      failureRank.get(id) ?? null,
      o.id,
      o.name,
      o.country,
      o.result,
      o.failedCritical,
      o.failedHigh,
      o.failed,
      o.maxExposure,
      ...protocols.map((p) => o.exposure[p] ?? 0),
    ];
  });
  return { name: SECTOR_SHEET.operators, columns, rows };
}

function matrixTable(view: SectorView, carrierName: ReadonlyMap<string, string>): Table {
  const columns: Column[] = [
    { header: 'Operator', width: 14 },
    { header: 'Carrier', width: 18 },
    { header: 'Carrier name', width: 36 },
    { header: 'Protocol', width: 10 },
    { header: 'Share (%)', width: 10, format: 'heat' },
    { header: 'Routes', width: 8, format: 'number' },
  ];
  const rows = view.exposureMatrix.map((m): Cell[] => [
    m.operator,
    m.carrier,
    carrierName.get(m.carrier) ?? null,
    m.protocol,
    m.share,
    m.routes,
  ]);
  return { name: SECTOR_SHEET.matrix, columns, rows };
}

/** The exposure grid of one protocol, in rows and columns: what a pivot of the matrix sheet would show. */
export interface ExposureGrid {
  protocol: string;
  /** High-risk carriers with exposure on this protocol, by summed share across operators, largest first. */
  carriers: string[];
  /** Every operator, in exposure order: its total on the protocol, then one share per carrier (null: none). */
  rows: Array<{ operator: string; total: number; shares: Array<number | null> }>;
}

export function exposureGrid(view: SectorView, protocol: string): ExposureGrid {
  const cells = view.exposureMatrix.filter((m) => m.protocol === protocol);
  const summed = new Map<string, number>();
  for (const m of cells) summed.set(m.carrier, (summed.get(m.carrier) ?? 0) + m.share);
  const carriers = [...summed.entries()].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0])).map(([id]) => id);
  const share = new Map(cells.map((m) => [`${m.operator}\u0000${m.carrier}`, m.share]));
  const byId = new Map(view.operators.map((o) => [o.id, o]));
  const rows = view.rankedByExposure.map((operator) => ({
    operator,
    total: byId.get(operator)?.exposure[protocol] ?? 0,
    shares: carriers.map((carrier) => share.get(`${operator}\u0000${carrier}`) ?? null),
  }));
  return { protocol, carriers, rows };
}

function gridTable(grid: ExposureGrid): Table {
  const columns: Column[] = [
    { header: 'Operator', width: 14 },
    // A route through two high-risk carriers counts once here and under each carrier, so the total can be less than the row's sum.
    { header: `Total ${grid.protocol} exposure (%)`, width: 15, format: 'number' },
    ...grid.carriers.map(
      (carrier): Column => ({ header: carrier, width: Math.max(10, Math.min(24, carrier.length + 2)), format: 'heat' }),
    ),
  ];
  const rows = grid.rows.map((r): Cell[] => [r.operator, r.total, ...r.shares]);
  return { name: gridSheetName(grid.protocol), columns, rows };
}

function carriersTable(view: SectorView): Table {
  const columns: Column[] = [
    { header: 'Carrier', width: 18 },
    { header: 'Name', width: 36 },
    { header: 'High risk', width: 9, format: 'risk' },
    { header: 'Controller', width: 36 },
    { header: 'Submissions', width: 11, format: 'number' },
    { header: 'Operators', width: 60 },
  ];
  const rows = view.carriers.map((c): Cell[] => [
    c.id,
    c.name,
    c.highRisk,
    c.controller,
    c.operators.length,
    listCell(c.operators),
  ]);
  return { name: SECTOR_SHEET.carriers, columns, rows };
}

function controlsTable(view: SectorView): Table {
  const columns: Column[] = [
    { header: 'Control', width: 13 },
    { header: 'Title', width: TITLE_WIDTH },
    { header: 'Severity', width: 10, format: 'severity' },
    { header: 'Operators where it applies', width: 12, format: 'number' },
    { header: 'Passing operators', width: 10, format: 'number' },
    { header: 'Failing operators', width: 10, format: 'number' },
    { header: 'Not-evidenced operators', width: 14, format: 'number' },
    { header: 'Pass rate (%)', width: 10, format: 'number' },
    { header: 'Passing', width: 30 },
  ];
  // The pass rate is over the operators the control applies to; none where it applies to no operator.
  const rows = view.controls.map((c): Cell[] => [
    c.id,
    c.title,
    c.severity,
    c.applicable,
    c.passing,
    c.failing,
    c.notEvidenced,
    c.applicable === 0 ? null : c.passRate,
    c.applicable === 0 ? 'applies to no operator' : `${c.passing} of ${c.applicable} operators where it applies`,
  ]);
  return { name: SECTOR_SHEET.controls, columns, rows };
}

function changesTable(changes: NonNullable<SectorView['changes']>): Table {
  const columns: Column[] = [
    { header: 'Operator', width: 14 },
    ...BASELINE_STATES.map(
      (state): Column => ({ header: `${state[0].toUpperCase()}${state.slice(1)}`, width: 10, format: 'number' }),
    ),
  ];
  return {
    name: SECTOR_SHEET.changes,
    columns,
    rows: changes.map((c): Cell[] => [c.operator, ...BASELINE_STATES.map((state) => c[state])]),
  };
}

/**
 * Sheets in order: Summary, Operators, Exposure matrix, one "Exposure <protocol>" grid per protocol with
 * exposure, Carriers, Controls, then Changes only with --baseline.
 */
export function sectorWorkbookModel(presentation: Presentation): WorkbookModel {
  const { report, sector: view } = presentation;
  const day = dateCell(report.result.run.auditDate);
  if (!(day instanceof Date)) throw new Error(`audit date ${report.result.run.auditDate} is not a calendar date`);
  const protocols = protocolsOf(view);
  const carrierName = new Map(view.carriers.map((c) => [c.id, c.name]));
  const gridProtocols = protocols.filter((p) => view.exposureMatrix.some((m) => m.protocol === p));
  const tables: Table[] = [
    operatorsTable(view, protocols),
    matrixTable(view, carrierName),
    ...gridProtocols.map((p) => gridTable(exposureGrid(view, p))),
    carriersTable(view),
    controlsTable(view),
    ...(view.changes ? [changesTable(view.changes)] : []),
  ];
  return { day, summary: summary(presentation, protocols), tables };
}
