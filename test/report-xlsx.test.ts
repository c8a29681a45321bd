import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Finding, WaiverOutcome } from '../src/model/finding.js';
import type { AuditReport, ControlSummary, InventoryHop, InventoryRoute } from '../src/model/report.js';
import { STATUSES, type Severity, type Status } from '../src/model/types.js';
import { EXCEL_MAX_CELL_CHARS } from '../src/report/xlsx/cells.js';
import { workbookModel, writeWorkbooks } from '../src/report/xlsx/index.js';
import { operatorScope, runScope } from '../src/report/xlsx/scope.js';
import { tally } from '../src/report/view/operator.js';
import {
  FINDING_COLUMNS,
  OCCURRENCE_COLUMNS,
  TITLE_WIDTH,
  WORKBOOK_OCCURRENCE_ROWS,
  WORKBOOK_ROUTE_ROWS,
} from '../src/report/xlsx/tables.js';
import { DEFAULT_LIMITS, MAX_ROW_POINTS, writeWorkbook } from '../src/report/xlsx/writer.js';
import { dosDate } from '../src/report/xlsx/zip-times.js';
import { operatorWorkers } from '../src/report/operator-workers.js';
import { withWorkerLimits } from './support/workers.js';
import { auditReport } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { describeWith } from './support/tools.js';
import { REGULATOR } from './support/run.js';
import { loadControls } from '../src/load/controls.js';
import { presentationOf } from '../src/report/view/index.js';
import { mergedByCause, nationalScale } from './support/causes.js';
import { parseCsv } from './support/csv.js';
import { libreOfficeSheets } from './support/libreoffice.js';

// ---------------------------------------------------------------------------------------------
// A small report built by hand, so every expected cell is known here rather than derived from the
// catalog (which grows): two operators, a high-risk carrier, a waiver, an expired waiver, an input
// error, text with commas, quotes, newlines, CJK and a leading "=".

const SASAC_HOP = {
  highRisk: true,
  unavoidable: false,
  controller: 'sasac',
  controllerName: 'SASAC (国务院国有资产监督管理委员会)',
  country: 'HK',
};
const NTT_HOP = {
  highRisk: false,
  unavoidable: false,
  controller: 'ntt-inc',
  controllerName: 'NTT, Inc.',
  country: 'JP',
};

function hop(carrier: string, position: string, facts: typeof SASAC_HOP): InventoryHop {
  return { carrier, role: position.split(' ')[0] as InventoryHop['role'], position, ...facts };
}

function route(operator: string, index: number, risky: boolean, trafficShare: number | null): InventoryRoute {
  const id = `r-${String(index).padStart(4, '0')}`;
  return {
    operator,
    table: 'rt-ss7',
    id,
    ref: `RoutingTable/rt-ss7#${id}`,
    protocol: 'ss7',
    status: 'active',
    match: `gtPrefix 86${index}`,
    destination: { country: 'CN', plmn: index % 2 === 0 ? '460-00' : '' },
    trafficShare,
    encryption: 'none',
    firewall: index % 2 === 0 ? 'fw-main' : '',
    hops: [
      hop(risky ? 'cmi' : 'ntt-ipx', 'primary', risky ? SASAC_HOP : NTT_HOP),
      hop('ctg', 'backup 1', SASAC_HOP),
      hop('ntt-ipx', 'transit 1', NTT_HOP),
    ],
    location: { file: `inputs/${operator}/routing.yaml`, line: 10 + index * 8, column: 7 },
  };
}

const TITLES: Record<string, [string, Severity]> = {
  'ICX-RT-01': ['No high-risk carrier as primary next hop', 'critical'],
  'ICX-CT-05': ['Breaches are notified promptly', 'high'],
};

function finding(
  control: string,
  operator: string,
  subject: string,
  status: Status,
  extra: Partial<Finding> = {},
): Finding {
  const [title, severity] = TITLES[control] ?? ['Audit of this operator could not complete', 'critical'];
  const made: Omit<Finding, 'occurrences'> & Partial<Pick<Finding, 'occurrences'>> = {
    control,
    title,
    family: control.split('-')[1] ?? 'ENGINE',
    severity,
    status,
    operator,
    subject,
    location: { file: `inputs/${operator}/routing.yaml`, line: 12, column: 17 },
    message: `${control} on ${subject}: ${status}.`,
    evidence: {},
    remediation: 'Move the primary to a carrier that is not high-risk.',
    fingerprint: `${control}-${operator}-${subject}`
      .replace(/[^a-z0-9]/gi, '')
      .slice(0, 32)
      .padEnd(32, '0'),
    ...extra,
  };
  // One occurrence, the finding's own subject, unless the test gives its own list.
  return {
    ...made,
    occurrences: made.occurrences ?? [
      { subject: made.subject, location: made.location, fingerprint: made.fingerprint },
    ],
  };
}

const WAIVER_DECLARED = {
  justification: 'Migration contracted.',
  approvedBy: 'Security Office',
  ticket: 'SEC-1',
  compensatingControls: ['ICX-FW-01'],
};

/** `routesPerOperator` routes for op-a and op-b; every third route has no traffic share, every fourth a high-risk primary. */
function syntheticReport(routesPerOperator = 6): AuditReport {
  const operators = ['op-a', 'op-b'];
  const routes = operators.flatMap((op) =>
    Array.from({ length: routesPerOperator }, (_, i) => route(op, i, i % 4 === 0, i % 3 === 2 ? null : 12.5)),
  );
  const findings: Finding[] = [];
  for (const op of operators) {
    findings.push(
      finding('ICX-CT-05', op, `InterconnectAgreement/ag-${op}`, op === 'op-a' ? 'not-evidenced' : 'pass', {
        message: 'Breach notice: "72 hours", longer than 24,\nand counted from confirmation. 通知は72時間以内',
        remediation: '=HYPERLINK("http://example.invalid") is what a hostile input could say',
      }),
    );
    for (const r of routes.filter((x) => x.operator === op)) {
      const risky = r.hops[0].highRisk;
      const waived = op === 'op-a' && r.id === 'r-0004';
      findings.push(
        finding('ICX-RT-01', op, r.ref, waived ? 'waived' : risky ? 'fail' : 'pass', {
          location: { ...r.location, line: r.location.line + 2, column: 26 },
          waiver: waived ? { id: 'w-001', status: 'applied', expires: '2026-12-31' } : undefined,
        }),
      );
    }
  }
  findings.push(finding('ICX-ENGINE', 'op-b', 'Operator/op-b', 'error'));
  const count = (op: string) =>
    Object.fromEntries(
      STATUSES.map((s) => [s, findings.filter((f) => f.operator === op && f.status === s).length]),
    ) as Record<Status, number>;
  return {
    result: {
      schemaVersion: '1.0',
      run: {
        tool: { name: 'ixaudit', version: '9.8.7' },
        registryChanges: [],
        registry: { asOf: '2026-12-01', maxAgeMonths: 12, stale: [] },
        catalog: { version: '1.2.3', controls: 2 },
        auditDate: '2026-07-01',
        auditDateSource: 'profile',
        profile: {
          id: 'regulator',
          chain: ['regulator', 'default'],
          file: 'regulator/profile.yaml',
          failOn: 'high',
          disabled: [],
          severity: {},
          parameters: {},
        },
        inputs: [
          { file: 'inputs/op-a/routing.yaml', sha256: 'a'.repeat(64), bytes: 1234, builtin: false },
          { file: 'inputs/op-b/routing.yaml', sha256: 'b'.repeat(64), bytes: 2345, builtin: false },
          { file: 'regulator/profile.yaml', sha256: 'c'.repeat(64), bytes: 99, builtin: false },
          { file: 'ixaudit:registry/carriers.yaml', sha256: 'd'.repeat(64), bytes: 40_000, builtin: true },
        ],
      },
      summary: {
        result: 'FAIL',
        byStatus: Object.fromEntries(STATUSES.map((s) => [s, findings.filter((f) => f.status === s).length])) as Record<
          Status,
          number
        >,
        bySeverity: tally(findings, [], []).totals.bySeverity,
        operators: [
          {
            id: 'op-a',
            name: 'さくら "Alpha", Inc.',
            country: 'JP',
            counts: count('op-a'),
            result: 'FAIL',
            incomplete: [],
          },
          { id: 'op-b', name: 'Beta Mobile', country: 'KR', counts: count('op-b'), result: 'FAIL', incomplete: [] },
        ],
        errors: 1,
      },
      controls: [
        // `as`: the model is gaining fields (rationale, remediation) the workbook does not show.
        {
          id: 'ICX-CT-05',
          family: 'CT',
          title: TITLES['ICX-CT-05'][0],
          requirement: 'Security breaches are notified within maxBreachNotificationHours.',
          rationale: 'Late notice.',
          remediation: 'Shorten it.',
          severity: 'high',
          references: [
            { document: 'NIST SP 800-53 Rev. 5', section: 'IR-6' },
            { document: 'UK TSCoP', note: 'incident reporting' },
          ],
          parameters: { maxBreachNotificationHours: 24 },
        } as ControlSummary,
        {
          id: 'ICX-RT-01',
          family: 'RT',
          title: TITLES['ICX-RT-01'][0],
          requirement: 'No active signalling route has a high-risk carrier as its primary next hop.',
          rationale: 'Exposure.',
          remediation: 'Move it.',
          severity: 'critical',
          references: [{ document: 'GSMA FS.11' }],
          parameters: {
            highRiskJurisdictions: ['CN', 'HK'],
            protocolServices: { ss7: ['ss7-transit', 'ipx-transit'] },
          },
        } as ControlSummary,
      ],
      findings,
      waivers: [
        {
          id: 'w-001',
          operator: 'op-a',
          control: 'ICX-RT-01',
          status: 'applied',
          expires: '2026-12-31',
          targets: ['RoutingTable/rt-ss7#r-0004'],
          matched: ['RoutingTable/rt-ss7#r-0004'],
          location: { file: 'inputs/op-a/waivers.yaml', line: 7, column: 7 },
          message: 'Applied until 2026-12-31.',
          ...WAIVER_DECLARED,
        } as WaiverOutcome,
        {
          id: 'w-002',
          operator: 'op-a',
          control: 'ICX-RT-01',
          status: 'expired',
          expires: '2026-06-30',
          targets: ['RoutingTable/rt-ss7#r-0000'],
          matched: ['RoutingTable/rt-ss7#r-0000'],
          location: { file: 'inputs/op-a/waivers.yaml', line: 20, column: 7 },
          message: 'Expired on 2026-06-30.',
          ...WAIVER_DECLARED,
        } as WaiverOutcome,
      ],
      errors: [
        {
          file: 'inputs/op-b/broken.yaml',
          line: 3,
          column: 5,
          code: 'schema',
          message: 'spec.country: expected a country code',
        },
      ],
    },
    inventory: {
      operators: [],
      routes,
      carriers: [
        {
          id: 'cmi',
          name: 'China Mobile International Limited (中国移动国际有限公司)',
          roles: ['ipx', 'ss7-transit'],
          incorporatedIn: 'HK',
          headquarters: 'HK',
          controller: { id: 'sasac', name: 'SASAC', type: 'government', country: 'CN' },
          stateControlled: true,
          ownershipResolved: true,
          chainText: 'CMI (HK) → China Mobile Limited (HK, company, 100 %) → SASAC (CN, government, 100 %)',
          chain: [],
          highRisk: true,
          riskReasons: ['ultimate controller SASAC (government) is in CN', 'listed on us-fcc-covered-list'],
          listings: ['us-fcc-covered-list'],
          usedBy: ['op-a', 'op-b'],
          declaredBy: [],
          location: { file: 'ixaudit:registry/carriers.yaml', line: 41, column: 5 },
        },
        {
          id: 'ntt-ipx',
          name: 'NTT IPX',
          roles: ['ipx'],
          incorporatedIn: 'JP',
          headquarters: 'JP',
          controller: { id: 'ntt-inc', name: 'NTT, Inc.', type: 'company', country: 'JP' },
          stateControlled: false,
          ownershipResolved: true,
          chainText: 'NTT IPX (JP) → NTT, Inc. (JP, company, 100 %)',
          chain: [],
          highRisk: false,
          riskReasons: [],
          listings: [],
          usedBy: ['op-a'],
          declaredBy: [],
          location: { file: 'ixaudit:registry/carriers.yaml', line: 90, column: 5 },
        },
      ],
      agreements: [
        {
          operator: 'op-a',
          id: 'ag-op-a',
          counterparty: 'ntt-ipx',
          services: ['ss7-transit', 'ipx-transit'],
          signed: '2024-03-01',
          expires: '2027-02-28',
          current: true,
          location: { file: 'inputs/op-a/agreements.yaml', line: 9, column: 7 },
        },
        {
          operator: 'op-b',
          id: 'ag-op-b',
          counterparty: 'cmi',
          services: ['ss7-transit'],
          signed: '2020-01-01',
          expires: '2025-12-31',
          current: false,
          location: { file: 'inputs/op-b/agreements.yaml', line: 9, column: 7 },
        },
      ],
    },
  };
}

// ---------------------------------------------------------------------------------------------

async function readBook(path: string): Promise<ExcelJS.Workbook> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.readFile(path);
  return book;
}

function sheet(book: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const found = book.getWorksheet(name);
  if (!found) throw new Error(`no sheet ${name}; sheets: ${book.worksheets.map((w) => w.name).join(', ')}`);
  return found;
}

/** Row values, 0-based columns (exceljs puts an empty slot 0 in front). */
function rowValues(ws: ExcelJS.Worksheet, row: number): unknown[] {
  return (ws.getRow(row).values as unknown[]).slice(1);
}

/** A data row as a map from header to value, for readable assertions. */
function record(ws: ExcelJS.Worksheet, row: number): Record<string, unknown> {
  const headers = rowValues(ws, 1) as string[];
  const values = rowValues(ws, row);
  return Object.fromEntries(headers.map((h, i) => [h, values[i] ?? null]));
}

function findRow(ws: ExcelJS.Worksheet, predicate: (r: Record<string, unknown>) => boolean): Record<string, unknown> {
  for (let i = 2; i <= ws.rowCount; i++) {
    const r = record(ws, i);
    if (predicate(r)) return r;
  }
  throw new Error(`no matching row on ${ws.name}`);
}

const utc = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d));

describe('findings workbook (exceljs read-back)', async () => {
  const report = syntheticReport();
  const out = tempFiles({});
  const written = await writeWorkbooks(presentationOf(report), out);
  const book = await readBook(join(out, 'findings.xlsx'));

  it('writes the run-wide workbook and one per operator, with sheets in a fixed order', async () => {
    expect(written).toEqual([
      join(out, 'findings.xlsx'),
      join(out, 'op-a', 'findings.xlsx'),
      join(out, 'op-b', 'findings.xlsx'),
    ]);
    expect(book.worksheets.map((w) => w.name)).toEqual([
      'Summary',
      'Findings',
      'Occurrences',
      'Controls',
      'Routes',
      'Carriers',
      'Agreements',
      'Waivers',
      'Evidence',
      'Errors',
    ]);
    const operatorBook = await readBook(join(out, 'op-a', 'findings.xlsx'));
    expect(operatorBook.worksheets.map((w) => w.name)).toEqual([
      'Summary',
      'Findings',
      'Occurrences',
      'Controls',
      'Routes',
      'Carriers',
      'Agreements',
      'Waivers',
      'Evidence',
    ]);
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('Findings: one row per finding in the run order, with typed cells', () => {
    const ws = sheet(book, 'Findings');
    expect(rowValues(ws, 1)).toEqual(FINDING_COLUMNS.map((c) => c.header));
    expect(ws.rowCount).toBe(report.result.findings.length + 1);
    report.result.findings.forEach((f, i) => {
      expect(record(ws, i + 2).Subject).toBe(f.subject);
    });

    const waived = findRow(ws, (r) => r.Waiver === 'w-001');
    expect(waived).toMatchObject({
      Severity: 'critical',
      Status: 'waived',
      Operator: 'op-a',
      Subject: 'RoutingTable/rt-ss7#r-0004',
      File: 'inputs/op-a/routing.yaml',
      Line: 44,
      Column: 26,
      'Waiver status': 'applied',
    });
    expect(waived['Waiver expires']).toEqual(utc(2026, 12, 31));

    // Numbers are numbers, dates real dates at UTC midnight, empty cells empty.
    const row = ws.getRow(report.result.findings.indexOf(report.result.findings.find((f) => f.waiver)!) + 2);
    expect(row.getCell(7).type).toBe(ExcelJS.ValueType.Number); // Occurrences
    expect(row.getCell(10).type).toBe(ExcelJS.ValueType.Number);
    expect(row.getCell(16).type).toBe(ExcelJS.ValueType.Date);
    expect((row.getCell(16).value as Date).toISOString()).toBe('2026-12-31T00:00:00.000Z');
    expect(ws.getRow(2).getCell(16).type).toBe(ExcelJS.ValueType.Null);

    // Text with commas, quotes, newlines and CJK arrives intact.
    const notEvidenced = findRow(ws, (r) => r.Status === 'not-evidenced');
    expect(notEvidenced.Message).toBe(
      'Breach notice: "72 hours", longer than 24,\nand counted from confirmation. 通知は72時間以内',
    );
    // In the workbook a leading "=" is plain text, not a formula.
    expect(notEvidenced.Remediation).toBe('=HYPERLINK("http://example.invalid") is what a hostile input could say');
  });

  it('Findings: control ids link to their row on Controls; an unknown control stays plain text', () => {
    const ws = sheet(book, 'Findings');
    const controls = sheet(book, 'Controls');
    for (let i = 2; i <= ws.rowCount; i++) {
      const cell = ws.getRow(i).getCell(1);
      const control = report.result.findings[i - 2].control;
      if (control === 'ICX-ENGINE') {
        expect(cell.type).toBe(ExcelJS.ValueType.String);
        expect(cell.value).toBe('ICX-ENGINE');
        continue;
      }
      expect(cell.type).toBe(ExcelJS.ValueType.Formula);
      const { formula, result } = cell.value as ExcelJS.CellFormulaValue;
      expect(result).toBe(control);
      const target = /^HYPERLINK\("#Controls!A(\d+)","([^"]+)"\)$/.exec(formula);
      expect(target, formula).not.toBeNull();
      expect(target![2]).toBe(control);
      expect(controls.getRow(Number(target![1])).getCell(1).value).toBe(control);
    }
  });

  it('Findings: header frozen, autofilter, widths, severity and status coloured by conditional formatting', () => {
    const ws = sheet(book, 'Findings');
    const last = report.result.findings.length + 1;
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.autoFilter).toBe(`A1:Q${last}`);
    expect(ws.getColumn(12).width).toBe(100); // Message
    expect(ws.getColumn(1).width).toBe(13);
    const rules = (
      ws as unknown as {
        conditionalFormattings: Array<{
          ref: string;
          rules: Array<{ formulae: string[]; style: { fill: { bgColor: { argb: string } } } }>;
        }>;
      }
    ).conditionalFormattings;
    const byRef = Object.fromEntries(
      rules.map((cf) => [cf.ref, cf.rules.map((r) => [r.formulae[0], r.style.fill.bgColor.argb])]),
    );
    expect(byRef[`D2:D${last}`]).toContainEqual(['"critical"', 'FFC00000']);
    expect(byRef[`E2:E${last}`]).toContainEqual(['"fail"', 'FFFFC7CE']);
    expect(byRef[`E2:E${last}`]).toContainEqual(['"pass"', 'FFC6EFCE']);
    expect(ws.getRow(1).getCell(1).font).toMatchObject({ bold: true });
  });

  it('Controls: requirement, references, parameters in force, counts and the control × operator matrix', () => {
    const ws = sheet(book, 'Controls');
    expect(rowValues(ws, 1)).toEqual([
      'Control',
      'Family',
      'Title',
      'Severity',
      'Requirement',
      'References',
      'Parameters in force',
      ...STATUSES,
      'total',
      'op-a',
      'op-b',
    ]);
    const rt01 = record(ws, 3);
    expect(rt01).toMatchObject({
      Control: 'ICX-RT-01',
      Severity: 'critical',
      References: 'GSMA FS.11',
      'Parameters in force': 'highRiskJurisdictions = CN, HK; protocolServices = ss7: ss7-transit, ipx-transit',
    });
    const rt01Findings = report.result.findings.filter((f) => f.control === 'ICX-RT-01');
    for (const status of STATUSES)
      expect(rt01[status], status).toBe(rt01Findings.filter((f) => f.status === status).length);
    expect(rt01.total).toBe(rt01Findings.length);
    expect(ws.getRow(3).getCell(8).type).toBe(ExcelJS.ValueType.Number);
    // op-a has a failing RT-01 route, op-b too: the most pressing status wins.
    expect([rt01['op-a'], rt01['op-b']]).toEqual(['fail', 'fail']);
    expect(record(ws, 2)).toMatchObject({
      Control: 'ICX-CT-05',
      References: 'NIST SP 800-53 Rev. 5 IR-6; UK TSCoP (incident reporting)',
      'Parameters in force': 'maxBreachNotificationHours = 24',
      'op-a': 'not-evidenced',
      'op-b': 'pass',
    });
  });

  it('Routes: carriers with risk and controller, traffic share as a number, the controls each route fails', () => {
    const ws = sheet(book, 'Routes');
    expect(ws.rowCount).toBe(report.inventory.routes.length + 1);
    const r0 = findRow(ws, (r) => r.Operator === 'op-b' && r.Route === 'r-0000');
    expect(r0).toMatchObject({
      Table: 'rt-ss7',
      Protocol: 'ss7',
      Match: 'gtPrefix 860',
      'Dest. country': 'CN',
      'Dest. PLMN': '460-00',
      'Traffic share %': 12.5,
      Firewall: 'fw-main',
      Primary: 'cmi',
      'Primary high-risk': true,
      'Primary controller': 'SASAC (国务院国有资产监督管理委员会)',
      Backups: 'ctg (high-risk; controller sasac)',
      Transit: 'ntt-ipx (controller ntt-inc)',
      'High-risk hops': 2,
      'Avoidable high-risk hops': 2,
      'Failed controls': 'ICX-RT-01',
      File: 'inputs/op-b/routing.yaml',
      Line: 10,
    });
    const r2 = findRow(ws, (r) => r.Operator === 'op-a' && r.Route === 'r-0002');
    expect(r2).toMatchObject({
      'Traffic share %': null,
      'Dest. PLMN': '460-00',
      'Primary high-risk': false,
      'Failed controls': null,
    });
    const r1 = findRow(ws, (r) => r.Operator === 'op-a' && r.Route === 'r-0001');
    expect(r1).toMatchObject({ 'Dest. PLMN': null, Firewall: null });
    // op-a's r-0004 is waived, not failed.
    expect(findRow(ws, (r) => r.Operator === 'op-a' && r.Route === 'r-0000')['Failed controls']).toBe('ICX-RT-01');
  });

  it('Carriers, Agreements, Waivers, Evidence and Errors hold typed values', () => {
    expect(record(sheet(book, 'Carriers'), 2)).toMatchObject({
      Carrier: 'cmi',
      'Ultimate controller': 'sasac',
      'Controller type': 'government',
      'State-controlled': true,
      'Ownership resolved': true,
      'Ownership chain': 'CMI (HK) → China Mobile Limited (HK, company, 100 %) → SASAC (CN, government, 100 %)',
      'High-risk': true,
      'Risk reasons': 'ultimate controller SASAC (government) is in CN; listed on us-fcc-covered-list',
      Listings: 'us-fcc-covered-list',
      'Used by': 'op-a, op-b',
      Line: 41,
    });
    expect(record(sheet(book, 'Agreements'), 3)).toMatchObject({
      Agreement: 'ag-op-b',
      Signed: utc(2020, 1, 1),
      Expires: utc(2025, 12, 31),
      Current: false,
    });
    expect(record(sheet(book, 'Waivers'), 3)).toMatchObject({
      Waiver: 'w-002',
      Status: 'expired',
      Expires: utc(2026, 6, 30),
      Targets: 'RoutingTable/rt-ss7#r-0000',
      Justification: 'Migration contracted.',
      'Approved by': 'Security Office',
      Ticket: 'SEC-1',
      'Compensating controls': 'ICX-FW-01',
    });
    expect(record(sheet(book, 'Evidence'), 5)).toMatchObject({
      File: 'ixaudit:registry/carriers.yaml',
      'SHA-256': 'd'.repeat(64),
      Bytes: 40_000,
      'Shipped with ixaudit': true,
    });
    expect(record(sheet(book, 'Errors'), 2)).toEqual({
      File: 'inputs/op-b/broken.yaml',
      Line: 3,
      Column: 5,
      Code: 'schema',
      Message: 'spec.country: expected a country code',
    });
  });

  it('Summary: run facts, severity × status counts and per-operator totals', () => {
    const ws = sheet(book, 'Summary');
    const facts = new Map<string, unknown>();
    ws.eachRow((row) => facts.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(facts.get('Audit date')).toEqual(utc(2026, 7, 1));
    expect(facts.get('Profile')).toBe('regulator');
    expect(facts.get('Profile chain')).toBe('regulator → default');
    expect(facts.get('Tool')).toBe('ixaudit 9.8.7');
    expect(facts.get('Catalog version')).toBe('1.2.3');
    expect(facts.get('Controls evaluated')).toBe(2);
    expect(facts.get('Findings listed')).toBe(report.result.findings.length);
    expect(facts.has('Findings counted, not listed')).toBe(false);
    expect(facts.has('Baseline')).toBe(false);
    expect(facts.get('Input errors')).toBe(1);
    const critical = ws.getRows(1, ws.rowCount)!.find((r) => r.getCell(1).value === 'critical')!;
    const bySeverity = report.result.summary.bySeverity.critical;
    expect((critical.values as unknown[]).slice(2)).toEqual([
      ...STATUSES.map((s) => bySeverity[s]),
      STATUSES.reduce((n, s) => n + bySeverity[s], 0),
    ]);
    const opA = ws.getRows(1, ws.rowCount)!.find((r) => r.getCell(1).value === 'op-a')!;
    const counts = report.result.summary.operators[0].counts;
    expect((opA.values as unknown[]).slice(1)).toEqual([
      'op-a',
      ...STATUSES.map((s) => counts[s]),
      STATUSES.reduce((n, s) => n + counts[s], 0),
      'FAIL',
      'JP',
      'さくら "Alpha", Inc.',
    ]);
    expect(opA.getCell(2).type).toBe(ExcelJS.ValueType.Number);
  });

  it("an operator's workbook holds only that operator's findings, routes, carriers and input files", async () => {
    const opB = await readBook(join(out, 'op-b', 'findings.xlsx'));
    const findings = sheet(opB, 'Findings');
    expect(findings.rowCount - 1).toBe(report.result.findings.filter((f) => f.operator === 'op-b').length);
    for (let i = 2; i <= findings.rowCount; i++) expect(record(findings, i).Operator).toBe('op-b');
    expect(sheet(opB, 'Routes').rowCount - 1).toBe(6);
    const carriers = sheet(opB, 'Carriers');
    expect([record(carriers, 2).Carrier, record(carriers, 2)['Used by'], carriers.rowCount]).toEqual([
      'cmi',
      'op-b',
      2,
    ]);
    const evidence = sheet(opB, 'Evidence');
    const files = Array.from({ length: evidence.rowCount - 1 }, (_, i) => record(evidence, i + 2).File);
    expect(files).toEqual(['inputs/op-b/routing.yaml', 'regulator/profile.yaml', 'ixaudit:registry/carriers.yaml']);
    const summary = sheet(opB, 'Summary');
    expect(summary.getRow(1).getCell(1).value).toBe('ixaudit findings: op-b');
    // The link targets are the same Controls rows as in the run-wide workbook.
    expect((findings.getRow(2).getCell(1).value as ExcelJS.CellFormulaValue).formula).toBe(
      'HYPERLINK("#Controls!A2","ICX-CT-05")',
    );
  });

  it('workbook created/modified are the audit date, not the clock', () => {
    expect(book.created).toEqual(utc(2026, 7, 1));
    expect(book.modified).toEqual(utc(2026, 7, 1));
    expect(book.creator).toBe('ixaudit');
  });
});

describe('findings workbook: counted findings of large tables, and --baseline', () => {
  it('counted (not listed) passing findings get their own sheet and count in Controls and Summary', async () => {
    const report = syntheticReport();
    report.result.summarised = [
      {
        operator: 'op-a',
        control: 'ICX-RT-01',
        status: 'pass',
        count: 2500,
        examples: ['RoutingTable/rt-big#r-1', 'RoutingTable/rt-big#r-2'],
      },
      { operator: 'op-a', control: 'ICX-CT-05', status: 'not-applicable', count: 7, examples: [] },
    ];
    const out = tempFiles({});
    await writeWorkbooks(presentationOf(report), out);
    const book = await readBook(join(out, 'findings.xlsx'));
    expect(book.worksheets.map((w) => w.name).slice(0, 5)).toEqual([
      'Summary',
      'Findings',
      'Occurrences',
      'Counted',
      'Controls',
    ]);
    const counted = sheet(book, 'Counted');
    expect(record(counted, 2)).toMatchObject({
      Operator: 'op-a',
      Status: 'pass',
      Count: 2500,
      Examples: 'RoutingTable/rt-big#r-1, RoutingTable/rt-big#r-2',
    });
    expect((counted.getRow(2).getCell(2).value as ExcelJS.CellFormulaValue).formula).toBe(
      'HYPERLINK("#Controls!A3","ICX-RT-01")',
    );
    const rt01 = record(sheet(book, 'Controls'), 3);
    const listedPasses = report.result.findings.filter((f) => f.control === 'ICX-RT-01' && f.status === 'pass').length;
    expect([rt01.pass, rt01.total]).toEqual([
      listedPasses + 2500,
      report.result.findings.filter((f) => f.control === 'ICX-RT-01').length + 2500,
    ]);
    // CT-05 for op-a: listed not-evidenced beats counted not-applicable.
    expect(record(sheet(book, 'Controls'), 2)['op-a']).toBe('not-evidenced');
    const facts = new Map<string, unknown>();
    const summary = sheet(await readBook(join(out, 'op-a', 'findings.xlsx')), 'Summary');
    summary.eachRow((row) => facts.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(facts.get('Findings counted, not listed')).toBe(2507);
    // The operator's severity table counts them at their control's severity.
    const critical = summary.getRows(1, summary.rowCount)!.find((r) => r.getCell(1).value === 'critical')!;
    const listedCriticalPasses = report.result.findings.filter(
      (f) => f.operator === 'op-a' && f.severity === 'critical' && f.status === 'pass',
    ).length;
    expect(critical.getCell(6).value).toBe(listedCriticalPasses + 2500); // B..G are the statuses: pass is F
  });

  it('with a baseline: a change column per finding, the removed findings, and the comparison on Summary', async () => {
    const report = syntheticReport();
    report.result.findings.forEach((f, i) => {
      f.baseline = i % 2 === 0 ? { state: 'new' } : { state: 'changed', previousStatus: 'fail' };
      // --baseline compares occurrence by occurrence; here each finding has one.
      f.occurrences = f.occurrences.map((o) => ({ ...o, baseline: f.baseline }));
    });
    report.result.baseline = {
      source: 'out-2026q1',
      previousAuditDate: '2026-01-15',
      counts: { new: 8, regressed: 0, improved: 0, unchanged: 0, changed: 7, resolved: 1 },
      removed: [
        {
          control: 'ICX-RT-01',
          title: TITLES['ICX-RT-01'][0],
          severity: 'critical',
          operator: 'op-b',
          subject: 'RoutingTable/rt-old#r-9',
          previousStatus: 'fail',
          fingerprint: 'f'.repeat(32),
        },
      ],
    };
    const out = tempFiles({});
    await writeWorkbooks(presentationOf(report), out);
    const book = await readBook(join(out, 'findings.xlsx'));
    expect(book.worksheets.map((w) => w.name).slice(0, 5)).toEqual([
      'Summary',
      'Findings',
      'Occurrences',
      'Removed',
      'Controls',
    ]);
    const findings = sheet(book, 'Findings');
    expect(rowValues(findings, 1).slice(-3)).toEqual(['Fingerprint', 'Change since baseline', 'Previous status']);
    expect(record(findings, 3)).toMatchObject({ 'Change since baseline': 'changed', 'Previous status': 'fail' });
    expect(record(findings, 2)).toMatchObject({ 'Change since baseline': 'new', 'Previous status': null });
    expect(record(sheet(book, 'Removed'), 2)).toMatchObject({
      Operator: 'op-b',
      Subject: 'RoutingTable/rt-old#r-9',
      'Previous status': 'fail',
    });
    const facts = new Map<string, unknown>();
    sheet(book, 'Summary').eachRow((row) => facts.set(String(row.getCell(1).value), row.getCell(2).value));
    expect([
      facts.get('Baseline'),
      facts.get('Baseline audit date'),
      facts.get('New since baseline'),
      facts.get('Resolved since baseline'),
    ]).toEqual(['out-2026q1', utc(2026, 1, 15), 8, 1]);
    // op-a's own part: its listed findings' states, and no removed finding of op-b.
    const opA = await readBook(join(out, 'op-a', 'findings.xlsx'));
    expect(sheet(opA, 'Removed').rowCount).toBe(1);
    const opFacts = new Map<string, unknown>();
    sheet(opA, 'Summary').eachRow((row) => opFacts.set(String(row.getCell(1).value), row.getCell(2).value));
    const own = report.result.findings.filter((f) => f.operator === 'op-a');
    expect([
      opFacts.get('New since baseline'),
      opFacts.get('Changed since baseline'),
      opFacts.get('Resolved since baseline'),
    ]).toEqual([
      own.filter((f) => f.baseline!.state === 'new').length,
      own.filter((f) => f.baseline!.state === 'changed').length,
      0,
    ]);
  });
});

describe('findings workbook by cause: Findings counts occurrences, Occurrences lists them', async () => {
  const flat = syntheticReport();
  const report = mergedByCause(syntheticReport());
  const out = tempFiles({});
  await writeWorkbooks(presentationOf(report), out);
  const book = await readBook(join(out, 'findings.xlsx'));
  const flatOut = tempFiles({});
  await writeWorkbooks(presentationOf(flat), flatOut);

  it('Findings: one row per cause, its number of occurrences and its first occurrence', () => {
    const ws = sheet(book, 'Findings');
    expect(ws.rowCount - 1).toBe(report.result.findings.length);
    expect(report.result.findings.length).toBeLessThan(flat.result.findings.length);
    report.result.findings.forEach((f, i) => {
      expect(record(ws, i + 2)).toMatchObject({
        Control: expect.anything(),
        Operator: f.operator,
        Occurrences: f.occurrences.length,
        Subject: f.subject,
        Line: f.location.line,
        Fingerprint: f.fingerprint,
      });
    });
    expect(findRow(ws, (r) => r.Operator === 'op-b' && r.Status === 'fail')).toMatchObject({
      Occurrences: 2,
      Subject: 'RoutingTable/rt-ss7#r-0000',
    });
  });

  it('Occurrences: one row per subject, linked to its finding on Findings and its control on Controls', () => {
    const ws = sheet(book, 'Occurrences');
    const findings = sheet(book, 'Findings');
    expect(rowValues(ws, 1)).toEqual(OCCURRENCE_COLUMNS.map((c) => c.header));
    const expected = report.result.findings.flatMap((f) => f.occurrences.map((o) => ({ f, o })));
    expect(ws.rowCount - 1).toBe(expected.length);
    expect(expected.length).toBe(flat.result.findings.length);
    expected.forEach(({ f, o }, i) => {
      const row = ws.getRow(i + 2);
      const link = row.getCell(1).value as ExcelJS.CellFormulaValue;
      const target = /^HYPERLINK\("#Findings!A(\d+)","([0-9A-Za-z]+)"\)$/.exec(link.formula);
      expect(target, link.formula).not.toBeNull();
      expect([link.result, target![2]]).toEqual([f.fingerprint, f.fingerprint]);
      expect(record(findings, Number(target![1])).Fingerprint).toBe(f.fingerprint);
      expect(record(ws, i + 2)).toMatchObject({
        Operator: f.operator,
        Status: f.status,
        Subject: o.subject,
        File: o.location.file,
        Line: o.location.line,
        Column: o.location.column,
        Evidence: null,
        Fingerprint: o.fingerprint,
      });
      expect(row.getCell(7).type).toBe(ExcelJS.ValueType.Number);
    });
    expect(ws.autoFilter).toBe(`A1:J${expected.length + 1}`);
  });

  it('Occurrences: evidence of its own as JSON, and each occurrence’s baseline state', async () => {
    const compared = mergedByCause(syntheticReport());
    const f = compared.result.findings.find((x) => x.occurrences.length === 4)!;
    f.occurrences = f.occurrences.map((o, i) => ({
      ...o,
      evidence: { trafficShare: 10 + i },
      baseline: i === 2 ? { state: 'new' } : { state: 'unchanged' },
    }));
    f.baseline = { state: 'unchanged' };
    compared.result.baseline = {
      source: 'before',
      previousAuditDate: '2026-01-15',
      counts: { new: 1, regressed: 0, improved: 0, unchanged: 3, changed: 0, resolved: 0 },
      removed: [],
    };
    const dir = tempFiles({});
    await writeWorkbooks(presentationOf(compared), dir);
    const ws = sheet(await readBook(join(dir, 'findings.xlsx')), 'Occurrences');
    expect(rowValues(ws, 1).slice(-2)).toEqual(['Change since baseline', 'Previous status']);
    const own = Array.from({ length: ws.rowCount - 1 }, (_, i) => record(ws, i + 2)).filter(
      (r) => (r.Finding as ExcelJS.CellFormulaValue).result === f.fingerprint,
    );
    expect(own.map((r) => [r.Evidence, r['Change since baseline']])).toEqual([
      ['{"trafficShare":10}', 'unchanged'],
      ['{"trafficShare":11}', 'unchanged'],
      ['{"trafficShare":12}', 'new'],
      ['{"trafficShare":13}', 'unchanged'],
    ]);
    // The operator's own comparison counts occurrences: one new, three unchanged.
    const facts = new Map<string, unknown>();
    const operator = f.operator;
    sheet(await readBook(join(dir, operator, 'findings.xlsx')), 'Summary').eachRow((row) =>
      facts.set(String(row.getCell(1).value), row.getCell(2).value),
    );
    expect(facts.get('New since baseline')).toBe(1);
  });

  it('Routes, Controls and Summary count subjects, as before the grouping', async () => {
    const flatBook = await readBook(join(flatOut, 'findings.xlsx'));
    for (const name of ['Routes', 'Controls']) {
      const grouped = sheet(book, name);
      const ungrouped = sheet(flatBook, name);
      expect(grouped.rowCount, name).toBe(ungrouped.rowCount);
      for (let i = 1; i <= grouped.rowCount; i++)
        expect(rowValues(grouped, i), `${name} ${i}`).toEqual(rowValues(ungrouped, i));
    }
    const facts = (ws: ExcelJS.Worksheet) => {
      const map = new Map<string, unknown>();
      ws.eachRow((row) => map.set(String(row.getCell(1).value), row.getCell(2).value));
      return map;
    };
    const summary = facts(sheet(book, 'Summary'));
    expect([summary.get('Findings listed'), summary.get('Occurrences listed')]).toEqual([
      report.result.findings.length,
      flat.result.findings.length,
    ]);
    // An operator's severity × status table is made from its findings: one for each occurrence.
    for (const operator of ['op-a', 'op-b']) {
      const grouped = sheet(await readBook(join(out, operator, 'findings.xlsx')), 'Summary');
      const ungrouped = sheet(await readBook(join(flatOut, operator, 'findings.xlsx')), 'Summary');
      const table = (ws: ExcelJS.Worksheet) =>
        ws
          .getRows(1, ws.rowCount)!
          .filter((r) => ['critical', 'high', 'medium', 'low', 'info', 'total'].includes(String(r.getCell(1).value)))
          .map((r) => (r.values as unknown[]).slice(1));
      expect(table(grouped)).toEqual(table(ungrouped));
      expect(table(grouped).length).toBe(6);
    }
  });

  it('a table past the sheet limit (an option, not an environment variable) continues on "Occurrences (2)" …, links following the Findings parts', async () => {
    const dir = tempFiles({});
    await writeWorkbooks(presentationOf(report), dir, { ...DEFAULT_LIMITS, maxRowsPerSheet: 3 });
    const split = await readBook(join(dir, 'findings.xlsx'));
    const names = split.worksheets.map((w) => w.name);
    expect(names.filter((n) => n.startsWith('Findings'))).toEqual(['Findings', 'Findings (2)', 'Findings (3)']);
    expect(names.filter((n) => n.startsWith('Occurrences'))).toEqual([
      'Occurrences',
      'Occurrences (2)',
      'Occurrences (3)',
      'Occurrences (4)',
      'Occurrences (5)',
    ]);
    expect(names.filter((n) => n.startsWith('Routes'))).toEqual(['Routes', 'Routes (2)', 'Routes (3)', 'Routes (4)']);
    const parts = split.worksheets.filter((w) => w.name.startsWith('Occurrences'));
    expect(parts.map((w) => w.rowCount - 1)).toEqual([3, 3, 3, 3, 3]);
    for (const part of parts) expect(rowValues(part, 1)).toEqual(OCCURRENCE_COLUMNS.map((c) => c.header));
    // Every link lands on its finding's row, whichever part of Findings holds it.
    let checked = 0;
    for (const part of parts) {
      for (let i = 2; i <= part.rowCount; i++) {
        const { formula, result } = part.getRow(i).getCell(1).value as ExcelJS.CellFormulaValue;
        const target = /^HYPERLINK\("#(?:'([^']+)'|(Findings))!A(\d+)","([0-9A-Za-z]+)"\)$/.exec(formula);
        expect(target, formula).not.toBeNull();
        const findings = sheet(split, target![1] ?? target![2]);
        expect(record(findings, Number(target![3])).Fingerprint).toBe(result);
        checked++;
      }
    }
    expect(checked).toBe(flat.result.findings.length);
    // The operator workbooks get the same limit.
    const opB = await readBook(join(dir, 'op-b', 'findings.xlsx'));
    expect(opB.worksheets.map((w) => w.name).filter((n) => n.startsWith('Routes'))).toEqual(['Routes', 'Routes (2)']);
  });
});

/** Each zip entry's name and MS-DOS date/time, from the central directory. */
function zipEntryTimes(path: string): Array<{ name: string; date: number; time: number }> {
  const buf = readFileSync(path);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let i = 0; i < buf.readUInt16LE(eocd + 10); i++) {
    const nameLength = buf.readUInt16LE(at + 28);
    const local = buf.readUInt32LE(at + 42);
    entries.push({
      name: buf.toString('utf8', at + 46, at + 46 + nameLength),
      time: buf.readUInt16LE(at + 12),
      date: buf.readUInt16LE(at + 14),
    });
    // The local header must say the same.
    expect([buf.readUInt16LE(local + 10), buf.readUInt16LE(local + 12)]).toEqual([
      buf.readUInt16LE(at + 12),
      buf.readUInt16LE(at + 14),
    ]);
    at += 46 + nameLength + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  return entries;
}

describe('findings workbook: determinism, limits and failures', () => {
  it('the same report gives the same bytes, later and on worker threads; every zip entry is dated the audit day, 00:00', async () => {
    const report = syntheticReport();
    const [a, b] = [tempFiles({}), tempFiles({})];
    await writeWorkbooks(presentationOf(report), a);
    await new Promise((resolve) => setTimeout(resolve, 2100)); // past the zip format's 2-second resolution
    // The second time the operators' workbooks are drawn by two render workers (a sector run's --jobs),
    // each from its operator's part of the model, with the failed-controls lookup made there.
    const started = operatorWorkers.started;
    await withWorkerLimits({ minSentItems: 0 }, () =>
      writeWorkbooks(presentationOf(report), b, DEFAULT_LIMITS, { jobs: 2 }),
    );
    expect(operatorWorkers.started - started).toBe(2);
    for (const file of ['findings.xlsx', 'op-a/findings.xlsx', 'op-b/findings.xlsx']) {
      expect(readFileSync(join(a, file)).equals(readFileSync(join(b, file))), file).toBe(true);
    }
    const entries = zipEntryTimes(join(a, 'findings.xlsx'));
    expect(entries.map((e) => e.name)).toContain('xl/worksheets/sheet2.xml');
    const day = ((2026 - 1980) << 9) | (7 << 5) | 1;
    expect(dosDate(utc(2026, 7, 1))).toBe(day);
    for (const entry of entries) expect([entry.name, entry.date, entry.time]).toEqual([entry.name, day, 0]);
  });

  it('a table longer than the sheet limit continues on "Findings (2)", each part with its header and filter', async () => {
    const report = syntheticReport(6);
    const out = tempFiles({});
    await writeWorkbook(join(out, 'small.xlsx'), workbookModel(runScope(presentationOf(report)), 5), {
      ...DEFAULT_LIMITS,
      maxRowsPerSheet: 5,
    });
    const book = await readBook(join(out, 'small.xlsx'));
    const parts = book.worksheets.filter((w) => w.name.startsWith('Findings'));
    expect(book.worksheets.filter((w) => w.name.startsWith('Occurrences')).map((w) => w.name)).toEqual([
      'Occurrences',
      'Occurrences (2)',
      'Occurrences (3)',
    ]);
    const total = report.result.findings.length; // 2 + 12 + 1 = 15
    expect(parts.map((w) => w.name)).toEqual(['Findings', 'Findings (2)', 'Findings (3)']);
    expect(parts.map((w) => w.rowCount - 1)).toEqual([5, 5, total - 10]);
    expect(parts.map((w) => w.autoFilter)).toEqual(['A1:Q6', 'A1:Q6', `A1:Q${total - 10 + 1}`]);
    expect(rowValues(parts[2], 1)).toEqual(FINDING_COLUMNS.map((c) => c.header));
    const subjects = parts.flatMap((w) => Array.from({ length: w.rowCount - 1 }, (_, i) => record(w, i + 2).Subject));
    expect(subjects).toEqual(report.result.findings.map((f) => f.subject));
    expect(book.worksheets.map((w) => w.name)).toEqual([
      'Summary',
      'Findings',
      'Findings (2)',
      'Findings (3)',
      'Occurrences',
      'Occurrences (2)',
      'Occurrences (3)',
      'Controls',
      'Routes',
      'Routes (2)',
      'Routes (3)',
      'Carriers',
      'Agreements',
      'Waivers',
      'Evidence',
      'Errors',
    ]);
  });

  it('a text longer than a cell may hold is cut to 32,767 characters with a note', async () => {
    const report = syntheticReport(1);
    report.result.findings[0].message = 'x'.repeat(40_000);
    const out = tempFiles({});
    await writeWorkbooks(presentationOf(report), out);
    const message = String(record(sheet(await readBook(join(out, 'findings.xlsx')), 'Findings'), 2).Message);
    expect(message).toHaveLength(EXCEL_MAX_CELL_CHARS);
    expect(message.endsWith('[truncated: the full text is in findings.json]')).toBe(true);
  });

  it('an output stream that fails (here: a folder where the temporary file goes) is an error, not a hang', async () => {
    const out = tempFiles({ 'findings.xlsx': 'previous workbook' });
    mkdirSync(join(out, `.findings.xlsx.${process.pid}.tmp`));
    const model = workbookModel(runScope(presentationOf(syntheticReport())));
    await expect(writeWorkbook(join(out, 'findings.xlsx'), model)).rejects.toThrow(/EISDIR/);
    expect(readFileSync(join(out, 'findings.xlsx'), 'utf8')).toBe('previous workbook');
  });

  it('a failure while writing leaves the previous workbook untouched and no temporary file', async () => {
    const out = tempFiles({ 'findings.xlsx': 'previous workbook' });
    const model = workbookModel(runScope(presentationOf(syntheticReport())));
    const rows = function* () {
      yield ['ok'];
      throw new Error('disk on fire');
    };
    model.tables[2] = { name: 'Broken', columns: [{ header: 'A', width: 5 }], rows: { [Symbol.iterator]: rows } };
    await expect(writeWorkbook(join(out, 'findings.xlsx'), model)).rejects.toThrow('disk on fire');
    expect(readFileSync(join(out, 'findings.xlsx'), 'utf8')).toBe('previous workbook');
    expect(readdirSync(out)).toEqual(['findings.xlsx']);
  });
});

// ---------------------------------------------------------------------------------------------
// LibreOffice, as an analyst without Excel would open it. .ci/run installs it; where soffice is not
// installed (or IXAUDIT_SKIP_TOOLS=soffice) these are skipped, saying so, except on CI, where they fail.

describeWith(['soffice'], 'findings workbook opened by LibreOffice', () => {
  // Both workbooks are written first and converted in one run of soffice.
  // By cause (8 findings, 15 occurrences, 12 routes), with at most 10 rows a sheet: Occurrences and
  // Routes continue on a second sheet, as a national table's would past 1,048,576 rows.
  let report: AuditReport;
  let samples: AuditReport;
  let out: { split: string; samples: string };
  let converted: ReturnType<typeof libreOfficeSheets>;
  beforeAll(async () => {
    report = mergedByCause(syntheticReport());
    samples = auditReport(['inputs'], REGULATOR);
    out = { split: tempFiles({}), samples: tempFiles({}) };
    await writeWorkbooks(presentationOf(report), out.split, { ...DEFAULT_LIMITS, maxRowsPerSheet: 10 });
    const { csvReporter } = await import('../src/report/csv/index.js');
    await writeWorkbooks(presentationOf(samples), out.samples);
    await csvReporter.write(presentationOf(samples), out.samples, {});
    converted = libreOfficeSheets({
      split: join(out.split, 'findings.xlsx'),
      samples: join(out.samples, 'findings.xlsx'),
    });
  });

  it('every sheet converts, split tables too, and values survive: text, numbers, dates, booleans, links', () => {
    const sheets = converted.split!;
    expect(Object.keys(sheets).sort()).toEqual([
      'Agreements',
      'Carriers',
      'Controls',
      'Errors',
      'Evidence',
      'Findings',
      'Occurrences',
      'Occurrences (2)',
      'Routes',
      'Routes (2)',
      'Summary',
      'Waivers',
    ]);

    const findings = sheets.Findings;
    expect(findings[0]).toEqual(FINDING_COLUMNS.map((c) => c.header));
    expect(findings).toHaveLength(report.result.findings.length + 1);
    report.result.findings.forEach((f, i) => {
      const row = findings[i + 1];
      // The link formula shows its control id; counts, line and column are plain numbers.
      expect([row[0], row[4], row[6], row[7], row[9], row[10], row[11]]).toEqual([
        f.control,
        f.status,
        String(f.occurrences.length),
        f.subject,
        String(f.location.line),
        String(f.location.column),
        f.message,
      ]);
    });
    const waived = findings.find((r) => r[13] === 'w-001')!;
    expect(waived.slice(13, 16)).toEqual(['w-001', 'applied', '2026-12-31']);

    // Each part has the header; the rows run on in order; the Finding link shows the finding's fingerprint.
    expect(sheets['Occurrences (2)'][0]).toEqual(OCCURRENCE_COLUMNS.map((c) => c.header));
    const occurrences = [...sheets.Occurrences.slice(1), ...sheets['Occurrences (2)'].slice(1)];
    expect(occurrences.map((r) => r.slice(0, 8))).toEqual(
      report.result.findings.flatMap((f) =>
        f.occurrences.map((o) => [
          f.fingerprint,
          f.control,
          f.operator,
          f.status,
          o.subject,
          o.location.file,
          String(o.location.line),
          String(o.location.column),
        ]),
      ),
    );
    expect([sheets.Occurrences.length, sheets['Occurrences (2)'].length]).toEqual([11, 6]);

    const routes = [...sheets.Routes.slice(1), ...sheets['Routes (2)'].slice(1)];
    expect(routes).toHaveLength(report.inventory.routes.length);
    const r0 = routes.find((r) => r[0] === 'op-b' && r[2] === 'r-0000')!;
    expect([r0[8], r0[12], r0[13], r0[16]]).toEqual(['12.5', 'TRUE', 'SASAC (国务院国有资产监督管理委员会)', '2']);
    // r-0004 is the second occurrence of op-b's RT-01 failure: it fails RT-01 too.
    expect(routes.find((r) => r[0] === 'op-b' && r[2] === 'r-0004')![18]).toBe('ICX-RT-01');
    expect(sheets.Summary.find((r) => r[0] === 'Audit date')![1]).toBe('2026-07-01');
    const opA = sheets.Summary.find((r) => r[0] === 'op-a')!;
    expect([opA[0], opA[1], opA[8], opA[9], opA[10]]).toEqual([
      'op-a',
      String(report.result.summary.operators[0].counts.fail),
      'FAIL',
      'JP',
      'さくら "Alpha", Inc.',
    ]);
    expect(sheets.Agreements[2].slice(4, 7)).toEqual(['2020-01-01', '2025-12-31', 'FALSE']);
  });

  it('the bundled samples: LibreOffice reads the same Findings that findings.csv holds', () => {
    const fromWorkbook = converted.samples!.Findings;
    // Our CSV guards text starting with = + - @ with an apostrophe (for Excel); undo that to compare.
    const fromCsv = parseCsv(readFileSync(join(out.samples, 'findings.csv'), 'utf8').replace(/^\uFEFF/, '')).map((r) =>
      r.map((f) => f.replace(/^'(?=[=+\-@\t\r])/, '')),
    );
    expect(fromWorkbook).toHaveLength(samples.result.findings.length + 1);
    expect(fromWorkbook).toEqual(fromCsv);
  });
});

describe('the bundled samples', async () => {
  const report = auditReport(['inputs'], REGULATOR);
  const out = tempFiles({});
  await writeWorkbooks(presentationOf(report), out);

  it('jp-sakura: its waivers, its Hong Kong route through cmi, and the counts of its summary', async () => {
    const book = await readBook(join(out, 'jp-sakura', 'findings.xlsx'));
    const waivers = sheet(book, 'Waivers');
    expect(findRow(waivers, (r) => r.Waiver === 'w-jp-002')).toMatchObject({
      Status: 'expired',
      Expires: utc(2026, 6, 30),
      Control: 'ICX-RT-02',
    });
    const route = findRow(sheet(book, 'Routes'), (r) => r.Table === 'rt-jp-ss7-2026q2' && r.Route === 'r-0001');
    expect(route).toMatchObject({
      Protocol: 'ss7',
      Primary: 'cmi',
      'Primary high-risk': true,
      File: 'inputs/jp-sakura/routing-ss7.yaml',
    });
    const waived = findRow(sheet(book, 'Findings'), (r) => r.Waiver === 'w-jp-001');
    expect(waived).toMatchObject({
      Status: 'waived',
      Subject: 'RoutingTable/rt-jp-ss7-2026q2#r-0001',
      'Waiver expires': utc(2026, 12, 31),
    });
    // Findings are causes; their occurrences are the subjects the summary counts.
    const jp = report.result.summary.operators.find((o) => o.id === 'jp-sakura')!;
    const findings = sheet(book, 'Findings');
    const occurrences = Array.from({ length: findings.rowCount - 1 }, (_, i) =>
      Number(record(findings, i + 2).Occurrences),
    );
    expect(occurrences.reduce((a, b) => a + b, 0)).toBe(STATUSES.reduce((n, s) => n + jp.counts[s], 0));
    expect(sheet(book, 'Occurrences').rowCount - 1).toBe(STATUSES.reduce((n, s) => n + jp.counts[s], 0));
  });

  it('the run-wide workbook lists every finding, route and input file', async () => {
    const book = await readBook(join(out, 'findings.xlsx'));
    expect(sheet(book, 'Findings').rowCount - 1).toBe(report.result.findings.length);
    expect(sheet(book, 'Routes').rowCount - 1).toBe(report.inventory.routes.length);
    expect(sheet(book, 'Evidence').rowCount - 1).toBe(report.result.run.inputs.length);
    expect(statSync(join(out, 'findings.xlsx')).size).toBeGreaterThan(10_000);
  });
});

// ---------------------------------------------------------------------------------------------
// The large-table measurement behind docs/workbook.md: IXAUDIT_BENCH=1 npx vitest run test/report-xlsx.test.ts

describe.skipIf(process.env.IXAUDIT_BENCH !== '1')('benchmark (IXAUDIT_BENCH=1)', () => {
  it('writes the workbooks of a synthetic 200k-route, 2-operator report with bounded memory', async () => {
    const routes = Number(process.env.IXAUDIT_BENCH_ROUTES ?? 200_000);
    const report = syntheticReport(routes / 2);
    // Six route controls per route, as the catalog has: pad each route to six findings.
    const padded: Finding[] = [];
    for (const f of report.result.findings) {
      padded.push(f);
      if (f.subject.startsWith('RoutingTable/'))
        for (let k = 0; k < 5; k++)
          padded.push({ ...f, control: 'ICX-CT-05', status: 'pass', message: `Route ${f.subject} passes check ${k}.` });
    }
    report.result.findings = padded;
    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
    const cpu = process.cpuUsage();
    const started = performance.now();
    const out = tempFiles({});
    const files = await writeWorkbooks(presentationOf(report), out);
    const seconds = (performance.now() - started) / 1000;
    clearInterval(timer);
    const used = process.cpuUsage(cpu);
    const figures = {
      routes,
      findings: padded.length,
      seconds: +seconds.toFixed(1),
      cpuSeconds: +((used.user + used.system) / 1e6).toFixed(1),
      rssBeforeMB: Math.round(base / 1e6),
      rssPeakMB: Math.round(peak / 1e6),
      files: files.map((f) => `${f.slice(out.length + 1)} ${(statSync(f).size / 1e6).toFixed(1)} MB`),
    };
    writeFileSync(join(out, 'bench.json'), JSON.stringify(figures));
    console.log(JSON.stringify(figures));
    expect(peak - base).toBeLessThan(600e6);
  }, 1_800_000);
});

describe('a national table’s occurrences', () => {
  // Issue 15: at 200,000 routes the Occurrences sheet was 585,000 of a workbook's 785,000 rows and most of
  // its 89 s. Past WORKBOOK_OCCURRENCE_ROWS it is left to occurrences.csv when the run wrote that file.
  const big = nationalScale(auditReport(['inputs'], REGULATOR), WORKBOOK_OCCURRENCE_ROWS + 1, 5);
  const occurrencesSheet = (artifacts: string[], operator?: string) => {
    const presentation = { ...presentationOf(big), artifacts };
    const scope = operator
      ? operatorScope(presentation, presentation.operators.find((o) => o.id === operator)!)
      : runScope(presentation);
    return workbookModel(scope).tables.find((t) => t.name === 'Occurrences')!;
  };

  it('are left to occurrences.csv, with their count, when the run wrote it', () => {
    const sheet = occurrencesSheet(['findings.json', 'occurrences.csv']);
    const rows = [...sheet.rows];
    expect(rows).toHaveLength(1);
    const total = big.result.findings.reduce((n, f) => n + f.occurrences.length, 0);
    expect(String(rows[0][0])).toContain(
      `${total.toLocaleString('en-US')} occurrences (one row per subject) are in occurrences.csv`,
    );
    const operator = big.result.findings.find((f) => f.occurrences.length > WORKBOOK_OCCURRENCE_ROWS)!.operator;
    expect(String([...occurrencesSheet(['occurrences.csv'], operator).rows][0][0])).toContain(
      `are in ../occurrences.csv (its rows with Operator ${operator})`,
    );
  });

  it('leave a national Routes table to routes.csv the same way', () => {
    const many = structuredClone(big);
    const route = many.inventory.routes[0];
    many.inventory.routes = Array.from({ length: WORKBOOK_ROUTE_ROWS + 1 }, (_, i) => ({ ...route, id: `r-${i}` }));
    const routesSheet = (artifacts: string[]) =>
      workbookModel(runScope({ ...presentationOf(many), artifacts })).tables.find((t) => t.name === 'Routes')!;
    expect(String([...routesSheet(['routes.csv']).rows][0][0])).toContain(
      `${(WORKBOOK_ROUTE_ROWS + 1).toLocaleString('en-US')} routes are in routes.csv`,
    );
    let rows = 0;
    for (const _ of routesSheet([]).rows) rows++;
    expect(rows).toBe(WORKBOOK_ROUTE_ROWS + 1);
  });

  it('are all in the workbook when the run wrote no occurrences.csv (--format xlsx)', () => {
    const sheet = occurrencesSheet(['findings.json']);
    let rows = 0;
    for (const _ of sheet.rows) rows++;
    expect(rows).toBe(big.result.findings.reduce((n, f) => n + f.occurrences.length, 0));
  });
});

describe('findings workbook, printed or on screen', () => {
  // The samples' jp-sakura workbook, converted to PDF by LibreOffice, printed its Summary so small it
  // could not be read (the registry's changes ran on from column B, and the sheet is fitted to one page
  // wide), cut its longer labels ("Registry changed by the aud") and cut longer control titles at the
  // Severity column.
  let out: string;
  beforeAll(async () => {
    out = tempFiles({});
    await writeWorkbooks(presentationOf(auditReport(['inputs/jp-sakura'], REGULATOR)), out);
  });

  it('gives Title columns room, and wraps a long Summary fact across the sheet', async () => {
    const book = await readBook(join(out, 'jp-sakura', 'findings.xlsx'));
    for (const name of ['Findings', 'Controls']) {
      const ws = sheet(book, name);
      const title = (rowValues(ws, 1) as string[]).indexOf('Title') + 1;
      expect(ws.getColumn(title).width, name).toBe(TITLE_WIDTH);
    }
    const summary = sheet(book, 'Summary');
    const changed = summary
      .getRows(1, summary.rowCount)!
      .find((r) => r.getCell(1).value === 'Registry changed by the auditor')!;
    expect(summary.getColumn(1).width).toBeGreaterThanOrEqual('Registry changed by the auditor'.length);
    const value = String(changed.getCell(2).value);
    expect(value.length).toBeGreaterThan(summary.getColumn(2).width!);
    // Merged from B to the last column, wrapped, and as tall as its lines.
    const last = summary.columnCount;
    expect(changed.getCell(last).isMerged).toBe(true);
    expect(changed.getCell(last).master.address).toBe(changed.getCell(2).address);
    expect(changed.getCell(2).alignment).toMatchObject({ wrapText: true, vertical: 'top' });
    expect(changed.height).toBeGreaterThanOrEqual(15 * value.split('\n').length);
  });
});

describe('Summary facts of any length', () => {
  /** The Summary sheet of a workbook holding only these facts above a two-column table of `width`. */
  async function summaryOf(facts: Array<[string, string]>, width: number): Promise<ExcelJS.Worksheet> {
    const out = tempFiles({});
    const columns = [
      { header: 'severity', width: 12 },
      { header: 'fail', width },
    ];
    await writeWorkbook(join(out, 'w.xlsx'), {
      day: utc(2026, 7, 1),
      summary: [
        { kind: 'facts', rows: facts },
        { kind: 'table', caption: 'Counts', columns, rows: [] },
      ],
      tables: [],
    });
    return sheet(await readBook(join(out, 'w.xlsx')), 'Summary');
  }
  const rowOf = (ws: ExcelJS.Worksheet, label: string) =>
    ws.getRows(1, ws.rowCount)!.find((r) => r.getCell(1).value === label)!;

  it('wrap a long fact in rows no taller than Excel allows (409 points)', async () => {
    const changes = Array.from({ length: 300 }, (_, i) => `Carrier/c-${i} added at registry/parties.yaml:${i + 1}:7`);
    const ws = await summaryOf(
      [
        ['Registry changed by the auditor', changes.join('\n')],
        ['Result', 'FAIL'],
      ],
      8,
    );
    const changed = rowOf(ws, 'Registry changed by the auditor');
    expect(changed.height).toBe(MAX_ROW_POINTS);
    expect(String(changed.getCell(2).value).split('\n')).toHaveLength(300);
    const result = rowOf(ws, 'Result');
    expect(result.getCell(2).isMerged).toBe(false);
    expect(result.height ?? 15).toBe(15); // no height of its own
  });

  it('wrap a short value of several lines, and a label past column A, in rows as tall as their lines', async () => {
    // Found by a review: "Not audited" lists operators one a line, short enough to be left on one line;
    // a label longer than column A's 40 characters wrapped with its second line hidden.
    const label = 'Registry facts older than the profile allows, by more than a year';
    const ws = await summaryOf(
      [
        ['Not audited', 'op-a\nop-b\nop-c'],
        [label, 'none'],
      ],
      30,
    );
    const notAudited = rowOf(ws, 'Not audited');
    expect(notAudited.getCell(2).alignment).toMatchObject({ wrapText: true });
    expect(notAudited.height).toBe(45);
    const long = rowOf(ws, label);
    expect(ws.getColumn(1).width).toBe(40);
    expect(long.getCell(1).alignment).toMatchObject({ wrapText: true });
    expect(long.height).toBe(30);
  });
});

describeWith(['soffice', 'pdftotext'], 'findings workbook printed by LibreOffice', () => {
  it('prints the longest control title whole, beside its severity and status', async () => {
    const out = tempFiles({});
    await writeWorkbooks(presentationOf(auditReport(['inputs/jp-sakura'], REGULATOR)), out);
    const longest = loadControls()
      .controls.map((c) => c.definition.title)
      .reduce((a, b) => (b.length > a.length ? b : a));
    const book = join(out, 'jp-sakura', 'findings.xlsx');
    spawnSync(
      'soffice',
      [
        `-env:UserInstallation=file://${out}/profile`,
        '--headless',
        '--convert-to',
        'pdf',
        '--outdir',
        join(out, 'printed'),
        book,
      ],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    const printed = spawnSync('pdftotext', ['-layout', join(out, 'printed', 'findings.pdf'), '-'], {
      encoding: 'utf8',
    }).stdout;
    expect(printed).toMatch(/ixaudit findings: jp-sakura/);
    const escaped = longest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(printed).toMatch(
      new RegExp(
        `^ICX-[A-Z]+-\\d+ +[A-Z]+ +${escaped} +(critical|high|medium|low|info) +(pass|fail|error|not-evidenced|waived|not-applicable)$`,
        'm',
      ),
    );
  });
});
