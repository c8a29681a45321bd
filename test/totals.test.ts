import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { SEVERITIES, STATUSES, type Severity, type Status } from '../src/model/types.js';
import { indexModel } from '../src/report/html/index.js';
import { operatorFolderName } from '../src/report/paths.js';
import { presentationOf } from '../src/report/view/index.js';
import { auditReport } from './support/audit.js';
import { csvRecords } from './support/csv.js';
import { tempFiles } from './support/files.js';
import { REGULATOR, REGULATOR_OPTIONS, run } from './support/run.js';
import { nationalTable } from './support/tables.js';
import { withTools } from './support/tools.js';

/*
 * Every format shows the same totals: the presentation model's, which equal findings.json's summary.
 * The samples get one large table (2,100 routes for no-nordlys), so some route findings are counted
 * rather than listed and every format must still add them in.
 */

type Counts = Record<Status, number>;
const zero = (): Counts => Object.fromEntries(STATUSES.map((s) => [s, 0])) as Counts;

/** Adds `n` to the counts of `operator` (and of the run, under ''). */
function adder() {
  const byOperator = new Map<string, Counts>();
  const add = (operator: string, status: Status, n: number) => {
    for (const key of [operator, '']) {
      const counts = byOperator.get(key) ?? zero();
      counts[status] += n;
      byOperator.set(key, counts);
    }
  };
  return { byOperator, add };
}

/** The severity × status table of a workbook's Summary sheet. */
async function workbookSeverities(path: string): Promise<Record<Severity, Counts>> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(path);
  const sheet = book.getWorksheet('Summary')!;
  const table = {} as Record<Severity, Counts>;
  sheet.eachRow((row) => {
    const [first, ...rest] = (row.values as unknown[]).slice(1);
    if (!SEVERITIES.includes(first as Severity) || Object.hasOwn(table, first as string)) return;
    table[first as Severity] = Object.fromEntries(STATUSES.map((s, i) => [s, Number(rest[i])])) as Counts;
  });
  return table;
}

describe('every format shows the same totals', async () => {
  const work = tempFiles({});
  cpSync('inputs', join(work, 'inputs'), { recursive: true });
  writeFileSync(join(work, 'inputs', 'no-nordlys', 'routing-national.yaml'), nationalTable(2_100));
  const out = join(work, 'out');
  const cli = await run(
    'audit',
    join(work, 'inputs'),
    ...REGULATOR_OPTIONS,
    '--out',
    out,
    '--fail-on',
    'none',
    '--quiet',
  );
  const json = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8'));
  const view = presentationOf(auditReport([join(work, 'inputs')], { ...REGULATOR, failOn: 'none' }));
  const expected = new Map<string, Counts>([
    ['', view.run.totals.byStatus],
    ...view.operators.map((o) => [o.id, o.totals.byStatus] as const),
  ]);
  const counted = adder();
  for (const g of json.summarised ?? []) counted.add(g.operator, g.status, g.count);
  /** What a format that lists only listed findings must show: the totals less the counted groups. */
  const listed = (operator: string) => {
    const less = counted.byOperator.get(operator) ?? zero();
    return Object.fromEntries(STATUSES.map((s) => [s, expected.get(operator)![s] - less[s]])) as Counts;
  };

  it('the audit ran, and counted some route findings instead of listing them', () => {
    expect(cli.code).toBe(0);
    expect(json.summarised.some((g: { operator: string }) => g.operator === 'no-nordlys')).toBe(true);
  });

  it('the presentation model holds findings.json summary’s figures, run and operators', () => {
    expect(view.run.totals.byStatus).toEqual(json.summary.byStatus);
    expect(view.run.totals.bySeverity).toEqual(json.summary.bySeverity);
    expect(view.run.verdict).toBe(json.summary.result);
    for (const o of json.summary.operators) {
      const own = view.operators.find((v) => v.id === o.id)!;
      expect(own.totals.byStatus).toEqual(o.counts);
      expect(own.verdict).toBe(o.result);
      // An operator's severity table adds up to its status counts; the control table too.
      for (const s of STATUSES) {
        expect(SEVERITIES.reduce((n, sev) => n + own.totals.bySeverity[sev][s], 0)).toBe(o.counts[s]);
        expect(own.controls.reduce((n, c) => n + c.counts[s], 0)).toBe(o.counts[s]);
      }
    }
    // The operators' severity tables add up to the run's.
    for (const sev of SEVERITIES)
      for (const s of STATUSES)
        expect(view.operators.reduce((n, o) => n + o.totals.bySeverity[sev][s], 0)).toBe(
          json.summary.bySeverity[sev][s],
        );
  });

  it('findings.csv and occurrences.csv, with the counted groups, give every operator’s counts', () => {
    const causes = adder();
    for (const r of csvRecords(readFileSync(join(out, 'findings.csv'), 'utf8')))
      causes.add(r.Operator, r.Status as Status, Number(r.Occurrences));
    const occurrences = adder();
    for (const r of csvRecords(readFileSync(join(out, 'occurrences.csv'), 'utf8')))
      occurrences.add(r.Operator, r.Status as Status, 1);
    for (const id of expected.keys()) {
      expect(causes.byOperator.get(id), id).toEqual(listed(id));
      expect(occurrences.byOperator.get(id), id).toEqual(listed(id));
    }
  });

  it('findings.sarif: the occurrences of its results are the listed failures, not-evidenced and waived', () => {
    const sarif = JSON.parse(readFileSync(join(out, 'findings.sarif'), 'utf8'));
    const results = adder();
    for (const r of sarif.runs[0].results)
      results.add(r.properties.operator, r.properties.status, r.properties.occurrences ?? 1);
    for (const id of expected.keys()) {
      const got = results.byOperator.get(id) ?? zero();
      // SARIF holds what needs attention; passing and not-applicable subjects are no results.
      for (const s of ['fail', 'error', 'not-evidenced', 'waived'] as const)
        expect(got[s], `${id} ${s}`).toBe(listed(id)[s]);
      expect(got.pass + got['not-applicable']).toBe(0);
    }
  });

  it('assessment-results.json: observations and summaries count every subject of every status', () => {
    const ar = JSON.parse(readFileSync(join(out, 'assessment-results.json'), 'utf8'));
    const seen = adder();
    for (const o of ar['assessment-results'].results[0].observations) {
      const prop = (name: string) => o.props?.find((p: { name: string }) => p.name === name)?.value;
      if (!prop('status')) continue;
      seen.add(prop('operator'), prop('status'), Number(prop('count') ?? prop('occurrences') ?? 1));
    }
    for (const id of expected.keys()) expect(seen.byOperator.get(id), id).toEqual(expected.get(id));
  });

  it('hdf.json: its results stand for every subject, in HDF’s statuses', () => {
    const hdf = JSON.parse(readFileSync(join(out, 'hdf.json'), 'utf8'));
    const notEvidencedFails = view.report.result.run.profile.parameters.notEvidencedIsFailure === true;
    const hdfStatus = (s: Status) =>
      s === 'pass'
        ? 'passed'
        : s === 'fail' || (s === 'not-evidenced' && notEvidencedFails)
          ? 'failed'
          : s === 'error'
            ? 'error'
            : 'skipped';
    const got = new Map<string, number>();
    for (const control of hdf.profiles[0].controls)
      for (const r of control.results) {
        const counted = /: ([\d,]+) route subject\(s\), counted$/.exec(r.code_desc);
        const more = /and ([\d,]+) more subject\(s\) with this cause$/.exec(r.code_desc);
        const n = counted ? Number(counted[1].replace(/,/g, '')) : more ? Number(more[1].replace(/,/g, '')) + 1 : 1;
        const operator = String(r.resource_id).split('/')[0];
        for (const key of [`${operator}\u0000${r.status}`, `\u0000${r.status}`]) got.set(key, (got.get(key) ?? 0) + n);
      }
    for (const [id, counts] of expected) {
      const want = new Map<string, number>();
      for (const s of STATUSES) want.set(hdfStatus(s), (want.get(hdfStatus(s)) ?? 0) + counts[s]);
      for (const [status, n] of want) expect(got.get(`${id}\u0000${status}`) ?? 0, `${id} ${status}`).toBe(n);
    }
  });

  it('the workbooks: each Summary sheet’s severity × status table is its scope’s', async () => {
    expect(await workbookSeverities(join(out, 'findings.xlsx'))).toEqual(json.summary.bySeverity);
    for (const o of view.operators)
      expect(await workbookSeverities(join(out, operatorFolderName(o.id), 'findings.xlsx')), o.id).toEqual(
        o.totals.bySeverity,
      );
  });

  it('the operator PDFs: the severity table’s rows, as pdftotext reads them', async (context) => {
    await withTools(context, ['pdftotext'], () => {
      for (const o of view.operators) {
        const text = execFileSync(
          'pdftotext',
          ['-layout', '-enc', 'UTF-8', join(out, operatorFolderName(o.id), 'report.pdf'), '-'],
          { encoding: 'utf8' },
        );
        for (const sev of SEVERITIES) {
          const row = new RegExp(
            `^\\s*${sev[0].toUpperCase()}${sev.slice(1)}((?:\\s+[\\d,]+){${STATUSES.length + 1}})\\s*$`,
            'm',
          ).exec(text);
          expect(row, `${o.id} ${sev}`).not.toBeNull();
          const cells = row![1]
            .trim()
            .split(/\s+/)
            .map((n) => Number(n.replace(/,/g, '')));
          expect(cells, `${o.id} ${sev}`).toEqual([
            ...STATUSES.map((s) => o.totals.bySeverity[sev][s]),
            STATUSES.reduce((n, s) => n + o.totals.bySeverity[sev][s], 0),
          ]);
        }
      }
    });
  });

  it('index.html: the failed, not-evidenced and waived counts are the run’s, and it links exactly what was written', () => {
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    const page = indexModel({ ...view, artifacts: [] });
    expect([page.summary.failed, page.summary.notEvidenced, page.summary.waived]).toEqual([
      json.summary.byStatus.fail,
      json.summary.byStatus['not-evidenced'],
      json.summary.byStatus.waived,
    ]);
    expect(html).toContain(
      `— ${json.summary.byStatus.fail} failed, ${json.summary.byStatus['not-evidenced']} not evidenced, ${json.summary.byStatus.waived} waived`,
    );
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    const written = (manifest.outputs as Array<{ file: string }>).map((f) => f.file);
    const links = [...html.matchAll(/href="([^"#]+)"/g)].map((m) => decodeURIComponent(m[1]));
    for (const file of written.filter((f) => f !== 'index.html')) expect(links, file).toContain(file);
    for (const link of links.filter((l) => !/^[a-z]+:/.test(l))) expect([...written, 'manifest.json']).toContain(link);
  });
});
