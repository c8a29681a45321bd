import type { Finding, Occurrence } from '../../model/finding.js';
import type { InventoryHop, InventoryRoute } from '../../model/report.js';
import { STATUSES } from '../../model/types.js';
import {
  dateCell,
  listCell,
  MAX_DATA_ROWS_PER_SHEET,
  parametersText,
  partName,
  referencesText,
  textCell,
  type Cell,
} from './cells.js';
import type { FailedControls } from '../view/operator.js';
import type { WorkbookScope } from './scope.js';
import { countText } from '../number-text.js';

/**
 * How a column is shown. `severity` and `status` get conditional colours, `risk` highlights TRUE,
 * `date` a yyyy-mm-dd number format, `link` the look of a hyperlink, `heat` a number coloured on one
 * white-to-red scale shared by every `heat` column of the sheet (a heat map). Long text is not wrapped: one
 * line per row keeps a table of thousands of findings scannable, and the cell shows it all when selected.
 */
export type ColumnFormat = 'text' | 'number' | 'date' | 'boolean' | 'severity' | 'status' | 'risk' | 'link' | 'heat';

export interface Column {
  header: string;
  /** In characters, as Excel measures column widths. */
  width: number;
  format?: ColumnFormat;
}

/** One sheet of rows under a header: frozen, filtered, coloured by its columns' formats. */
export interface Table {
  name: string;
  columns: Column[];
  /** Lazy, so a million routes are never all turned into cells at once. */
  rows: Iterable<Cell[]>;
}

/**
 * The Title columns' width, in characters. At 42, the longer titles of the catalog (up to 67 characters)
 * were cut off at the next column, on screen and printed. At 57 each fits on one line as LibreOffice
 * draws Calibri's stand-in, and a printed page still holds Control to Status (at 62 Status went to the
 * next page; test/report-xlsx.test.ts). Wrapping instead does not work: neither reader fits a row's
 * height to wrapped text when it opens the file. Nor does printing at 90 %: LibreOffice then fails to
 * convert an operator's workbook to PDF ("Unspecified Application Error").
 */
export const TITLE_WIDTH = 57;

export const SHEET = {
  summary: 'Summary',
  findings: 'Findings',
  occurrences: 'Occurrences',
  counted: 'Counted',
  removed: 'Removed',
  controls: 'Controls',
  routes: 'Routes',
  carriers: 'Carriers',
  agreements: 'Agreements',
  waivers: 'Waivers',
  evidence: 'Evidence',
  errors: 'Errors',
} as const;

/**
 * The Findings columns: the Findings sheet and findings.csv share them. One row per finding, that is per
 * cause (issue 15): Occurrences counts the subjects that share it, and Subject, File, Line and Column are
 * those of the first of them (each is a row of the Occurrences sheet and of occurrences.csv).
 */
export const FINDING_COLUMNS: readonly Column[] = [
  { header: 'Control', width: 13, format: 'link' },
  { header: 'Family', width: 8 },
  { header: 'Title', width: TITLE_WIDTH },
  { header: 'Severity', width: 10, format: 'severity' },
  { header: 'Status', width: 15, format: 'status' },
  { header: 'Operator', width: 13 },
  { header: 'Occurrences', width: 12, format: 'number' },
  { header: 'Subject', width: 40 },
  { header: 'File', width: 36 },
  { header: 'Line', width: 7, format: 'number' },
  { header: 'Column', width: 8, format: 'number' },
  { header: 'Message', width: 100 },
  { header: 'Remediation', width: 60 },
  { header: 'Waiver', width: 12 },
  { header: 'Waiver status', width: 14 },
  { header: 'Waiver expires', width: 14, format: 'date' },
  { header: 'Fingerprint', width: 34 },
];

/** Appended to the Findings columns when the run was compared with a previous one (--baseline). */
export const BASELINE_COLUMNS: readonly Column[] = [
  { header: 'Change since baseline', width: 12 },
  { header: 'Previous status', width: 15, format: 'status' },
];

/** The Findings columns of a run: with the baseline columns when it has a baseline. */
export function findingColumns(withBaseline: boolean): Column[] {
  return withBaseline ? [...FINDING_COLUMNS, ...BASELINE_COLUMNS] : [...FINDING_COLUMNS];
}

/** Where a control's row is on the Controls sheet (header on row 1), for the links from Findings. */
export function controlRows(scope: Pick<WorkbookScope, 'controls'>): Map<string, number> {
  return new Map(scope.controls.map((c, i) => [c.id, i + 2]));
}

/** One finding as the cells of a Findings row. A control that has a row on Controls links to it. */
export function findingCells(f: Finding, controlRow: ReadonlyMap<string, number>, withBaseline = false): Cell[] {
  const cells = [
    controlCell(f.control, controlRow),
    f.family,
    f.title,
    f.severity,
    f.status,
    f.operator,
    f.occurrences.length,
    f.subject,
    f.location.file,
    f.location.line,
    f.location.column,
    f.message,
    textCell(f.remediation),
    f.waiver?.id ?? null,
    f.waiver?.status ?? null,
    dateCell(f.waiver?.expires),
    f.fingerprint,
  ];
  if (withBaseline) cells.push(f.baseline?.state ?? null, f.baseline?.previousStatus ?? null);
  return cells;
}

/** A control id, linked to its row on Controls when it has one (ICX-ENGINE has none). */
export function controlCell(control: string, controlRow: ReadonlyMap<string, number>): Cell {
  const row = controlRow.get(control);
  return row === undefined ? control : { text: control, target: `${SHEET.controls}!A${row}` };
}

export function findingsTable(scope: WorkbookScope): Table {
  const controlRow = controlRows(scope);
  const withBaseline = scope.baseline !== null;
  return {
    name: SHEET.findings,
    columns: findingColumns(withBaseline),
    rows: map(scope.findings, (f) => findingCells(f, controlRow, withBaseline)),
  };
}

/**
 * The Occurrences columns, shared by the Occurrences sheet and occurrences.csv: one row per subject of a
 * finding. Finding is the finding's fingerprint (its Fingerprint on Findings, a link to that row in the
 * workbook); Evidence the evidence the control keeps per occurrence, as JSON; Fingerprint the occurrence's
 * own, which --baseline compares.
 */
export const OCCURRENCE_COLUMNS: readonly Column[] = [
  { header: 'Finding', width: 34, format: 'link' },
  { header: 'Control', width: 13, format: 'link' },
  { header: 'Operator', width: 13 },
  { header: 'Status', width: 15, format: 'status' },
  { header: 'Subject', width: 40 },
  { header: 'File', width: 36 },
  { header: 'Line', width: 7, format: 'number' },
  { header: 'Column', width: 8, format: 'number' },
  { header: 'Evidence', width: 60 },
  { header: 'Fingerprint', width: 34 },
];

/** The Occurrences columns of a run: with the baseline columns (per occurrence) when it has a baseline. */
export function occurrenceColumns(withBaseline: boolean): Column[] {
  return withBaseline ? [...OCCURRENCE_COLUMNS, ...BASELINE_COLUMNS] : [...OCCURRENCE_COLUMNS];
}

/**
 * Where the n-th finding (0-based) is on the Findings sheet, which continues on "Findings (2)" … past
 * `rowsPerSheet` rows: `'Findings (2)'!A5`.
 */
export function findingTarget(index: number, rowsPerSheet: number): string {
  const part = Math.floor(index / rowsPerSheet) + 1;
  const sheet = partName(SHEET.findings, part);
  return `${part === 1 ? sheet : `'${sheet}'`}!A${(index % rowsPerSheet) + 2}`;
}

/** Per-occurrence evidence as one JSON cell, blank when the control keeps none. */
export function evidenceCell(evidence: Record<string, unknown> | undefined): string | null {
  return evidence && Object.keys(evidence).length > 0 ? JSON.stringify(evidence) : null;
}

/**
 * Every occurrence of every finding, in the findings' order, as the cells of an Occurrences row. The
 * Finding cell links to the finding's row on Findings (`rowsPerSheet`: the rows of a Findings sheet).
 */
export function occurrenceRows(
  findings: readonly Finding[],
  controlRow: ReadonlyMap<string, number>,
  withBaseline: boolean,
  rowsPerSheet: number = MAX_DATA_ROWS_PER_SHEET,
): Iterable<Cell[]> {
  return {
    *[Symbol.iterator]() {
      for (let i = 0; i < findings.length; i++) {
        const shared = occurrenceFindingCells(findings[i], i, controlRow, rowsPerSheet);
        for (const o of findings[i].occurrences) yield [...shared, ...occurrenceOwnCells(o, withBaseline)];
      }
    },
  };
}

/**
 * The Occurrences cells an occurrence takes from its finding, the n-th: Finding (a link to its row on
 * Findings), Control, Operator, Status.
 */
export function occurrenceFindingCells(
  finding: Finding,
  index: number,
  controlRow: ReadonlyMap<string, number>,
  rowsPerSheet: number,
): Cell[] {
  return [
    { text: finding.fingerprint, target: findingTarget(index, rowsPerSheet) },
    controlCell(finding.control, controlRow),
    finding.operator,
    finding.status,
  ];
}

/** An occurrence's own Occurrences cells: Subject to Fingerprint, then with --baseline its change and previous status. */
export function occurrenceOwnCells(o: Occurrence, withBaseline: boolean): Cell[] {
  const cells: Cell[] = [
    o.subject,
    o.location.file,
    o.location.line,
    o.location.column,
    evidenceCell(o.evidence),
    o.fingerprint,
  ];
  if (withBaseline) cells.push(o.baseline?.state ?? null, o.baseline?.previousStatus ?? null);
  return cells;
}

/**
 * Above this many occurrences a workbook does not repeat occurrences.csv when the run wrote it: at national
 * scale the Occurrences sheet was most of the workbook's rows and of its writing time (issue 15: 585,000
 * rows of 785,000 at 200,000 routes). The sheet then says where the rows are; Findings keeps every cause.
 */
export const WORKBOOK_OCCURRENCE_ROWS = 100_000;

/** A sheet of one sentence saying that its rows are in a CSV file beside the workbook, and how many. */
function csvPointer(
  scope: WorkbookScope,
  name: string,
  what: { noun: string; rows: string; csv: string; limit: number; after: string },
): Table {
  const filter = scope.operator === null ? '' : ` (its rows with Operator ${scope.operator})`;
  return {
    name,
    columns: [{ header: `Where the ${what.noun} are`, width: 120 }],
    rows: [
      [
        `${what.rows} are in ${what.csv}${filter}, with the columns this sheet would have: a workbook repeats them only up to ${countText(what.limit)}.${what.after}`,
      ],
    ],
  };
}

export function occurrencesTable(scope: WorkbookScope, rowsPerSheet: number = MAX_DATA_ROWS_PER_SHEET): Table {
  const withBaseline = scope.baseline !== null;
  const total = scope.findings.reduce((n, f) => n + f.occurrences.length, 0);
  if (total > WORKBOOK_OCCURRENCE_ROWS && scope.occurrencesCsv !== null)
    return csvPointer(scope, SHEET.occurrences, {
      noun: 'occurrences',
      rows: `${countText(total)} occurrences (one row per subject)`,
      csv: scope.occurrencesCsv,
      limit: WORKBOOK_OCCURRENCE_ROWS,
      after: ' Findings lists every cause with its occurrence count.',
    });
  return {
    name: SHEET.occurrences,
    columns: occurrenceColumns(withBaseline),
    rows: occurrenceRows(scope.findings, controlRows(scope), withBaseline, rowsPerSheet),
  };
}

/** Passing and not-applicable route findings that large tables count instead of list. */
export function countedTable(scope: WorkbookScope): Table {
  const controlRow = controlRows(scope);
  const columns: Column[] = [
    { header: 'Operator', width: 13 },
    { header: 'Control', width: 13, format: 'link' },
    { header: 'Status', width: 15, format: 'status' },
    { header: 'Count', width: 9, format: 'number' },
    { header: 'Examples', width: 100 },
  ];
  const rows = map(scope.summarised, (s): Cell[] => [
    s.operator,
    controlCell(s.control, controlRow),
    s.status,
    s.count,
    listCell(s.examples),
  ]);
  return { name: SHEET.counted, columns, rows };
}

/** With --baseline: previous problems whose subject is gone from this run. */
export function removedTable(baseline: NonNullable<WorkbookScope['baseline']>, scope: WorkbookScope): Table {
  const controlRow = controlRows(scope);
  const columns: Column[] = [
    { header: 'Operator', width: 13 },
    { header: 'Control', width: 13, format: 'link' },
    { header: 'Title', width: TITLE_WIDTH },
    { header: 'Severity', width: 10, format: 'severity' },
    { header: 'Subject', width: 40 },
    { header: 'Previous status', width: 15, format: 'status' },
    { header: 'Fingerprint', width: 34 },
  ];
  const rows = map(baseline.removed, (r): Cell[] => [
    r.operator,
    controlCell(r.control, controlRow),
    r.title,
    r.severity,
    r.subject,
    r.previousStatus,
    r.fingerprint,
  ]);
  return { name: SHEET.removed, columns, rows };
}

/**
 * Controls: requirement, references, parameters in force, how many findings of each status, then the
 * coverage matrix: one column per operator holding that operator's most pressing status for the control.
 */
export function controlsTable(scope: WorkbookScope): Table {
  // The scope's control outcomes (counts per subject, counted findings included) and each operator's.
  const counts = new Map(scope.controlViews.map((v) => [v.control.id, v.counts]));
  const coverage = new Map(
    scope.coverage.map((o) => [o.operator, new Map(o.controls.map((v) => [v.control.id, v.result]))]),
  );
  const operators = scope.operators.map((o) => o.id);
  const columns: Column[] = [
    { header: 'Control', width: 13 },
    { header: 'Family', width: 8 },
    { header: 'Title', width: TITLE_WIDTH },
    { header: 'Severity', width: 10, format: 'severity' },
    { header: 'Requirement', width: 70 },
    { header: 'References', width: 50 },
    { header: 'Parameters in force', width: 50 },
    ...STATUSES.map((s): Column => ({ header: s, width: Math.max(6, s.length + 2), format: 'number' })),
    { header: 'total', width: 7, format: 'number' },
    ...operators.map((id): Column => ({ header: id, width: Math.max(14, id.length + 2), format: 'status' })),
  ];
  const rows = map(scope.controls, (control): Cell[] => {
    const c = counts.get(control.id);
    return [
      control.id,
      control.family,
      control.title,
      control.severity,
      control.requirement,
      referencesText(control.references),
      parametersText(control.parameters),
      ...STATUSES.map((s) => c?.[s] ?? 0),
      STATUSES.reduce((sum, s) => sum + (c?.[s] ?? 0), 0),
      ...operators.map((id) => {
        const result = coverage.get(id)?.get(control.id) ?? 'none';
        return result === 'none' ? null : result;
      }),
    ];
  });
  return { name: SHEET.controls, columns, rows };
}

/** A hop as text an analyst can read in one cell: `ctg (high-risk; controller sasac)`. */
export function hopText(hop: InventoryHop): string {
  const risk = hop.highRisk ? (hop.unavoidable ? 'high-risk, unavoidable; ' : 'high-risk; ') : '';
  return `${hop.carrier} (${risk}controller ${hop.controller || 'unresolved'})`;
}

/** The Routes columns, shared by the Routes sheet and routes.csv: one row per route of every table. */
export const ROUTE_COLUMNS: readonly Column[] = [
  { header: 'Operator', width: 13 },
  { header: 'Table', width: 20 },
  { header: 'Route', width: 10 },
  { header: 'Protocol', width: 9 },
  { header: 'Status', width: 9 },
  { header: 'Match', width: 36 },
  { header: 'Dest. country', width: 8 },
  { header: 'Dest. PLMN', width: 10 },
  { header: 'Traffic share %', width: 9, format: 'number' },
  { header: 'Encryption', width: 10 },
  { header: 'Firewall', width: 14 },
  { header: 'Primary', width: 16 },
  { header: 'Primary high-risk', width: 9, format: 'risk' },
  { header: 'Primary controller', width: 40 },
  { header: 'Backups', width: 44 },
  { header: 'Transit', width: 44 },
  { header: 'High-risk hops', width: 9, format: 'number' },
  { header: 'Avoidable high-risk hops', width: 11, format: 'number' },
  { header: 'Failed controls', width: 28 },
  { header: 'File', width: 36 },
  { header: 'Line', width: 7, format: 'number' },
];

/** Each route's cells, in inventory order, with the controls it fails (the presentation's lookup). */
export function routeRows(routes: readonly InventoryRoute[], failed: FailedControls): Iterable<Cell[]> {
  return map(routes, (route): Cell[] => routeCells(route, failed(route.operator, route.ref)));
}

/**
 * Above this many routes a workbook does not repeat routes.csv when the run wrote it: at 200,000 routes
 * the two Routes sheets (the run's and the operator's workbook) were most of 34 s of writing.
 */
export const WORKBOOK_ROUTE_ROWS = 100_000;

export function routesTable(scope: WorkbookScope): Table {
  if (scope.routes.length > WORKBOOK_ROUTE_ROWS && scope.routesCsv !== null)
    return csvPointer(scope, SHEET.routes, {
      noun: 'routes',
      rows: `${countText(scope.routes.length)} routes`,
      csv: scope.routesCsv,
      limit: WORKBOOK_ROUTE_ROWS,
      after: '',
    });
  return { name: SHEET.routes, columns: [...ROUTE_COLUMNS], rows: routeRows(scope.routes, scope.failedControls) };
}

export function routeCells(route: InventoryRoute, failedControls: readonly string[]): Cell[] {
  return [
    ...routeOwnCells(route),
    ...hopCells(route.hops),
    failedControlsCell(failedControls),
    route.location.file,
    route.location.line,
  ];
}

/** A route's cells before its hops: Operator to Firewall. */
export function routeOwnCells(route: InventoryRoute): Cell[] {
  return [
    route.operator,
    route.table,
    route.id,
    route.protocol,
    route.status,
    textCell(route.match),
    textCell(route.destination.country),
    textCell(route.destination.plmn),
    route.trafficShare,
    textCell(route.encryption),
    textCell(route.firewall),
  ];
}

/**
 * The cells a route's hops give, Primary to Avoidable high-risk hops. Routes of one shape share their
 * hop list (src/enrich/inventory.ts), so these are the same for all of them.
 */
export function hopCells(hops: readonly InventoryHop[]): Cell[] {
  const primary = hops.find((h) => h.role === 'primary');
  const backups = hops.filter((h) => h.role === 'backup');
  const transit = hops.filter((h) => h.role === 'transit');
  const highRisk = hops.filter((h) => h.highRisk);
  return [
    primary?.carrier ?? null,
    primary ? primary.highRisk : null,
    primary ? textCell(primary.controllerName || primary.controller) : null,
    listCell(backups.map(hopText)),
    listCell(transit.map(hopText)),
    highRisk.length,
    highRisk.filter((h) => !h.unavoidable).length,
  ];
}

/** The Failed controls cell: the controls a route fails, sorted. */
export function failedControlsCell(failedControls: readonly string[]): Cell {
  return listCell([...failedControls].sort());
}

export function carriersTable(scope: WorkbookScope): Table {
  const columns: Column[] = [
    { header: 'Carrier', width: 16 },
    { header: 'Name', width: 40 },
    { header: 'Roles', width: 30 },
    { header: 'Incorporated', width: 8 },
    { header: 'Headquarters', width: 8 },
    { header: 'Ultimate controller', width: 18 },
    { header: 'Controller name', width: 44 },
    { header: 'Controller type', width: 16 },
    { header: 'Controller country', width: 9 },
    { header: 'State-controlled', width: 9, format: 'risk' },
    { header: 'Ownership resolved', width: 10, format: 'boolean' },
    { header: 'Ownership chain', width: 100 },
    { header: 'High-risk', width: 9, format: 'risk' },
    { header: 'Risk reasons', width: 60 },
    { header: 'Listings', width: 22 },
    { header: 'Used by', width: 24 },
    { header: 'File', width: 32 },
    { header: 'Line', width: 7, format: 'number' },
  ];
  const rows = map(scope.carriers, (c): Cell[] => [
    c.id,
    textCell(c.name),
    listCell(c.roles),
    textCell(c.incorporatedIn),
    textCell(c.headquarters),
    textCell(c.controller.id),
    textCell(c.controller.name),
    textCell(c.controller.type),
    textCell(c.controller.country),
    c.stateControlled,
    c.ownershipResolved,
    textCell(c.chainText),
    c.highRisk,
    c.riskReasons.length > 0 ? c.riskReasons.join('; ') : null,
    listCell(c.listings),
    listCell(scope.operator === null ? c.usedBy : c.usedBy.filter((id) => id === scope.operator)),
    c.location.file,
    c.location.line,
  ]);
  return { name: SHEET.carriers, columns, rows };
}

export function agreementsTable(scope: WorkbookScope): Table {
  const columns: Column[] = [
    { header: 'Operator', width: 13 },
    { header: 'Agreement', width: 24 },
    { header: 'Counterparty', width: 16 },
    { header: 'Services', width: 60 },
    { header: 'Signed', width: 12, format: 'date' },
    { header: 'Expires', width: 12, format: 'date' },
    { header: 'Current', width: 9, format: 'boolean' },
    { header: 'File', width: 36 },
    { header: 'Line', width: 7, format: 'number' },
  ];
  const rows = map(scope.agreements, (a): Cell[] => [
    a.operator,
    a.id,
    a.counterparty,
    listCell(a.services),
    dateCell(a.signed),
    dateCell(a.expires),
    a.current,
    a.location.file,
    a.location.line,
  ]);
  return { name: SHEET.agreements, columns, rows };
}

export function waiversTable(scope: WorkbookScope): Table {
  const columns: Column[] = [
    { header: 'Operator', width: 13 },
    { header: 'Waiver', width: 12 },
    { header: 'Control', width: 13 },
    { header: 'Status', width: 12 },
    { header: 'Expires', width: 12, format: 'date' },
    { header: 'Targets', width: 44 },
    { header: 'Matched', width: 44 },
    { header: 'Justification', width: 60 },
    { header: 'Approved by', width: 30 },
    { header: 'Ticket', width: 12 },
    { header: 'Compensating controls', width: 24 },
    { header: 'Message', width: 80 },
    { header: 'File', width: 32 },
    { header: 'Line', width: 7, format: 'number' },
  ];
  const rows = map(scope.waivers, (w): Cell[] => [
    w.operator,
    w.id,
    w.control,
    w.status,
    dateCell(w.expires),
    listCell(w.targets),
    listCell(w.matched),
    textCell(w.justification),
    textCell(w.approvedBy),
    textCell(w.ticket),
    listCell(w.compensatingControls),
    textCell(w.message),
    w.location.file,
    w.location.line,
  ]);
  return { name: SHEET.waivers, columns, rows };
}

export function evidenceTable(scope: WorkbookScope): Table {
  const columns: Column[] = [
    { header: 'File', width: 44 },
    { header: 'SHA-256', width: 68 },
    { header: 'Bytes', width: 10, format: 'number' },
    { header: 'Shipped with ixaudit', width: 10, format: 'boolean' },
  ];
  const rows = map(scope.inputs, (i): Cell[] => [i.file, i.sha256, i.bytes, i.builtin]);
  return { name: SHEET.evidence, columns, rows };
}

export function errorsTable(errors: WorkbookScope['errors'] & object): Table {
  const columns: Column[] = [
    { header: 'File', width: 44 },
    { header: 'Line', width: 7, format: 'number' },
    { header: 'Column', width: 8, format: 'number' },
    { header: 'Code', width: 14 },
    { header: 'Message', width: 100 },
  ];
  const rows = map(errors, (e): Cell[] => [e.file, e.line, e.column, e.code, e.message]);
  return { name: SHEET.errors, columns, rows };
}

/**
 * The tables after Summary, in sheet order: Findings, Occurrences, Counted (only when a large table's
 * passing findings were counted), Removed (only with --baseline), Controls, Routes, Carriers, Agreements,
 * Waivers, Evidence, Errors (run-wide only). `rowsPerSheet`: where the writer continues a table on its
 * next sheet, so that Occurrences links to the right Findings part.
 */
export function workbookTables(scope: WorkbookScope, rowsPerSheet: number = MAX_DATA_ROWS_PER_SHEET): Table[] {
  const tables = [findingsTable(scope), occurrencesTable(scope, rowsPerSheet)];
  if (scope.summarised.length > 0) tables.push(countedTable(scope));
  if (scope.baseline !== null) tables.push(removedTable(scope.baseline, scope));
  tables.push(
    controlsTable(scope),
    routesTable(scope),
    carriersTable(scope),
    agreementsTable(scope),
    waiversTable(scope),
    evidenceTable(scope),
  );
  if (scope.errors !== null) tables.push(errorsTable(scope.errors));
  return tables;
}

/** A lazy map, re-iterable (each iteration walks the source again). */
function map<T, U>(items: readonly T[], fn: (item: T) => U): Iterable<U> {
  return {
    *[Symbol.iterator]() {
      for (const item of items) yield fn(item);
    },
  };
}
