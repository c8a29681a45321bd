import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Cell } from '../src/report/xlsx/cells.js';
import { presentationOf } from '../src/report/view/index.js';
import { writeWorkbooks } from '../src/report/xlsx/index.js';
import { directRows, directRowWriter } from '../src/report/xlsx/row-xml.js';
import type { Column, ColumnFormat } from '../src/report/xlsx/tables.js';
import { DEFAULT_LIMITS, writeWorkbook } from '../src/report/xlsx/writer.js';
import { auditReport } from './support/audit.js';
import { nationalScale } from './support/causes.js';
import { tempFiles } from './support/files.js';
import { REGULATOR } from './support/run.js';

// Workbook rows are written as sheet XML directly (src/report/xlsx/row-xml.ts), not through exceljs's
// row objects. That is a performance device only: with it on or off, every workbook must be the same
// file, byte for byte.

afterEach(() => {
  directRows.enabled = true;
});

/** Every file under `dir`, by relative path, with its bytes. */
function filesOf(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (at: string) => {
    for (const name of readdirSync(at).sort()) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path));
    }
  };
  walk(dir);
  return files;
}

async function bothWays<T>(
  write: (dir: string) => Promise<T>,
): Promise<{ direct: Map<string, Buffer>; plain: Map<string, Buffer> }> {
  const directDir = tempFiles({});
  const plainDir = tempFiles({});
  directRows.enabled = true;
  await write(directDir);
  directRows.enabled = false;
  await write(plainDir);
  directRows.enabled = true;
  return { direct: filesOf(directDir), plain: filesOf(plainDir) };
}

function expectSameFiles({ direct, plain }: { direct: Map<string, Buffer>; plain: Map<string, Buffer> }): void {
  expect([...direct.keys()]).toEqual([...plain.keys()]);
  for (const [name, bytes] of direct) expect(bytes.equals(plain.get(name)!), name).toBe(true);
}

const DAY = new Date(Date.UTC(2026, 11, 1));
const FORMATS: Array<ColumnFormat | undefined> = [undefined, 'number', 'date', 'link', 'status', 'severity', 'risk'];

/** Any cell a table can hold, hostile text included: controls, U+FFFE, lone surrogates, markup, huge cells. */
const cellArbitrary: fc.Arbitrary<Cell> = fc.oneof(
  fc.constant(null),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '=1+1', 'a&b<c>"\'', '\t\r\n', '\uFFFE\uFFFF', '\uD800 lone', 'x'.repeat(40_000)),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true }),
  fc.record({
    text: fc.string({ unit: 'binary', maxLength: 20 }),
    target: fc.constantFrom('Findings!A2', "'Findings (2)'!A5", 'X!"&<'),
  }),
);

describe('workbook rows written directly', () => {
  it('writes the samples’ workbooks and those of a 600-route table byte for byte as exceljs does', async () => {
    const samples = auditReport(['inputs'], REGULATOR);
    for (const report of [samples, nationalScale(samples, 600)]) {
      const files = await bothWays((dir) => writeWorkbooks(presentationOf(report), dir));
      expect(files.direct.size).toBeGreaterThan(1);
      expectSameFiles(files);
    }
  }, 60_000);

  it('writes any table the same as exceljs, across sheet parts and with hostile text', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...FORMATS), { minLength: 1, maxLength: 6 }),
        fc.array(fc.array(cellArbitrary, { maxLength: 6 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 5 }),
        async (formats, rows, maxRowsPerSheet) => {
          const columns: Column[] = formats.map((format, i) => ({ header: `C${i}`, width: 10, format }));
          const fitted = rows.map((row) => row.slice(0, columns.length));
          const files = await bothWays((dir) =>
            writeWorkbook(
              join(dir, 't.xlsx'),
              { day: DAY, summary: [], tables: [{ name: 'T', columns, rows: fitted }] },
              { ...DEFAULT_LIMITS, maxRowsPerSheet },
            ),
          );
          expectSameFiles(files);
        },
      ),
      { numRuns: 60 },
    );
  }, 60_000);

  it('writes rows itself once exceljs has started the sheet, and leaves a sheet it does not know to exceljs', () => {
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: new PassThrough(), useStyles: true });
    const sheet = book.addWorksheet('T');
    const styles = [{}, {}];
    expect(directRowWriter(sheet, styles), 'before the header is committed').toBeUndefined();
    sheet.addRow(['a', 'b']).commit();
    const writer = directRowWriter(sheet, styles)!;
    expect(writer).toBeDefined();
    expect(writer.write(['x', 1])).toBe(true);
    expect(writer.write(['x', 1, 'a third value'])).toBe(false);
    // exceljs numbers its next row after the rows written directly.
    expect(sheet.addRow(['y', 2]).number).toBe(3);
    directRows.enabled = false;
    expect(directRowWriter(sheet, styles)).toBeUndefined();
  });
});
