import { join } from 'node:path';
import { writeChunksAtomic } from '../write-atomic.js';
import { fileProgress } from '../progress.js';
import type { AuditReport } from '../../model/report.js';
import { OCCURRENCES_CSV_NAME, ROUTES_CSV_NAME } from '../paths.js';
import type { Reporter } from '../types.js';
import type { Presentation } from '../view/index.js';
import type { Finding } from '../../model/finding.js';
import type { InventoryHop, InventoryRoute } from '../../model/report.js';
import type { FailedControls } from '../view/operator.js';
import { MAX_DATA_ROWS_PER_SHEET, textCell, type Cell } from '../xlsx/cells.js';
import {
  controlRows,
  evidenceCell,
  failedControlsCell,
  findingCells,
  findingColumns,
  hopCells,
  occurrenceColumns,
  occurrenceFindingCells,
  occurrenceRows,
  ROUTE_COLUMNS,
  routeRows,
} from '../xlsx/tables.js';

export const CSV_NAME = 'findings.csv';

/**
 * A byte-order mark first: Excel opens a UTF-8 CSV without one as the local ANSI code page and turns
 * さくらモバイル into mojibake. Most CSV readers skip it (Python needs encoding='utf-8-sig').
 */
export const BOM = '\uFEFF';

/** What makes a spreadsheet read a cell as a formula: = + - @, or a leading tab/CR (OWASP's list). */
const FORMULA_START = /^[=+\-@\t\r]/;
/**
 * A separator (`,` or `;`: Excel in a semicolon locale, e.g. de-DE or fr-FR, splits on `;`), optional
 * spaces, then a formula start. A reader that splits without honouring quotes would make what follows
 * a cell of its own, and that cell a formula: `…!A0;=2+2`.
 */
const FORMULA_AFTER_SEPARATOR = /([,;] *)(?=[=+\-@\t\r])/g;

/**
 * A field as text. Dates are YYYY-MM-DD, booleans true/false, links their text. A text that starts with
 * = + - @ or a tab/CR would run as a formula when Excel opens the file (CSV injection, and the inputs
 * come from third parties), so it gets a leading apostrophe, as OWASP recommends; so does each part of
 * it that starts after a `,` or `;`, in case it is split there (csvField also quotes the whole field).
 * Ordinary values, with no formula start at the beginning or after a separator, are unchanged.
 */
export function fieldText(cell: Cell): string {
  if (typeof cell === 'string') return formulaSafe(cell);
  if (cell === null) return '';
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  return formulaSafe(cell.text);
}

/** Text with an apostrophe before each formula start (see fieldText). */
function formulaSafe(raw: string): string {
  // Most cells hold no separator: the replace is skipped (millions of cells at national scale).
  const text = raw.includes(',') || raw.includes(';') ? raw.replace(FORMULA_AFTER_SEPARATOR, "$1'") : raw;
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/**
 * RFC 4180: a field holding a comma, quote, CR or LF is quoted, with quotes doubled. So is one holding
 * a semicolon, the separator of semicolon locales, so that Excel there reads it as one field too
 * (quoting a field is always valid RFC 4180).
 */
export function csvField(text: string): string {
  return /[",;\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A field that must be quoted, or may hold a separator that formulaSafe has to look behind. */
const QUOTED_OR_SEPARATED = /[",;\r\n]/;

/**
 * `csvField(fieldText(cell))`, with the common cases first: at national scale a CSV has some 50 million
 * cells (issue 15), and most are plain text or numbers. A text without `"`, `,`, `;`, CR or LF is never
 * quoted and has no separator a formula could follow, so only its first character can need the
 * apostrophe; a number's text has none of them. A property test holds this equal to the general path.
 */
export function csvCell(cell: Cell): string {
  if (typeof cell === 'string') {
    if (QUOTED_OR_SEPARATED.test(cell)) return csvField(formulaSafe(cell));
    return FORMULA_START.test(cell) ? `'${cell}` : cell;
  }
  if (typeof cell === 'number') return String(cell);
  return csvField(fieldText(cell));
}

/** One record, CRLF-terminated as RFC 4180 says. */
export function csvRecord(cells: readonly Cell[]): string {
  return `${csvFields(cells)}\r\n`;
}

/**
 * findings.csv: the header and one record per finding — one cause, with its number of occurrences and
 * its first occurrence's subject and location — lazily, in the run's finding order (with the baseline
 * columns after a --baseline run).
 */
export function* findingsCsv(report: AuditReport): Generator<string> {
  const withBaseline = report.result.baseline !== undefined;
  yield BOM + csvRecord(findingColumns(withBaseline).map((c) => c.header));
  const rows = controlRows(report.result);
  for (const finding of report.result.findings) yield csvRecord(findingCells(finding, rows, withBaseline));
}

/**
 * Internal switch, not a user option (as directRows is for workbooks): with `enabled`, occurrences.csv and
 * routes.csv are written as text record by record, with what records share escaped once — a finding's
 * own cells for each of its occurrences, a shape's hop cells for each of its routes. With it off, every
 * record goes through the table cells the workbooks also use (occurrenceRows, routeRows) and csvRecord.
 * At a million routes these two files are some 50 million cells (issue 15). The files are the same byte
 * for byte either way (test/csv-direct.test.ts); the bench turns it off with IXAUDIT_BENCH_NO_DIRECT_CSV=1.
 */
export const directCsv = { enabled: true };

/**
 * occurrences.csv: the header and one record per occurrence of every finding, in the run's finding order.
 * Its first column, Finding, is the finding's fingerprint: the Fingerprint column of findings.csv.
 */
export function* occurrencesCsv(report: AuditReport): Generator<string> {
  const withBaseline = report.result.baseline !== undefined;
  yield BOM + csvRecord(occurrenceColumns(withBaseline).map((c) => c.header));
  const rows = controlRows(report.result);
  if (directCsv.enabled) {
    yield* occurrenceRecords(report.result.findings, rows, withBaseline);
    return;
  }
  for (const cells of occurrenceRows(report.result.findings, rows, withBaseline)) yield csvRecord(cells);
}

/**
 * csvRecord of each of occurrenceRows's rows, the finding's cells escaped once for all its occurrences.
 * Each record is its own chunk: joined into larger strings first, they cost more to flatten when written
 * than the calls they saved. An occurrence's own fields are those of occurrenceOwnCells, written out
 * without the list of cells (three million of them at a million routes), its file escaped once a run.
 */
function* occurrenceRecords(
  findings: readonly Finding[],
  controlRow: ReadonlyMap<string, number>,
  withBaseline: boolean,
): Generator<string> {
  let file: string | undefined;
  let fileField = '';
  for (let i = 0; i < findings.length; i++) {
    const shared = csvFields(occurrenceFindingCells(findings[i], i, controlRow, MAX_DATA_ROWS_PER_SHEET));
    for (const o of findings[i].occurrences) {
      const { location } = o;
      if (location.file !== file) {
        file = location.file;
        fileField = csvCell(file);
      }
      const evidence = o.evidence === undefined ? '' : csvCell(evidenceCell(o.evidence));
      const record = `${shared},${csvCell(o.subject)},${fileField},${location.line},${location.column},${evidence},${csvCell(o.fingerprint)}`;
      yield withBaseline
        ? `${record},${csvCell(o.baseline?.state ?? null)},${csvCell(o.baseline?.previousStatus ?? null)}\r\n`
        : `${record}\r\n`;
    }
  }
}

/** routes.csv: the header and one record per route, in inventory order, with the controls each fails. */
export function* routesCsv(presentation: Presentation): Generator<string> {
  yield BOM + csvRecord(ROUTE_COLUMNS.map((c) => c.header));
  const { routes } = presentation.report.inventory;
  if (directCsv.enabled) {
    yield* routeRecords(routes, presentation.failedControls);
    return;
  }
  for (const cells of routeRows(routes, presentation.failedControls)) yield csvRecord(cells);
}

/**
 * csvRecord of each of routeRows's rows: the hop cells escaped once per shared hop list, the failed
 * controls once per list (failedControls gives equal lists as one array), the operator and table once per
 * run of them, and the route's own fields those of routeOwnCells, written out without the list of cells.
 */
function* routeRecords(routes: readonly InventoryRoute[], failed: FailedControls): Generator<string> {
  const hopFields = new Map<readonly InventoryHop[], string>();
  const failedFields = new Map<readonly string[], string>();
  let file: string | undefined;
  let fileField = '';
  let operator: string | undefined;
  let table: string | undefined;
  let tableFields = '';
  for (const route of routes) {
    let hops = hopFields.get(route.hops);
    if (hops === undefined) hopFields.set(route.hops, (hops = csvFields(hopCells(route.hops))));
    const controls = failed(route.operator, route.ref);
    let failedField = failedFields.get(controls);
    if (failedField === undefined) failedFields.set(controls, (failedField = csvCell(failedControlsCell(controls))));
    if (route.location.file !== file) {
      file = route.location.file;
      fileField = csvCell(file);
    }
    if (route.operator !== operator || route.table !== table) {
      operator = route.operator;
      table = route.table;
      tableFields = `${csvCell(operator)},${csvCell(table)}`;
    }
    const { destination } = route;
    yield `${tableFields},${csvCell(route.id)},${csvCell(route.protocol)},${csvCell(route.status)},${csvCell(textCell(route.match))},${csvCell(textCell(destination.country))},${csvCell(textCell(destination.plmn))},${csvCell(route.trafficShare)},${csvCell(textCell(route.encryption))},${csvCell(textCell(route.firewall))},${hops},${failedField},${fileField},${route.location.line}\r\n`;
  }
}

/** Cells as the fields of part of a record, comma-separated (csvRecord without the line end). */
function csvFields(cells: readonly Cell[]): string {
  let fields = '';
  for (let i = 0; i < cells.length; i++) fields += i === 0 ? csvCell(cells[i]) : `,${csvCell(cells[i])}`;
  return fields;
}

export const csvReporter: Reporter = {
  name: 'csv',
  async write(presentation, outDir, options) {
    const { report } = presentation;
    const progress = (path: string) => fileProgress(options, outDir, path, 'bytes');
    const findings = join(outDir, CSV_NAME);
    writeChunksAtomic(findings, findingsCsv(report), progress(findings));
    const occurrences = join(outDir, OCCURRENCES_CSV_NAME);
    writeChunksAtomic(occurrences, occurrencesCsv(report), progress(occurrences));
    const routes = join(outDir, ROUTES_CSV_NAME);
    presentation.matchFailedControls(fileProgress(options, outDir, routes, 'occurrences'));
    writeChunksAtomic(routes, routesCsv(presentation), progress(routes));
    return [findings, occurrences, routes];
  },
};
