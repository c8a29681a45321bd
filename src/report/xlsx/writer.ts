import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Severity, Status } from '../../model/types.js';
import {
  clampText,
  columnLetter,
  EXCEL_MAX_ROWS,
  isLink,
  MAX_DATA_ROWS_PER_SHEET,
  partName,
  type Cell,
} from './cells.js';
import { directRowWriter } from './row-xml.js';
import type { SummaryBlock } from './summary.js';
import type { Column, ColumnFormat, Table } from './tables.js';
import { stampZipEntries } from './zip-times.js';
import { xmlText } from '../../model/text.js';

type WorkbookWriter = InstanceType<typeof ExcelJS.stream.xlsx.WorkbookWriter>;
type Worksheet = ExcelJS.Worksheet;

export interface WorkbookModel {
  /** The audit date: the workbook's created/modified time and every zip entry's time. */
  day: Date;
  summary: SummaryBlock[];
  tables: Table[];
}

export interface WriteLimits {
  /** Data rows per sheet before the table continues on "Name (2)"; Excel stops at 1,048,576 rows. */
  maxRowsPerSheet: number;
  /** Rows between checks of how much written XML still waits for the zip. */
  rowsPerPause: number;
  /** How much may wait before writing pauses until the compressor catches up: this bounds memory. */
  maxBacklogBytes: number;
}

export { EXCEL_MAX_ROWS, partName };
export const DEFAULT_LIMITS: WriteLimits = {
  maxRowsPerSheet: MAX_DATA_ROWS_PER_SHEET,
  rowsPerPause: 200,
  maxBacklogBytes: 8 << 20,
};

/**
 * Bytes of sheet XML not yet compressed. exceljs's sheet stream hands data to the zip without heeding
 * backpressure, so rows added faster than zlib compresses pile up in memory (RSS grew with the table
 * before this check). It reads exceljs 4.4 internals — the sheet's StreamBuf buffers and the writable
 * side of the stream the zip reads it through — and counts 0 if they ever change shape, which only
 * loses the bound, never output.
 */
/**
 * exceljs's sheet writer remembers every formula cell it has written (in case a later cell shares the
 * formula), which for a link on every Findings row grew the heap by ~250 bytes a row for the whole
 * sheet. No cell here shares a formula, so the record is dropped at each pause. Reads an exceljs 4.4
 * internal (`_formulae`, passed afresh to every row it writes) and does nothing if it is not there.
 */
function forgetFormulae(sheet: Worksheet): void {
  const internals = sheet as unknown as { _formulae?: unknown };
  if (internals._formulae !== null && typeof internals._formulae === 'object') internals._formulae = {};
}

interface PipeTarget {
  writableLength?: number;
  _writableState?: { length?: number };
}

function backlogBytes(sheet: Worksheet): number {
  const stream = (sheet as unknown as { stream?: { buffers?: Array<{ length?: number }>; pipes?: PipeTarget[] } })
    .stream;
  let bytes = 0;
  for (const buffer of stream?.buffers ?? []) bytes += typeof buffer.length === 'number' ? buffer.length : 0;
  for (const pipe of stream?.pipes ?? []) {
    // archiver wraps the sheet stream in a readable-stream 2.x PassThrough, which predates writableLength.
    const pending = pipe.writableLength ?? pipe._writableState?.length;
    bytes += typeof pending === 'number' ? pending : 0;
  }
  return bytes;
}

/** Colours as Excel's own "good / bad / neutral" cell styles use them, so they read as familiar. */
const SEVERITY_COLOURS: Record<Severity, { fill: string; font: string }> = {
  critical: { fill: 'FFC00000', font: 'FFFFFFFF' },
  high: { fill: 'FFF8CBAD', font: 'FF833C0B' },
  medium: { fill: 'FFFFE699', font: 'FF7F6000' },
  low: { fill: 'FFDDEBF7', font: 'FF1F4E78' },
  info: { fill: 'FFEDEDED', font: 'FF404040' },
};
const STATUS_COLOURS: Record<Status, { fill: string; font: string }> = {
  fail: { fill: 'FFFFC7CE', font: 'FF9C0006' },
  error: { fill: 'FFE4C1F9', font: 'FF5B0E86' },
  'not-evidenced': { fill: 'FFFFEB9C', font: 'FF9C5700' },
  waived: { fill: 'FFDDEBF7', font: 'FF1F4E78' },
  pass: { fill: 'FFC6EFCE', font: 'FF006100' },
  'not-applicable': { fill: 'FFF2F2F2', font: 'FF7F7F7F' },
};
const RISK_COLOUR = { fill: 'FFFFC7CE', font: 'FF9C0006' };

/** exceljs replaces a cell's whole font when one is set, so every font names the body font too. */
const BODY_FONT: Partial<ExcelJS.Font> = { name: 'Calibri', size: 11 };

const HEADER_STYLE: Partial<ExcelJS.Style> = {
  font: { ...BODY_FONT, bold: true, color: { argb: 'FF1F1F1F' } },
  fill: { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } },
  alignment: { vertical: 'top', wrapText: true },
  border: { bottom: { style: 'thin', color: { argb: 'FF8EA9DB' } } },
};
const HEADER_STYLE_RIGHT: Partial<ExcelJS.Style> = {
  ...HEADER_STYLE,
  alignment: { ...HEADER_STYLE.alignment, horizontal: 'right' },
};
const HEADER_HEIGHT = 30;
/**
 * Printed (or converted to PDF): landscape A4. Tables print at full size, pages running across then
 * down with the header repeated (fitted to one page wide, a 16-column table would be unreadably small);
 * the Summary is fitted to one page wide.
 */
const PAGE_SETUP: Partial<ExcelJS.PageSetup> = { orientation: 'landscape', paperSize: 9 };
const SUMMARY_PAGE_SETUP: Partial<ExcelJS.PageSetup> = {
  ...PAGE_SETUP,
  fitToPage: true,
  fitToWidth: 1,
  fitToHeight: 0,
};

/** Column-wide styles: cells inherit them, so each row costs no style lookups. */
function columnStyle(format: ColumnFormat | undefined): Partial<ExcelJS.Style> | undefined {
  switch (format) {
    case 'date':
      return { numFmt: 'yyyy-mm-dd', alignment: { horizontal: 'left' } };
    case 'link':
      return { font: { ...BODY_FONT, color: { argb: 'FF0563C1' }, underline: true } };
    default:
      return undefined;
  }
}

/**
 * Writes a workbook with exceljs's streaming writer: each row is serialised and handed to the zip as it
 * is added, so a million-route table never sits in memory as cells. Writes to a temporary sibling, fixes
 * the zip's entry times to the audit date, then renames into place; on any failure the temporary file
 * is removed and the previous workbook, if any, is untouched.
 */
export async function writeWorkbook(
  path: string,
  model: WorkbookModel,
  limits: WriteLimits = DEFAULT_LIMITS,
  onRows?: (rows: number) => void,
): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const out = createWriteStream(temp);
  let streamError: Error | null = null;
  const closed = new Promise<void>((resolve, reject) => {
    out.on('close', resolve);
    out.on('error', (err) => {
      streamError = err;
      reject(err);
    });
  });
  closed.catch(() => undefined); // observed through streamError and the await below
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const filters = filterDatabaseNames(book);
  const zip = (book as unknown as { zip?: { on(event: string, fn: () => void): void; abort(): void } }).zip;
  zip?.on('error', () => undefined); // a failed write surfaces through the output stream
  let rowsWritten = 0;
  const pause = async (sheet: Worksheet) => {
    rowsWritten += limits.rowsPerPause;
    onRows?.(rowsWritten);
    forgetFormulae(sheet);
    await new Promise((resolve) => setImmediate(resolve));
    while (backlogBytes(sheet) + out.writableLength > limits.maxBacklogBytes && !streamError) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    if (streamError) throw streamError;
  };
  try {
    book.creator = 'ixaudit';
    book.lastModifiedBy = 'ixaudit';
    book.created = model.day;
    book.modified = model.day;
    writeSummary(book, model.summary);
    for (const table of model.tables) await writeTable(book, table, limits, pause, filters);
    // exceljs waits for the stream's 'finish', which never comes once the stream has failed (a full
    // disk, a folder where the file should be): whichever settles first decides.
    await Promise.race([book.commit(), closed.then(() => new Promise<never>(() => undefined))]);
    await closed;
    stampZipEntries(temp, model.day);
    renameSync(temp, path);
  } catch (err) {
    zip?.abort();
    out.destroy();
    rmSync(temp, { force: true });
    throw err;
  }
}

/**
 * A cell value as exceljs takes it. Links become HYPERLINK formulas with their text as the cached result.
 * Text goes through xmlText() before the length clamp: exceljs drops most C0 controls itself but writes
 * U+FFFE/U+FFFF as they are, and one such character in an operator name made the sheet XML not
 * well-formed, so Excel refused the whole workbook.
 */
export function excelValue(cell: Cell): ExcelJS.CellValue {
  if (cell === null) return null;
  if (typeof cell === 'string') return clampText(xmlText(cell));
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : null;
  if (isLink(cell)) {
    // A formula rather than a cell hyperlink: the streaming writer can only write external link
    // relationships (LibreOffice then looks for another file), and a formula costs no memory per row.
    const quote = (text: string) => `"${xmlText(text).replace(/"/g, '""')}"`;
    return {
      formula: `HYPERLINK(${quote(`#${cell.target}`)},${quote(cell.text)})`,
      result: clampText(xmlText(cell.text)),
    };
  }
  return cell;
}

function setColumns(sheet: Worksheet, columns: readonly Column[]): void {
  sheet.columns = columns.map((c) => ({ width: c.width, style: columnStyle(c.format) }));
}

function addHeader(sheet: Worksheet, columns: readonly Column[], height = HEADER_HEIGHT): ExcelJS.Row {
  const row = sheet.addRow(columns.map((c) => xmlText(c.header)));
  row.height = height;
  row.eachCell((cell, i) => {
    // A number column's header sits over its figures, on the right.
    const format = columns[i - 1]?.format;
    cell.style = format === 'number' || format === 'heat' ? HEADER_STYLE_RIGHT : HEADER_STYLE;
  });
  return row;
}

/**
 * LibreOffice shows a sheet's autofilter only when the workbook also defines the hidden name
 * _xlnm._FilterDatabase for it, as Excel itself writes. exceljs's DefinedNames keeps a cell matrix
 * (a million-row range would be millions of objects), so the list of names is supplied directly.
 */
function filterDatabaseNames(book: WorkbookWriter): Array<{ name: string; localSheetId: number; ranges: string[] }> {
  const names: Array<{ name: string; localSheetId: number; ranges: string[] }> = [];
  Object.defineProperty(book.definedNames, 'model', { get: () => names, configurable: true });
  return names;
}

type FilterNames = ReturnType<typeof filterDatabaseNames>;

async function writeTable(
  book: WorkbookWriter,
  table: Table,
  limits: WriteLimits,
  pause: (sheet: Worksheet) => Promise<void>,
  filters: FilterNames,
): Promise<void> {
  let part = 1;
  let sheet = openTableSheet(book, table, part);
  let rows = 0;
  // One style object per column, shared by every cell in it: exceljs caches a style's id by object
  // identity, and otherwise serialises a fresh style for every cell (most of the writing time).
  const styles = table.columns.map((c) => Object.freeze(columnStyle(c.format) ?? {}));
  let direct = directRowWriter(sheet, styles);
  for (const cells of table.rows) {
    if (rows === limits.maxRowsPerSheet) {
      closeTableSheet(sheet, table.columns, rows, filters);
      sheet = openTableSheet(book, table, ++part);
      direct = directRowWriter(sheet, styles);
      rows = 0;
    }
    const values = cells.map(excelValue);
    if (!direct?.write(values)) {
      const row = sheet.addRow(values);
      for (let i = 0; i < styles.length; i++) row.getCell(i + 1).style = styles[i];
      row.commit();
    }
    rows++;
    if (rows % limits.rowsPerPause === 0) await pause(sheet);
  }
  closeTableSheet(sheet, table.columns, rows, filters);
}

function openTableSheet(book: WorkbookWriter, table: Table, part: number): Worksheet {
  // The sheet name is written into workbook.xml, docProps/app.xml and the defined names.
  const sheet = book.addWorksheet(xmlText(partName(table.name, part)), {
    views: [{ state: 'frozen', ySplit: 1, xSplit: 0, topLeftCell: 'A2', activeCell: 'A2' }],
    pageSetup: { ...PAGE_SETUP, printTitlesRow: '1:1' },
  });
  setColumns(sheet, table.columns);
  addHeader(sheet, table.columns).commit();
  return sheet;
}

function closeTableSheet(sheet: Worksheet, columns: readonly Column[], rows: number, filters: FilterNames): void {
  const last = rows + 1;
  const range = `A1:${columnLetter(columns.length)}${last}`;
  sheet.autoFilter = range;
  // localSheetId is the sheet's 0-based position; sheets are added in order, so it is id - 1.
  const absolute = `$A$1:$${columnLetter(columns.length)}$${last}`;
  filters.push({
    name: '_xlnm._FilterDatabase',
    localSheetId: sheet.id - 1,
    ranges: [`'${sheet.name.replace(/'/g, "''")}'!${absolute}`],
  });
  if (rows > 0) {
    columns.forEach((column, i) => {
      addColumnColours(sheet, column.format, `${columnLetter(i + 1)}2:${columnLetter(i + 1)}${last}`);
    });
    addHeatScale(sheet, columns, last);
  }
  sheet.commit();
}

function addColumnColours(sheet: Worksheet, format: ColumnFormat | undefined, ref: string): void {
  const rules: Array<{ equals: string; colour: { fill: string; font: string } }> =
    format === 'severity'
      ? Object.entries(SEVERITY_COLOURS).map(([value, colour]) => ({ equals: `"${value}"`, colour }))
      : format === 'status'
        ? Object.entries(STATUS_COLOURS).map(([value, colour]) => ({ equals: `"${value}"`, colour }))
        : format === 'risk'
          ? [{ equals: 'TRUE', colour: RISK_COLOUR }]
          : [];
  if (rules.length === 0) return;
  // Excel wants each rule of a sheet to have its own priority; none of ours overlap, so order is moot.
  let priority = rulePriorities.get(sheet) ?? 1;
  sheet.addConditionalFormatting({
    ref,
    rules: rules.map(({ equals, colour }) => ({
      type: 'cellIs',
      operator: 'equal',
      formulae: [equals],
      priority: priority++,
      style: {
        fill: { type: 'pattern', pattern: 'solid', bgColor: { argb: colour.fill } },
        font: { color: { argb: colour.font } },
      },
    })),
  });
  rulePriorities.set(sheet, priority);
}

const rulePriorities = new WeakMap<Worksheet, number>();

/** Low white, high red, as the sector PDF's heat map: one scale over every `heat` column, so cells compare across carriers. */
const HEAT_SCALE = { low: 'FFFFFFFF', high: 'FFF8696B' };

function addHeatScale(sheet: Worksheet, columns: readonly Column[], last: number): void {
  const heat = columns.flatMap((c, i) => (c.format === 'heat' ? [i + 1] : []));
  if (heat.length === 0) return;
  // One rectangle when the columns are side by side (they are in the exposure grids), else one range each.
  const contiguous = heat[heat.length - 1]! - heat[0]! === heat.length - 1;
  const ref = contiguous
    ? `${columnLetter(heat[0]!)}2:${columnLetter(heat[heat.length - 1]!)}${last}`
    : heat.map((n) => `${columnLetter(n)}2:${columnLetter(n)}${last}`).join(' ');
  const priority = rulePriorities.get(sheet) ?? 1;
  sheet.addConditionalFormatting({
    ref,
    rules: [
      {
        type: 'colorScale',
        priority,
        // From 0 rather than the smallest value, so a small share never looks as red as it can get.
        cfvo: [{ type: 'num', value: 0 }, { type: 'max' }],
        color: [{ argb: HEAT_SCALE.low }, { argb: HEAT_SCALE.high }],
      },
    ],
  });
  rulePriorities.set(sheet, priority + 1);
}

/** Excel's tallest row, in points (its specifications and limits: row height 409 points). */
export const MAX_ROW_POINTS = 409;

/** Column A of the Summary: wide enough for its labels, within these bounds (characters). */
const LABEL_WIDTH = { min: 24, max: 40 };

/** Lines `text` takes wrapped at `width` characters (a little under, since words do not break). */
function wrappedLines(text: string, width: number): number {
  const usable = Math.max(1, Math.floor(width * 0.9));
  return text.split('\n').reduce((lines, line) => lines + Math.max(1, Math.ceil(line.length / usable)), 0);
}

/** Blocks one under another, a blank row between them; tables inside get a header and their colours. */
function writeSummary(book: WorkbookWriter, blocks: readonly SummaryBlock[]): void {
  const sheet = book.addWorksheet('Summary', { pageSetup: { ...SUMMARY_PAGE_SETUP } });
  // Column A fits the longest fact label (a value in B would clip it). Fact values sit in column B, as
  // narrow as the counts below it; a value wider than B, or of several lines, is merged across B to the
  // last column and wrapped there. Left to run on, one long value (the registry's changes) stretched the
  // printed page, fitted to one page wide, until every line of it was too small to read.
  const widths: number[] = [LABEL_WIDTH.min];
  for (const block of blocks) {
    if (block.kind === 'table')
      block.columns.forEach((c, i) => {
        widths[i] = Math.max(widths[i] ?? 0, c.width);
      });
    else if (block.kind === 'facts')
      for (const [label] of block.rows) widths[0] = Math.min(LABEL_WIDTH.max, Math.max(widths[0], label.length + 2));
  }
  if (widths.length < 2) widths.push(LABEL_WIDTH.max);
  sheet.columns = widths.map((width) => ({ width }));
  const valueWidth = widths.slice(1).reduce((sum, w) => sum + w, 0);
  let row = 0;
  for (const block of blocks) {
    if (row > 0) {
      sheet.addRow([]).commit();
      row++;
    }
    if (block.kind === 'title') {
      const title = sheet.addRow([excelValue(block.text)]);
      title.getCell(1).font = { ...BODY_FONT, bold: true, size: 14 };
      title.height = 22;
      title.commit();
      row++;
    } else if (block.kind === 'facts') {
      for (const [label, value] of block.rows) {
        const r = sheet.addRow([excelValue(label), excelValue(value)]);
        r.getCell(1).font = { ...BODY_FONT, bold: true };
        r.getCell(1).alignment = { vertical: 'top', wrapText: true };
        if (value instanceof Date) r.getCell(2).numFmt = 'yyyy-mm-dd';
        const text = typeof value === 'string' ? value : '';
        const wrapped = text.length > widths[1]! || text.includes('\n');
        if (wrapped) {
          if (widths.length > 2) sheet.mergeCells(r.number, 2, r.number, widths.length);
          r.getCell(2).alignment = { horizontal: 'left', vertical: 'top', wrapText: true };
        } else r.getCell(2).alignment = { horizontal: 'left' };
        // Neither Excel nor LibreOffice fits a row's height to wrapped text when it opens the file: as many
        // lines as the label (wrapped in A) or the value (across B to the last column) takes, up to the
        // tallest row Excel allows (past it the value is cut at the row's foot; findings.json has it whole).
        const labelLines = label.length + 2 > widths[0]! ? wrappedLines(label, widths[0]!) : 1;
        const lines = Math.max(labelLines, wrapped ? wrappedLines(text, valueWidth) : 1);
        if (lines > 1) r.height = Math.min(MAX_ROW_POINTS, 15 * lines);
        r.commit();
        row++;
      }
    } else {
      const caption = sheet.addRow([excelValue(block.caption)]);
      caption.getCell(1).font = { ...BODY_FONT, bold: true, size: 12 };
      caption.commit();
      addHeader(sheet, block.columns, 18).commit();
      row += 2;
      const first = row + 1;
      for (const cells of block.rows) {
        sheet.addRow(cells.map(excelValue)).commit();
        row++;
      }
      if (block.rows.length > 0) {
        block.columns.forEach((column, i) => {
          addColumnColours(sheet, column.format, `${columnLetter(i + 1)}${first}:${columnLetter(i + 1)}${row}`);
        });
      }
    }
  }
  sheet.commit();
}
