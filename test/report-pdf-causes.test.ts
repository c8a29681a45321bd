import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Finding, Occurrence } from '../src/model/finding.js';
import type { AuditReport } from '../src/model/report.js';
import { STATUSES } from '../src/model/types.js';
import { operatorChanges } from '../src/report/pdf/changes.js';
import { boundedFindingsJson, operatorFindingsJson, renderOperatorPdf } from '../src/report/pdf/index.js';
import { groupFailures, OCCURRENCE_LIMIT, operatorReport } from '../src/report/pdf/model.js';
import { occurrenceEvidenceText } from '../src/report/pdf/sections.js';
import { loadTemplates } from '../src/report/pdf/templates.js';
import { auditReport } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { withTools } from './support/tools.js';
import { REGULATOR } from './support/run.js';
import { presentationOf } from '../src/report/view/index.js';

// The operator PDF by cause (issue 15): a finding stands for the subjects that share its cause, counted
// beside it, the first few named; the findings attachment is left out above a size, saying where
// findings.json is instead.

function tool(command: string, ...args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}
const flat = (s: string) => s.replace(/\s+/g, ' ');

/** `count` routes of one table failing one control for the same reason: one finding, `count` occurrences. */
function cause(template: Finding, count: number): Finding {
  const occurrences: Occurrence[] = Array.from({ length: count }, (_, i) => ({
    subject: `RoutingTable/rt-wide#r-${String(i).padStart(4, '0')}`,
    location: { file: 'inputs/no-nordlys/routing-wide.yaml', line: 20 + 6 * i, column: 9 },
    fingerprint: `${String(i).padStart(4, '0')}${'c'.repeat(28)}`,
    evidence: { trafficShare: 1 + i },
  }));
  return {
    ...template,
    status: 'fail',
    subject: occurrences[0].subject,
    location: occurrences[0].location,
    fingerprint: occurrences[0].fingerprint,
    message: 'Synthetic cause: the backup carrier wide-hub is high-risk on every route of this table.',
    evidence: { carrier: 'wide-hub', highRisk: true },
    excerpt: [{ line: 20, text: '    backups: [{carrier: wide-hub}]' }],
    occurrences,
  };
}

/** The no-nordlys sample with one failing cause of `count` occurrences added, its summary counting them. */
function withCause(count: number): { report: AuditReport; finding: Finding } {
  const report = auditReport(['inputs/no-nordlys'], REGULATOR);
  const template = report.result.findings.find((f) => f.control === 'ICX-RT-02')!;
  const finding = cause(template, count);
  report.result.findings = [...report.result.findings, finding];
  report.result.summary.byStatus.fail += count;
  report.result.summary.operators[0].counts.fail += count;
  return { report, finding };
}

describe('operator PDF: findings by cause', () => {
  const { report, finding } = withCause(12);
  const operator = presentationOf(report).operators[0];
  let pdf: string;

  beforeAll(async () => {
    pdf = join(tempFiles({}), 'report.pdf');
    writeFileSync(pdf, await renderOperatorPdf(presentationOf(report), operator, loadTemplates()));
  });

  it('shows the summary’s counts and counts control results, severities and exposures per subject', () => {
    const model = operatorReport(presentationOf(report), operator);
    expect(model.counts).toEqual(report.result.summary.operators[0].counts);
    const bySeverity = STATUSES.map((st) =>
      Object.values(model.bySeverity).reduce((sum, counts) => sum + counts[st], 0),
    );
    expect(bySeverity).toEqual(STATUSES.map((st) => model.counts[st]));
    const rt02 = model.controlResults.find((r) => r.control.id === 'ICX-RT-02')!;
    expect(rt02.counts.fail).toBe(12);
    expect(model.exposures.find((e) => e.control === 'ICX-RT-02')?.failed).toBe(12);
    expect(model.familySeverity.find((f) => f.family === 'RT')!.bySeverity.high).toBe(12);
    // The cause is listed once.
    const listed = model.families.flatMap((f) => f.controls).find((c) => c.control.id === 'ICX-RT-02')!;
    expect(listed.findings).toEqual([finding]);
  });

  it('names the first occurrences with file and line, then says how many more and where they are', async (context) => {
    await withTools(context, ['pdftotext'], () => {
      const body = flat(tool('pdftotext', '-enc', 'UTF-8', pdf, '-'));
      expect(body).toContain('12 occurrences');
      expect(body).toContain('Occurrences (12)');
      for (const o of finding.occurrences.slice(0, OCCURRENCE_LIMIT))
        expect(body).toContain(
          `${o.subject} ${o.location.file}:${o.location.line} trafficShare: ${o.evidence!.trafficShare}`,
        );
      expect(body).toContain(`and ${12 - OCCURRENCE_LIMIT} more — see findings.json / occurrences.csv`);
      expect(body).not.toContain(finding.occurrences[OCCURRENCE_LIMIT].subject);
      expect(body).toMatch(/ICX-RT-02 No failover to a high-risk carrier High Fail 12 fail/);
      // The introduction counts findings (causes) and subjects apart.
      expect(body).toMatch(/1 finding for 12 failed, 0 not evidenced, 0 not evaluable and 0 waived subjects/);
    });
  });

  it('attaches the findings while they are small, and is sound', async (context) => {
    await withTools(context, ['pdfdetach', 'qpdf'], () => {
      expect(tool('pdfdetach', '-list', pdf)).toContain('no-nordlys.findings.json');
      const check = spawnSync('qpdf', ['--check', pdf], { encoding: 'utf8' });
      expect(check.status, check.stdout + check.stderr).toBe(0);
    });
  });
});

describe('operator PDF: a cause compared with a previous audit, subject by subject', () => {
  it('counts each occurrence’s state, in the change summary and beside the finding', async (context) => {
    const { report, finding } = withCause(6);
    finding.occurrences = finding.occurrences.map((o, i) => ({
      ...o,
      baseline: i === 4 ? { state: 'new' } : { state: 'unchanged', previousStatus: 'fail' },
    }));
    finding.baseline = { state: 'unchanged', previousStatus: 'fail', counts: { new: 1, unchanged: 5 } };
    report.result.baseline = {
      source: 'before',
      previousAuditDate: '2026-01-01',
      counts: { new: 1, regressed: 0, improved: 0, changed: 0, unchanged: 5, resolved: 0 },
      removed: [],
    };
    const changes = operatorChanges(presentationOf(report).operators.find((o) => o.id === 'no-nordlys')!)!;
    expect([changes.counts.new, changes.counts.unchanged]).toEqual([1, 5]);
    expect(changes.rows.map((r) => [r.state, r.subject])).toEqual([['new', finding.occurrences[4].subject]]);
    const pdf = join(tempFiles({}), 'report.pdf');
    writeFileSync(
      pdf,
      await renderOperatorPdf(presentationOf(report), presentationOf(report).operators[0], loadTemplates()),
    );
    await withTools(context, ['pdftotext'], () => {
      const body = flat(tool('pdftotext', '-enc', 'UTF-8', pdf, '-'));
      expect(body).toContain('Since the last audit: 1 new · 5 unchanged');
      expect(body).toContain('subject by subject');
    });
  });
});

describe('operator PDF: the findings attachment is bounded', () => {
  it('stops building the JSON past the limit, and gives the same bytes below it', () => {
    const { report } = withCause(3);
    const [view] = presentationOf(report).operators;
    const whole = operatorFindingsJson(report.result, view);
    expect(boundedFindingsJson(report.result, view, whole.length).bytes?.equals(whole)).toBe(true);
    const cut = boundedFindingsJson(report.result, view, whole.length - 1);
    expect(cut.bytes).toBeNull();
    expect(cut.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('above the limit: no attachment, and the report says where findings.json and occurrences.csv are', async (context) => {
    const { report } = withCause(3);
    const operator = presentationOf(report).operators[0];
    const dir = tempFiles({});
    const pdf = join(dir, 'report.pdf');
    writeFileSync(
      pdf,
      await renderOperatorPdf(presentationOf(report), operator, loadTemplates(), { maxAttachmentBytes: 64 * 1024 }),
    );
    const again = await renderOperatorPdf(presentationOf(report), operator, loadTemplates(), {
      maxAttachmentBytes: 64 * 1024,
    });
    expect(again.equals(readFileSync(pdf))).toBe(true);
    // No embedded file at all (pdfkit would write /EmbeddedFile and the /AF array for one).
    expect(readFileSync(pdf).toString('latin1')).not.toContain('/EmbeddedFile');
    await withTools(context, ['pdftotext', 'pdfdetach', 'qpdf'], () => {
      expect(tool('pdfdetach', '-list', pdf)).toMatch(/^0 embedded files/);
      const body = flat(tool('pdftotext', '-enc', 'UTF-8', pdf, '-'));
      expect(body).toContain('The findings are not attached to this PDF');
      expect(body).toContain('larger than the 0.1 MB a report carries. They are in findings.json');
      expect(body).toContain('occurrences.csv (one row per subject)');
      expect(body).not.toContain('attached to the PDF as');
      const check = spawnSync('qpdf', ['--check', pdf], { encoding: 'utf8' });
      expect(check.status, check.stdout + check.stderr).toBe(0);
    });
  });
});

describe('failures beyond the listed rows, grouped', () => {
  it('count occurrences, not findings: a cause spread over two tables is in two groups', () => {
    const report = auditReport(['inputs/jp-sakura'], REGULATOR);
    const model = operatorReport(presentationOf(report), presentationOf(report).operators[0]);
    const routes = [...model.routesByRef.values()];
    const template = report.result.findings[0];
    const half = Math.ceil(routes.length / 2);
    const toOccurrence = (r: (typeof routes)[number]): Occurrence => ({
      subject: r.ref,
      location: r.location,
      fingerprint: r.ref.padEnd(32, '0').slice(0, 32),
    });
    const findings: Finding[] = [routes.slice(0, half), routes.slice(half)].map((part) => ({
      ...template,
      status: 'fail',
      subject: part[0].ref,
      location: part[0].location,
      occurrences: part.map(toOccurrence),
    }));
    const groups = groupFailures(findings, model.routesByRef);
    expect(groups.reduce((sum, g) => sum + g.count, 0)).toBe(routes.length);
    const tables = new Set(routes.map((r) => r.table));
    expect(new Set(groups.map((g) => g.table))).toEqual(tables);
  });

  it('show an occurrence’s own evidence on one short line', () => {
    expect(occurrenceEvidenceText(undefined)).toBe('');
    expect(occurrenceEvidenceText({ trafficShare: 12.5, group: 'cmi', hops: ['a', 'b'] })).toBe(
      'trafficShare: 12.5; group: cmi; hops: ["a","b"]',
    );
    expect(occurrenceEvidenceText({ note: 'x'.repeat(500) })).toHaveLength(120);
  });
});
