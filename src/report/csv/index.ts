import { join } from 'node:path';
import { writeChunksAtomic } from '../write-atomic.js';
import type { AuditReport } from '../../model/report.js';
import type { Reporter } from '../types.js';
import { isLink, type Cell } from '../xlsx/cells.js';
import { controlRows, findingCells, findingColumns } from '../xlsx/tables.js';

export const CSV_NAME = 'findings.csv';

/**
 * A byte-order mark first: Excel opens a UTF-8 CSV without one as the local ANSI code page and turns
 * さくらモバイル into mojibake. Most CSV readers skip it (Python needs encoding='utf-8-sig').
 */
export const BOM = '\uFEFF';

/**
 * A field as text. Dates are YYYY-MM-DD, booleans true/false, links their text. A text that starts with
 * = + - @ or a tab/CR would run as a formula when Excel opens the file (CSV injection, and the inputs
 * come from third parties), so it gets a leading apostrophe, as OWASP recommends.
 */
export function fieldText(cell: Cell): string {
  if (cell === null) return '';
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  const text = isLink(cell) ? cell.text : cell;
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** RFC 4180: a field holding a comma, quote, CR or LF is quoted, with quotes doubled. */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, CRLF-terminated as RFC 4180 says. */
export function csvRecord(cells: readonly Cell[]): string {
  return `${cells.map((c) => csvField(fieldText(c))).join(',')}\r\n`;
}

/** The header and one record per finding, lazily, in the run's finding order (with the baseline columns after a --baseline run). */
export function* findingsCsv(report: AuditReport): Generator<string> {
  const withBaseline = report.result.baseline !== undefined;
  yield BOM + csvRecord(findingColumns(withBaseline).map((c) => c.header));
  const rows = controlRows(report.result);
  for (const finding of report.result.findings) yield csvRecord(findingCells(finding, rows, withBaseline));
}

export const csvReporter: Reporter = {
  name: 'csv',
  async write(report, outDir) {
    const path = join(outDir, CSV_NAME);
    writeChunksAtomic(path, findingsCsv(report));
    return [path];
  },
};
