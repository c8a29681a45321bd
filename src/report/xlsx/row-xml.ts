import { createRequire } from 'node:module';
import ExcelJS from 'exceljs';
import { columnLetter } from './cells.js';

/**
 * Table rows written as sheet XML directly instead of through exceljs's row and cell objects. exceljs's
 * streaming writer builds a Row, a Cell per column, their models and an XmlStream for every row, ~17 µs
 * a row of CPU (issue 15: the 50 operator workbooks of a sector run took 242 s, most of it there). The
 * XML is the XML exceljs writes for the same values — same escaping (its own xmlEncode), same style ids
 * (its own style registry, called as it calls it), same attributes in the same order — so the workbook
 * is byte for byte the same either way; `enabled = false` sends every row through exceljs, and
 * test/xlsx-direct-rows.test.ts compares the two. Any value or sheet state it does not know goes
 * through exceljs.
 */
export const directRows = { enabled: true };

type Value = ExcelJS.CellValue;

/** exceljs's own XML escaping and Excel date serial (exceljs 4.4, lib/utils/utils.js). */
const exceljsUtils = createRequire(import.meta.url)('exceljs/lib/utils/utils.js') as {
  xmlEncode(text: string): string;
  dateToExcel(date: Date, date1904?: boolean): number;
};
const { xmlEncode } = exceljsUtils;

interface StyleRegistry {
  addStyleModel(style: object, cellType?: number): number;
}

/** The exceljs 4.4 sheet-writer internals this reads and advances; checked before each use. */
interface SheetInternals {
  startedData?: boolean;
  _rows?: unknown[];
  _rowZero?: number;
  stream?: { write(data: string): unknown };
  _workbook?: { styles?: StyleRegistry };
}

const { ValueType } = ExcelJS;

/** Every row's own style: exceljs registers a new empty one per row; one shared object gets the same id. */
const ROW_STYLE = {};

export interface DirectRowWriter {
  /** Writes the next row; false when this row must go through exceljs (nothing was written). */
  write(values: readonly Value[]): boolean;
}

/**
 * A writer of the rows that follow on `sheet` (whose header exceljs has committed), each cell styled
 * with its column's style object; undefined when the sheet is not in the state this knows.
 */
export function directRowWriter(sheet: ExcelJS.Worksheet, styles: readonly object[]): DirectRowWriter | undefined {
  if (!directRows.enabled) return undefined;
  const internals = sheet as unknown as SheetInternals;
  const registry = internals._workbook?.styles;
  const stream = internals.stream;
  if (
    typeof registry?.addStyleModel !== 'function' ||
    typeof stream?.write !== 'function' ||
    internals.startedData !== true ||
    !Array.isArray(internals._rows)
  )
    return undefined;
  const letters = styles.map((_, i) => columnLetter(i + 1));
  const spans = ` spans="1:${styles.length}"`;
  // One stream write per row, as exceljs does: the zip compresses while the next rows are made (rows
  // held and written 200 at a time took 40 % longer at 20,000 routes).
  return {
    write(values) {
      const number = internals._rowZero;
      const xml =
        typeof number === 'number' && internals._rows!.length === 0 && values.length <= styles.length
          ? rowXml(registry, styles, letters, spans, number, values)
          : undefined;
      if (xml === undefined) return false;
      if (xml !== null) stream.write(xml);
      internals._rowZero = number! + 1;
      return true;
    },
  };
}

/**
 * One `<row>` as exceljs's RowXform and CellXform render it; null for a row without a value (exceljs
 * writes none), undefined for a value this does not render (rich text, errors, hyperlink objects).
 */
function rowXml(
  registry: StyleRegistry,
  styles: readonly object[],
  letters: readonly string[],
  spans: string,
  number: number,
  values: readonly Value[],
): string | null | undefined {
  // A row without a value is not written, and exceljs then registers none of its styles: a column's
  // style id is fixed by the type of its first written cell.
  if (!values.some((value) => value !== null && value !== undefined)) return null;
  const rowStyle = registry.addStyleModel(ROW_STYLE);
  let xml = `<row r="${number}"${spans}${rowStyle ? ` s="${rowStyle}" customFormat="1"` : ''} x14ac:dyDescent="0.25">`;
  for (let i = 0; i < styles.length; i++) {
    const cell = cellXml(registry, styles[i], `${letters[i]}${number}`, i < values.length ? values[i] : null);
    if (cell === undefined) return undefined;
    xml += cell;
  }
  return `${xml}</row>`;
}

function cellXml(registry: StyleRegistry, style: object, address: string, value: Value): string | undefined {
  if (value === null || value === undefined) {
    const id = registry.addStyleModel(style, ValueType.Null);
    return id ? `<c r="${address}" s="${id}"/>` : '';
  }
  const open = (type: number, t: string) => {
    const id = registry.addStyleModel(style, type);
    return `<c r="${address}"${id ? ` s="${id}"` : ''}${t}>`;
  };
  switch (typeof value) {
    case 'string':
      return `${open(ValueType.String, ' t="str"')}<v>${xmlEncode(value)}</v></c>`;
    case 'number':
      return `${open(ValueType.Number, '')}<v>${xmlEncode(value.toString())}</v></c>`;
    case 'boolean':
      return `${open(ValueType.Boolean, ' t="b"')}<v>${value ? '1' : '0'}</v></c>`;
  }
  if (value instanceof Date)
    return `${open(ValueType.Date, '')}<v>${xmlEncode(exceljsUtils.dateToExcel(value).toString())}</v></c>`;
  const formula = value as { formula?: unknown; result?: unknown; shareType?: unknown; sharedFormula?: unknown };
  if (
    typeof formula.formula !== 'string' ||
    formula.formula === '' ||
    typeof formula.result !== 'string' ||
    formula.shareType !== undefined ||
    formula.sharedFormula !== undefined ||
    'hyperlink' in formula ||
    'richText' in formula ||
    'error' in formula
  )
    return undefined;
  // A formula cell's style is registered under the type of its result (exceljs getEffectiveCellType).
  return `${open(ValueType.String, ' t="str"')}<f>${xmlEncode(formula.formula)}</f><v>${xmlEncode(formula.result)}</v></c>`;
}
