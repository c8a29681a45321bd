import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../src/model/finding.js';
import type { AuditReport } from '../src/model/report.js';
import type { Status } from '../src/model/types.js';
import { indexModel } from '../src/report/html/index.js';
import { renderSectorPdf } from '../src/report/pdf/index.js';
import { sectorContext, sectorReport } from '../src/report/pdf/sector.js';
import { loadTemplates } from '../src/report/pdf/templates.js';
import { sectorWorkbookModel } from '../src/report/xlsx/sector.js';
import { auditReport } from './support/audit.js';
import { REGULATOR } from './support/run.js';
import { tempFiles } from './support/files.js';
import { withTools } from './support/tools.js';
import { presentationOf } from '../src/report/view/index.js';

/**
 * Issue 12, point 11: sector pass rates counted not-applicable as passing. With jp-sakura (N32 routes,
 * one without PRINS: ICX-ENC-02 fails) and kr-hanbit (no N32 at all: every ENC-02 finding not
 * applicable), ENC-02 read "50 %" — kr-hanbit "passing" a control that does not apply to it.
 */
describe('sector pass rates over the operators a control applies to (two-operator run)', () => {
  let report: AuditReport;

  beforeAll(() => {
    report = auditReport(['inputs/jp-sakura', 'inputs/kr-hanbit'], REGULATOR);
  });

  it('leaves out an operator whose findings for the control are all not-applicable', () => {
    const statuses = (operator: string) =>
      new Set(
        report.result.findings
          .filter((f) => f.control === 'ICX-ENC-02' && f.operator === operator)
          .map((f) => f.status),
      );
    expect(statuses('kr-hanbit')).toEqual(new Set(['not-applicable']));
    expect(statuses('jp-sakura')).toContain('fail');
    const enc02 = presentationOf(report).sector.controls.find((c) => c.id === 'ICX-ENC-02')!;
    expect(enc02).toMatchObject({ applicable: 1, passing: 0, failing: 1, notEvidenced: 0, passRate: 0 });
  });

  it('keeps passing + failing + not-evidenced = applicable for every control', () => {
    for (const c of presentationOf(report).sector.controls) {
      expect(c.passing + c.failing + c.notEvidenced).toBe(c.applicable);
      expect(c.applicable).toBeLessThanOrEqual(2);
    }
  });

  it('shows "k of n where it applies" in the workbook, index.html and sector.pdf', async (context) => {
    const sheet = sectorWorkbookModel(presentationOf(report)).tables.find((t) => t.name === 'Controls')!;
    const headers = sheet.columns.map((c) => c.header);
    const row = [...sheet.rows].find((r) => r[0] === 'ICX-ENC-02')!;
    expect(row[headers.indexOf('Operators where it applies')]).toBe(1);
    expect(row[headers.indexOf('Pass rate (%)')]).toBe(0);
    expect(row[headers.indexOf('Passing')]).toBe('0 of 1 operators where it applies');

    const html = indexModel(presentationOf(report)).controls.find((c) => c.id === 'ICX-ENC-02')!;
    expect(html).toMatchObject({ applicable: 1, operators: 2, passRate: '0', appliesNowhere: false });

    const out = tempFiles({});
    const pdf = join(out, 'sector.pdf');
    writeFileSync(pdf, await renderSectorPdf(presentationOf(report), loadTemplates()));
    // Columns: applies to, passing, failing, not evidenced, pass rate (with "k of n where it applies" under it).
    await withTools(context, ['pdftotext'], () => {
      const layout = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' }).replace(
        /\s+/g,
        ' ',
      );
      expect(layout).toMatch(
        /ICX-ENC-02 N32 across an IPX uses PRINS High 1 of 2 0 of 1 1 0 0 ?% 0 of 1 where it applies/,
      );
    });
  });
});

describe('sector pass rates, synthetic', () => {
  const finding = (operator: string, control: string, status: Status): Finding => {
    const subject = `RoutingTable/t#${operator}-${control}-${status}`;
    const location = { file: 'x', line: 1, column: 1 };
    return {
      control,
      operator,
      status,
      subject,
      severity: 'high',
      title: control,
      family: 'ENC',
      message: status,
      evidence: {},
      remediation: '',
      location,
      fingerprint: '0'.repeat(32),
      // A finding is one cause; this one has its own subject as its only occurrence.
      occurrences: [{ subject, location, fingerprint: '0'.repeat(32) }],
    };
  };

  function report(
    findings: Finding[],
    operators: string[],
    summarised: AuditReport['result']['summarised'] = undefined,
  ): AuditReport {
    const base = auditReport(['inputs/jp-sakura'], REGULATOR);
    const controls = ['C-1', 'C-2', 'C-3'].map((id) => ({ ...base.result.controls[0], id, title: id }));
    const summaryOf = base.result.summary.operators[0];
    return {
      inventory: { ...base.inventory, operators: [], routes: [], carriers: [], agreements: [] },
      result: {
        ...base.result,
        controls,
        findings,
        ...(summarised ? { summarised } : {}),
        summary: { ...base.result.summary, operators: operators.map((id) => ({ ...summaryOf, id, name: id })) },
      },
    };
  }

  it('counts waived as passing, ignores an operator with no finding, and counts route findings that were only counted', () => {
    const r = report(
      [
        finding('a', 'C-1', 'pass'),
        finding('a', 'C-1', 'not-applicable'),
        finding('b', 'C-1', 'not-applicable'),
        finding('a', 'C-2', 'waived'),
        finding('b', 'C-2', 'not-evidenced'),
        finding('b', 'C-3', 'not-applicable'),
      ],
      ['a', 'b', 'c'],
      [{ operator: 'c', control: 'C-3', status: 'pass', count: 5, examples: [] }],
    );
    const byId = new Map(presentationOf(r).sector.controls.map((c) => [c.id, c]));
    expect(byId.get('C-1')).toMatchObject({ applicable: 1, passing: 1, passRate: 100 });
    expect(byId.get('C-2')).toMatchObject({ applicable: 2, passing: 1, notEvidenced: 1, passRate: 50 });
    // c has no listed finding for C-3, but 5 counted passing route findings: it applies there.
    expect(byId.get('C-3')).toMatchObject({ applicable: 1, passing: 1, passRate: 100 });
  });

  it('a control that applies to no operator is neither weak nor passing everywhere', () => {
    const r = report([finding('a', 'C-1', 'not-applicable'), finding('b', 'C-2', 'fail')], ['a', 'b']);
    const c1 = presentationOf(r).sector.controls.find((c) => c.id === 'C-1')!;
    expect(c1).toMatchObject({ applicable: 0, passing: 0, passRate: 0 });
    const context = sectorContext(sectorReport(presentationOf(r)));
    expect(context.sector.weakestControls.map((c) => c.id)).toEqual(['C-2']);
    expect(context.sector.controlsApplyNowhere).toBe(2);
    expect(context.sector.controlsAllPass).toBe(0);
  });
});
