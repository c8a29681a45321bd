import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../src/model/report.js';
import { reportId } from '../src/report/manifest.js';
import type { SectorView } from '../src/report/sector/model.js';
import { writeSectorWorkbook, xlsxReporter } from '../src/report/xlsx/index.js';
import { exposureGrid } from '../src/report/xlsx/sector.js';
import { auditReport, withBaseline } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { describeWith } from './support/tools.js';
import { zipEntry } from './support/zip.js';
import { REGULATOR } from './support/run.js';
import { presentationOf } from '../src/report/view/index.js';
import { libreOfficeSheets } from './support/libreoffice.js';

async function readBook(path: string): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(path);
  return book;
}

function sheet(book: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const ws = book.getWorksheet(name);
  if (!ws) throw new Error(`no sheet ${name}: ${book.worksheets.map((w) => w.name).join(', ')}`);
  return ws;
}

/** A sheet's rows as plain values, header first (exceljs rows are 1-based with a hole at 0). */
function rowsOf(ws: ExcelJS.Worksheet): unknown[][] {
  const rows: unknown[][] = [];
  ws.eachRow({ includeEmpty: true }, (row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
}

/** The Summary's facts: label in A, value in B. */
function factsOf(ws: ExcelJS.Worksheet): Map<string, unknown> {
  const facts = new Map<string, unknown>();
  ws.eachRow((row) => {
    const label = row.getCell(1).value;
    if (typeof label === 'string' && row.getCell(2).value !== null) facts.set(label, row.getCell(2).value);
  });
  return facts;
}

describe('sector.xlsx of the bundled samples (exceljs read-back)', () => {
  let report: AuditReport;
  let view: SectorView;
  let out: string;
  let file: string;
  let book: ExcelJS.Workbook;

  beforeAll(async () => {
    report = auditReport(['inputs'], REGULATOR);
    view = presentationOf(report).sector;
    out = tempFiles({});
    file = await writeSectorWorkbook(presentationOf(report), out);
    book = await readBook(file);
  });

  it('has its sheets in a fixed order, one grid per protocol with exposure, and no Changes sheet without a baseline', () => {
    expect(file).toBe(join(out, 'sector.xlsx'));
    expect(book.worksheets.map((w) => w.name)).toEqual([
      'Summary',
      'Operators',
      'Exposure matrix',
      'Exposure ss7',
      'Exposure diameter',
      'Carriers',
      'Controls',
    ]);
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('states the run on Summary: a real date, the report id, counts as numbers, and the failure ranking', () => {
    const summary = sheet(book, 'Summary');
    const facts = factsOf(summary);
    expect(facts.get('Audit date')).toEqual(new Date(Date.UTC(2026, 6, 1)));
    expect(facts.get('Report id')).toBe(reportId(report.result));
    expect(facts.get('Report id')).toMatch(/^[0-9a-f]{64}$/);
    expect(facts.get('Profile')).toBe(report.result.run.profile.id);
    expect(facts.get('Tool')).toBe(`ixaudit ${report.result.run.tool.version}`);
    expect(facts.get('Catalog version')).toBe(report.result.run.catalog.version);
    expect(facts.get('Operators')).toBe(4);
    expect(facts.get('Result')).toBe('FAIL');
    expect(facts.get('Operators exposed')).toBe(3);
    const rows = rowsOf(summary);
    const header = rows.findIndex((r) => r[0] === 'rank');
    const ranked = rows.slice(header + 1, header + 5);
    expect(ranked.map((r) => r[1])).toEqual(view.rankedByFailures);
    const nz = view.operators.find((o) => o.id === 'nz-aotearoa')!;
    expect(ranked[0]!.slice(0, 6)).toEqual([1, 'nz-aotearoa', nz.failedCritical, nz.failedHigh, nz.failed, 'FAIL']);
  });

  it('ranks Operators by exposure, with typed counts and one numeric exposure column per protocol', () => {
    expect(view.rankedByExposure).toEqual(['nz-aotearoa', 'kr-hanbit', 'jp-sakura', 'no-nordlys']);
    const ws = sheet(book, 'Operators');
    const rows = rowsOf(ws);
    expect(rows[0]).toEqual([
      'Exposure rank',
      'Failure rank',
      'Operator',
      'Name',
      'Country',
      'Result',
      'Failed critical',
      'Failed high',
      'Failed',
      'Max exposure (%)',
      'ss7 exposure (%)',
      'diameter exposure (%)',
    ]);
    expect(rows.slice(1).map((r) => r[2])).toEqual(view.rankedByExposure);
    expect(rows[2]).toEqual([2, 2, 'kr-hanbit', '한빛텔레콤 (Hanbit Telecom)', 'KR', 'FAIL', 2, 10, 20, 20, 20, 15]);
    // An operator without exposure on a protocol shows 0, a number, not a blank.
    expect(rows[4]!.slice(9)).toEqual([0, 0, 0]);
    for (const row of rows.slice(1)) for (const i of [0, 1, 6, 7, 8, 9, 10, 11]) expect(typeof row[i]).toBe('number');
    expect(ws.autoFilter).toBe('A1:L5');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.getColumn(4).width).toBe(40);
  });

  it('lists the exposure matrix one row per operator × carrier × protocol, shares as numbers', () => {
    const rows = rowsOf(sheet(book, 'Exposure matrix'));
    expect(rows[0]).toEqual(['Operator', 'Carrier', 'Carrier name', 'Protocol', 'Share (%)', 'Routes']);
    expect(rows).toHaveLength(view.exposureMatrix.length + 1);
    view.exposureMatrix.forEach((m, i) => {
      expect([rows[i + 1]![0], rows[i + 1]![1], rows[i + 1]![3], rows[i + 1]![4], rows[i + 1]![5]]).toEqual([
        m.operator,
        m.carrier,
        m.protocol,
        m.share,
        m.routes,
      ]);
    });
    const cell = rows.find((r) => r[0] === 'kr-hanbit' && r[1] === 'meridian-transit' && r[3] === 'diameter')!;
    expect(cell[4]).toBe(15);
    expect(cell[2]).toBe('Meridian Transit Pte. Ltd.');
  });

  it('lays each protocol out as a grid: operators × high-risk carriers, blanks where there is no exposure, one colour scale', () => {
    const ws = sheet(book, 'Exposure diameter');
    const rows = rowsOf(ws);
    expect(rows[0]).toEqual(['Operator', 'Total diameter exposure (%)', 'meridian-transit']);
    const hanbit = rows.find((r) => r[0] === 'kr-hanbit')!;
    expect(hanbit.slice(0, 3)).toEqual(['kr-hanbit', 15, 15]);
    expect(ws.getCell('C2').value).toBeNull(); // nz-aotearoa: no diameter exposure
    const ss7 = sheet(book, 'Exposure ss7');
    const grid = exposureGrid(view, 'ss7');
    expect(rowsOf(ss7)[0]).toEqual(['Operator', 'Total ss7 exposure (%)', ...grid.carriers]);
    const nz = rowsOf(ss7).find((r) => r[0] === 'nz-aotearoa')!;
    expect(nz[1]).toBe(25);
    expect(nz[2 + grid.carriers.indexOf('cug')]).toBe(20);
    expect(nz[2 + grid.carriers.indexOf('ctg')]).toBe(5);
    // The colour scale covers every carrier column and every operator row, and nothing else.
    const xml = sheetXml(file, 'Exposure ss7');
    const last = String.fromCharCode(66 + grid.carriers.length);
    expect(xml).toContain(`<conditionalFormatting sqref="C2:${last}5"><cfRule type="colorScale"`);
    expect(xml.match(/<conditionalFormatting /g)).toHaveLength(1);
  });

  it('lists carriers by submissions and each control\u2019s pass rate across the sector, as numbers', () => {
    const carriers = rowsOf(sheet(book, 'Carriers'));
    expect(carriers.slice(1).map((r) => r[0])).toEqual(view.carriers.map((c) => c.id));
    const ctg = carriers.find((r) => r[0] === 'ctg')!;
    expect([ctg[2], ctg[4], ctg[5]]).toEqual([true, 2, 'jp-sakura, nz-aotearoa']);
    const controls = rowsOf(sheet(book, 'Controls'));
    expect(controls).toHaveLength(view.controls.length + 1);
    // Pass rates are over the operators where a control applies (issue 12, point 11).
    for (const [i, c] of view.controls.entries()) {
      const rate =
        c.applicable === 0
          ? [null, 'applies to no operator']
          : [c.passRate, `${c.passing} of ${c.applicable} operators where it applies`];
      expect(controls[i + 1]).toEqual([
        c.id,
        c.title,
        c.severity,
        c.applicable,
        c.passing,
        c.failing,
        c.notEvidenced,
        ...rate,
      ]);
    }
  });

  it('writes the same bytes twice', async () => {
    const again = await writeSectorWorkbook(presentationOf(auditReport(['inputs'], REGULATOR)), tempFiles({}));
    expect(readFileSync(again).equals(readFileSync(file))).toBe(true);
  });
});

describe('sector.xlsx with a baseline', () => {
  it('adds a Changes sheet: per operator, new, changed, resolved and unchanged, most changes first', async () => {
    const report = withBaseline(auditReport(['inputs'], REGULATOR));
    const book = await readBook(await writeSectorWorkbook(presentationOf(report), tempFiles({})));
    expect(book.worksheets.map((w) => w.name).at(-1)).toBe('Changes');
    const rows = rowsOf(sheet(book, 'Changes'));
    expect(rows[0]).toEqual(['Operator', 'New', 'Regressed', 'Improved', 'Changed', 'Unchanged', 'Resolved']);
    expect([...rows[1]!.slice(0, 5), rows[1]![6]]).toEqual(['jp-sakura', 3, 0, 0, 0, 0]);
    expect([...rows[2]!.slice(0, 5), rows[2]![6]]).toEqual(['kr-hanbit', 0, 0, 0, 0, 1]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(presentationOf(report).sector.changes!.map((c) => c.operator));
    const facts = factsOf(sheet(book, 'Summary'));
    expect(facts.get('Baseline audit date')).toEqual(new Date(Date.UTC(2026, 0, 1)));
  });
});

describe('the xlsx reporter', () => {
  it('writes sector.xlsx after the findings workbooks', async () => {
    const out = tempFiles({});
    const written = await xlsxReporter.write(presentationOf(auditReport(['inputs'], REGULATOR)), out, {});
    expect(written.at(-1)).toBe(join(out, 'sector.xlsx'));
    expect(written[0]).toBe(join(out, 'findings.xlsx'));
  });
});

/** One sheet's XML, found by name through the workbook's relationships. */
function sheetXml(workbook: string, name: string): string {
  const unzip = (entry: string) => zipEntry(workbook, entry);
  const rid = new RegExp(`<sheet [^>]*name="${name}"[^>]*r:id="(rId\\d+)"`).exec(unzip('xl/workbook.xml'))![1];
  const target = new RegExp(`Id="${rid}"[^>]*Target="([^"]+)"`).exec(unzip('xl/_rels/workbook.xml.rels'))![1]!;
  return unzip(`xl/${target.replace(/^\/?xl\//, '')}`);
}

describeWith(['soffice'], 'sector.xlsx opened by LibreOffice', () => {
  it('converts every sheet to CSV with the values intact', async () => {
    const report = auditReport(['inputs'], REGULATOR);
    const view = presentationOf(report).sector;
    const sheets = libreOfficeSheets({ book: await writeSectorWorkbook(presentationOf(report), tempFiles({})) }).book!;
    const csv = (name: string) => {
      const rows = sheets[name];
      if (!rows) throw new Error(`LibreOffice wrote no sheet ${name} (it wrote ${Object.keys(sheets).join(', ')})`);
      return rows;
    };
    const operators = csv('Operators');
    expect(operators.slice(1).map((r) => r[2])).toEqual(view.rankedByExposure);
    expect(operators.find((r) => r[2] === 'kr-hanbit')!.slice(9)).toEqual(['20', '20', '15']);
    const matrix = csv('Exposure matrix');
    expect(
      matrix.find((r) => r[0] === 'kr-hanbit' && r[1] === 'meridian-transit' && r[3] === 'diameter')!.slice(4),
    ).toEqual(['15', '1']);
    expect(csv('Exposure diameter').find((r) => r[0] === 'kr-hanbit')).toEqual(['kr-hanbit', '15', '15']);
    expect(
      csv('Summary')
        .find((r) => r[0] === 'Audit date')!
        .slice(0, 2),
    ).toEqual(['Audit date', '2026-07-01']);
    expect(csv('Carriers').find((r) => r[0] === 'cmi')![1]).toBe(
      'China Mobile International Limited (中国移动国际有限公司)',
    );
  }, 120_000);
});
