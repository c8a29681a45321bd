/**
 * Typed cell values and the small text helpers the workbook and the CSV share. A cell holds what it
 * means — a number, a real date, a boolean — so an analyst's sort, filter and pivot behave; text only
 * where the value is text.
 */

/** A link to another place in the same workbook, e.g. `Controls!A5`; the CSV writes only its text. */
export interface LinkCell {
  text: string;
  /** Sheet and cell, Excel syntax: `Controls!A5`. */
  target: string;
}

export type Cell = string | number | boolean | Date | LinkCell | null;

export function isLink(cell: Cell): cell is LinkCell {
  return typeof cell === 'object' && cell !== null && !(cell instanceof Date);
}

/**
 * A calendar date `YYYY-MM-DD` as a Date at UTC midnight, so every time zone reads the same day (Excel
 * serials and exceljs both count from UTC). Anything else stays text rather than become a wrong date.
 */
export function dateCell(text: string | null | undefined): Date | string | null {
  if (!text) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return text;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Refuse 2026-02-30 rather than let Date roll it over to March.
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? date : text;
}

/** Empty text becomes an empty cell, so "no firewall" is blank rather than a zero-length string. */
export function textCell(text: string | null | undefined): string | null {
  return text === undefined || text === null || text === '' ? null : text;
}

/** A list as one cell: `a, b, c`, or blank when empty. */
export function listCell(items: readonly string[] | null | undefined): string | null {
  return items && items.length > 0 ? items.join(', ') : null;
}

/** Parameter values as one readable line: `maxCarrierShare = 60; highRiskJurisdictions = CN, HK`. */
export function parametersText(parameters: Record<string, unknown>): string | null {
  const parts = Object.entries(parameters).map(([name, value]) => `${name} = ${valueText(value)}`);
  return parts.length > 0 ? parts.join('; ') : null;
}

/** Any JSON value as short text: lists joined with commas, maps as `key: value` pairs. */
export function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.map(valueText).join(', ');
  if (value !== null && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([key, inner]) => `${key}: ${valueText(inner)}`)
      .join('; ');
  }
  return String(value);
}

/** References as one line: `NIST SP 800-53 Rev. 5 SR-3; UK Telecommunications Security Code of Practice (third-party measures)`. */
export function referencesText(
  references: ReadonlyArray<{ document: string; section?: string; note?: string }>,
): string | null {
  const parts = references.map(
    (r) => `${r.document}${r.section ? ` ${r.section}` : ''}${r.note ? ` (${r.note})` : ''}`,
  );
  return parts.length > 0 ? parts.join('; ') : null;
}

/** Excel's rows per sheet; a table's data rows fill at most one less (the header), then continue on the next sheet. */
export const EXCEL_MAX_ROWS = 1_048_576;
export const MAX_DATA_ROWS_PER_SHEET = EXCEL_MAX_ROWS - 1;

/** The sheet for one part of a table: "Findings", then "Findings (2)" past the row limit. */
export function partName(name: string, part: number): string {
  return part === 1 ? name : `${name} (${part})`;
}

/** Excel refuses a cell longer than this many characters (and LibreOffice truncates on load). */
export const EXCEL_MAX_CELL_CHARS = 32_767;
const TRUNCATION_NOTE = ' … [truncated: the full text is in findings.json]';

/** Keeps a text cell within Excel's limit, saying so rather than failing to open. */
export function clampText(text: string): string {
  if (text.length <= EXCEL_MAX_CELL_CHARS) return text;
  let cut = EXCEL_MAX_CELL_CHARS - TRUNCATION_NOTE.length;
  // Never split a surrogate pair: half a character is invalid XML.
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return text.slice(0, cut) + TRUNCATION_NOTE;
}

/** 1 → A, 27 → AA. */
export function columnLetter(n: number): string {
  let letters = '';
  for (let rest = n; rest > 0; rest = Math.floor((rest - 1) / 26))
    letters = String.fromCharCode(65 + ((rest - 1) % 26)) + letters;
  return letters;
}
