import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { baselineStateOf, compareWithBaseline, STATUS_BADNESS } from '../src/engine/baseline.js';
import { findingDigest, type PreviousFindings } from '../src/model/baseline.js';
import { comparedFields } from '../src/load/baseline.js';
import { BASELINE_STATES, type Finding } from '../src/model/finding.js';
import type { AuditReport } from '../src/model/report.js';
import { STATUSES, type Status } from '../src/model/types.js';
import { findingsCsv } from '../src/report/csv/index.js';
import { indexModel } from '../src/report/html/index.js';
import { findingsJson } from '../src/report/json/index.js';
import { assessmentResults } from '../src/report/oscal/index.js';
import { operatorChanges } from '../src/report/pdf/changes.js';
import { renderOperatorPdf, renderSectorPdf } from '../src/report/pdf/index.js';
import { loadTemplates } from '../src/report/pdf/templates.js';
import { sarifLog } from '../src/report/sarif/index.js';
import { sectorWorkbookModel } from '../src/report/xlsx/sector.js';
import { findingsTable } from '../src/report/xlsx/tables.js';
import type { WorkbookScope } from '../src/report/xlsx/scope.js';
import { auditReport } from './support/audit.js';
import { REGULATOR } from './support/run.js';
import { findingOf, subjectFindings } from './support/findings.js';
import { tempFiles } from './support/files.js';
import { requireTools } from './support/tools.js';
import { presentationOf } from '../src/report/view/index.js';

const same = () => true;
const other = () => false;

describe('baseline states: one order of badness (issue 12, point 12)', () => {
  it('ranks fail and error worst, then not-evidenced, then waived, then pass and not-applicable', () => {
    expect(STATUSES.map((s) => STATUS_BADNESS[s])).toEqual([3, 3, 2, 1, 0, 0]);
  });

  it('names each transition', () => {
    const cases: Array<[Status, Status | undefined, boolean, string]> = [
      ['fail', undefined, true, 'new'],
      // Worse: regressed, whatever the figures.
      ['fail', 'pass', true, 'regressed'],
      ['fail', 'not-applicable', true, 'regressed'],
      ['not-evidenced', 'waived', true, 'regressed'],
      ['waived', 'pass', true, 'regressed'],
      ['fail', 'not-evidenced', true, 'regressed'],
      // Better, still a problem (or no longer waived): improved.
      ['not-evidenced', 'fail', true, 'improved'],
      ['not-evidenced', 'error', true, 'improved'],
      ['pass', 'waived', true, 'improved'],
      // A problem no longer: resolved.
      ['pass', 'fail', true, 'resolved'],
      ['waived', 'fail', true, 'resolved'],
      ['not-applicable', 'not-evidenced', true, 'resolved'],
      // As bad as before.
      ['fail', 'fail', true, 'unchanged'],
      ['fail', 'fail', false, 'changed'],
      ['pass', 'pass', false, 'changed'],
      ['error', 'fail', true, 'changed'],
      ['not-applicable', 'pass', true, 'changed'],
    ];
    for (const [now, before, figures, state] of cases)
      expect(`${before} → ${now}: ${baselineStateOf(now, before, figures ? same : other)}`).toBe(
        `${before} → ${now}: ${state}`,
      );
  });

  it('digests message and evidence the same in memory and read back from findings.json, whatever the key order', () => {
    const a = findingDigest({
      message: 'ss7: 60 %',
      evidence: { share: 60, limit: 0, list: [{ b: 1, a: 2 }], gone: undefined },
    });
    expect(
      findingDigest({ message: 'ss7: 60 %', evidence: JSON.parse('{"list":[{"a":2,"b":1}],"limit":0,"share":60}') }),
    ).toBe(a);
    expect(findingDigest({ message: 'ss7: 52 %', evidence: { share: 60, limit: 0, list: [{ b: 1, a: 2 }] } })).not.toBe(
      a,
    );
    expect(findingDigest({ message: 'ss7: 60 %', evidence: { share: 52, limit: 0, list: [{ b: 1, a: 2 }] } })).not.toBe(
      a,
    );
  });
});

/**
 * The samples, then a second audit where jp-sakura's N32 route r-0001 lost PRINS (ENC-02 pass → fail)
 * and jp-sakura moved traffic onto its high-risk Hong Kong route (RT-04 ss7 6 % → 9 %, failing both
 * times). Before this fix the first read "changed" with "0 new" in the summary, and the second "unchanged".
 */
describe('a second audit against the first (--baseline)', () => {
  let report: AuditReport;
  let previous: PreviousFindings;
  const find = (control: string, subject: string) => findingOf(report.result.findings, control, subject)!;

  beforeAll(() => {
    const work = tempFiles({});
    cpSync('inputs', join(work, 'inputs'), { recursive: true });
    const before = auditReport([join(work, 'inputs')], REGULATOR).result;
    // As the --baseline reader keeps them: read back from findings.json, message and evidence as a digest.
    previous = {
      auditDate: before.run.auditDate,
      findings: JSON.parse(findingsJson(before)).findings.flatMap(comparedFields),
    };
    expect(previous.findings.every((f) => f.digest && !('evidence' in f) && !('message' in f))).toBe(true);

    const n32 = join(work, 'inputs/jp-sakura/routing-n32.yaml');
    const text = readFileSync(n32, 'utf8');
    const start = text.indexOf('- id: r-0001');
    const end = text.indexOf('- id: r-0002');
    writeFileSync(
      n32,
      text.slice(0, start) + text.slice(start, end).replace('encryption: prins', 'encryption: tls') + text.slice(end),
    );
    const ss7 = join(work, 'inputs/jp-sakura/routing-ss7.yaml');
    const table = readFileSync(ss7, 'utf8');
    writeFileSync(
      ss7,
      table.replace('trafficShare: 6\n', 'trafficShare: 9\n').replace('trafficShare: 12\n', 'trafficShare: 9\n'),
    );
    report = auditReport([join(work, 'inputs')], { ...REGULATOR, baseline: { source: 'before', previous } });
  });

  it('marks a control going pass → fail regressed, and counts it', () => {
    expect(find('ICX-ENC-02', 'RoutingTable/rt-jp-n32-2026q2#r-0001')).toMatchObject({
      status: 'fail',
      baseline: { state: 'regressed', previousStatus: 'pass' },
    });
    expect(report.result.baseline!.counts.regressed).toBeGreaterThanOrEqual(1);
    expect(report.result.baseline!.counts.new).toBe(0);
  });

  it('marks a figure that moved with the same status changed, and the rest unchanged', () => {
    const rt04 = find('ICX-RT-04', 'RoutingTable/rt-jp-ss7-2026q2');
    expect(rt04.message).toMatch(/^ss7: 9 %/);
    expect(rt04).toMatchObject({ status: 'fail', baseline: { state: 'changed', previousStatus: 'fail' } });
    expect(find('ICX-OWN-02', 'InterconnectAgreement/ag-jp-cmi-2024')).toMatchObject({
      status: 'fail',
      baseline: { state: 'unchanged', previousStatus: 'fail' },
    });
    // Operators whose submission did not change: every finding unchanged (the digests are stable across runs).
    for (const operator of ['kr-hanbit', 'nz-aotearoa', 'no-nordlys']) {
      expect(
        subjectFindings(report.result.findings)
          .filter((f) => f.operator === operator)
          .map((f) => f.baseline?.state)
          .filter((s) => s !== 'unchanged'),
      ).toEqual([]);
    }
  });

  it('counts every finding once, in one of the six states', () => {
    const counts = report.result.baseline!.counts;
    expect(Object.keys(counts).sort()).toEqual([...BASELINE_STATES].sort());
    // Per subject: each occurrence of a cause is compared on its own.
    const bySubject = subjectFindings(report.result.findings);
    const tally = Object.fromEntries(
      BASELINE_STATES.map((s) => [s, bySubject.filter((f) => f.baseline?.state === s).length]),
    );
    expect({ ...counts, resolved: tally.resolved }).toEqual(tally);
  });

  it('compares in-process findings (evidence, no digest) as the reader would', () => {
    const work = tempFiles({});
    cpSync('inputs', join(work, 'inputs'), { recursive: true });
    const again = auditReport([join(work, 'inputs')], REGULATOR).result;
    const first = auditReport([join(work, 'inputs')], REGULATOR).result;
    const comparison = compareWithBaseline(
      again.findings,
      { auditDate: first.run.auditDate, findings: first.findings },
      'same',
    );
    expect(comparison.counts).toMatchObject({
      new: 0,
      regressed: 0,
      improved: 0,
      changed: 0,
      resolved: 0,
      unchanged: subjectFindings(again.findings).length,
    });
  });

  it('carries the state into CSV, the Findings sheet, SARIF, OSCAL, the sector workbook and index.html', () => {
    const regressed = find('ICX-ENC-02', 'RoutingTable/rt-jp-n32-2026q2#r-0001');
    // CSV and the workbook's Findings sheet: the "Change since baseline" column.
    const csv = [...findingsCsv(report)].join('');
    expect(csv.split('\r\n')[0]).toContain('Change since baseline');
    expect(csv.split('\r\n').find((l) => l.includes(regressed.fingerprint))).toMatch(/,regressed,pass$/);
    const table = findingsTable({
      controls: report.result.controls,
      findings: report.result.findings,
      baseline: report.result.baseline!,
    } as unknown as WorkbookScope);
    const column = table.columns.findIndex((c) => c.header === 'Change since baseline');
    const states = new Set([...table.rows].map((r) => r[column]));
    expect(states).toContain('regressed');
    expect(states).toContain('changed');
    // SARIF: only new | unchanged | updated | absent; ixaudit's state in the properties.
    const results = sarifLog(report).runs[0].results;
    const sarif = results.find(
      (r) => r.partialFingerprints['ixauditFinding/v1'] === regressed.fingerprint && r.baselineState !== 'absent',
    )!;
    expect(sarif).toMatchObject({
      baselineState: 'updated',
      properties: { baselineState: 'regressed', previousStatus: 'pass' },
    });
    expect(results.filter((r) => !['new', 'unchanged', 'updated', 'absent'].includes(r.baselineState ?? ''))).toEqual(
      [],
    );
    // OSCAL: the observation's baseline-state property.
    const observation = assessmentResults(report)['assessment-results'].results[0].observations!.find((o) =>
      o.props?.some((p) => p.name === 'fingerprint' && p.value === regressed.fingerprint),
    );
    expect(observation?.props?.find((p) => p.name === 'baseline-state')?.value).toBe('regressed');
    // Sector view, workbook and index.html: the six states per operator.
    const sakura = presentationOf(report).sector.changes!.find((c) => c.operator === 'jp-sakura')!;
    expect(sakura.regressed).toBeGreaterThanOrEqual(1);
    expect(presentationOf(report).sector.changes![0].operator).toBe('jp-sakura');
    const sheet = sectorWorkbookModel(presentationOf(report)).tables.find((t) => t.name === 'Changes')!;
    expect(sheet.columns.map((c) => c.header)).toEqual([
      'Operator',
      'New',
      'Regressed',
      'Improved',
      'Changed',
      'Unchanged',
      'Resolved',
    ]);
    const index = indexModel(presentationOf(report));
    expect(index.baseline !== false && index.baseline.regressed).toBe(report.result.baseline!.counts.regressed);
  });

  it('lists regressed and new findings first in the operator change summary', () => {
    const changes = operatorChanges(presentationOf(report).operators.find((o) => o.id === 'jp-sakura')!)!;
    expect(changes.rows[0].state).toBe('regressed');
    expect(changes.rows).toContainEqual(
      expect.objectContaining({
        state: 'regressed',
        control: 'ICX-ENC-02',
        subject: 'RoutingTable/rt-jp-n32-2026q2#r-0001',
        previousStatus: 'pass',
        status: 'fail',
      }),
    );
    // Regressed, then new, improved, resolved, changed: what needs attention first.
    const order = ['regressed', 'new', 'improved', 'resolved', 'changed'];
    const ranks = changes.rows.map((r) => order.indexOf(r.state));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(changes.counts.regressed).toBeGreaterThanOrEqual(1);
    expect(
      operatorChanges(presentationOf(auditReport(['inputs'], REGULATOR)).operators.find((o) => o.id === 'jp-sakura')!),
    ).toBeNull();
  });

  it('shows the change summary in the operator PDF before the findings, and the six states in sector.pdf before the operator details', async (context) => {
    requireTools(context, ['pdftotext']);
    const templates = loadTemplates();
    const out = tempFiles({});
    const operator = presentationOf(report).operators.find((o) => o.id === 'jp-sakura')!;
    const pdf = join(out, 'jp-sakura.pdf');
    writeFileSync(pdf, await renderOperatorPdf(presentationOf(report), operator, templates));
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    const summary = text.indexOf('Change since the last audit');
    expect(summary).toBeGreaterThan(0);
    expect(text.indexOf('Regressed', summary)).toBeGreaterThan(summary);
    expect(text.slice(summary, summary + 3000)).toMatch(/ICX-ENC-02.*rt-jp-n32-2026q2#r-0001.*Pass.*→ Fail/i);
    // Before the findings section (its heading "3 Findings").
    expect(text.indexOf('3 Findings', summary)).toBeGreaterThan(summary);

    const sector = join(out, 'sector.pdf');
    writeFileSync(sector, await renderSectorPdf(presentationOf(report), templates));
    const sectorText = execFileSync('pdftotext', ['-enc', 'UTF-8', sector, '-'], { encoding: 'utf8' }).replace(
      /\s+/g,
      ' ',
    );
    const first = sectorText.indexOf(
      'Change since the last audit',
      sectorText.indexOf('1 Executive summary', sectorText.indexOf('Contents') + 200),
    );
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(sectorText.indexOf('2 Exposure', first));
    expect(sectorText).toMatch(/New Regressed Improved Changed Unchanged Resolved/);
    expect(sectorText).toMatch(/regressed: (its|their) status got worse/);
  });
});

describe('a findings.json written with the new states can be the next baseline', () => {
  it("ignores the previous run's own baseline block when checking the file", async () => {
    const { loadPreviousFindings } = await import('../src/load/baseline.js');
    const result = auditReport(['inputs'], REGULATOR).result;
    const data = JSON.parse(findingsJson(result));
    const regressed = data.findings.findIndex((f: Finding) => f.status === 'fail');
    data.findings[regressed].baseline = { state: 'regressed', previousStatus: 'pass' };
    data.findings[regressed].occurrences[0].baseline = { state: 'regressed', previousStatus: 'pass' };
    const failed = result.findings[regressed];
    data.baseline = {
      source: 'x',
      previousAuditDate: '2025-07-01',
      counts: { new: 0, regressed: 1, improved: 0, changed: 0, unchanged: 0, resolved: 0 },
      removed: [],
    };
    const loaded = loadPreviousFindings(tempFiles({ 'findings.json': JSON.stringify(data) }));
    expect('message' in loaded ? loaded.message : '').toBe('');
    expect(!('message' in loaded) && loaded.findings.find((f) => f.fingerprint === failed.fingerprint)).toMatchObject({
      status: 'fail',
      digest: findingDigest(findingOf(result.findings, failed.control, failed.subject)!),
    });
    // An older file's baseline block (four states) does not stop it being a baseline either: it is not read.
    data.baseline.counts = { new: 0, changed: 1, unchanged: 0, resolved: 0 };
    data.findings[regressed].baseline = { state: 'sideways' };
    data.findings[regressed].occurrences[0].baseline = { state: 'sideways' };
    expect('message' in loadPreviousFindings(tempFiles({ 'findings.json': JSON.stringify(data) }))).toBe(false);
  });
});

/** One active SS7 route to Hong Kong through `carrier`, as an item of the table below. */
const hkRoute = (id: string, prefix: string, carrier: string) =>
  `    - id: ${id}\n      match: {gtPrefix: "${prefix}"}\n      destination: {country: HK}\n      primary: {carrier: ${carrier}}\n      status: active\n`;

/** op-jp's SS7 table `rt` with these route items (test/controls/_base.yaml has the carriers). */
const ss7Table = (routes: string) =>
  `apiVersion: ixaudit/v1\nkind: RoutingTable\nmetadata: {id: rt, operator: op-jp}\nspec:\n  protocol: ss7\n  routes:\n${routes}`;

describe('--baseline with a table whose passing routes are counted', () => {
  // Review found a route fixed since the previous run counted as "1 resolved" and named nowhere: above
  // listRouteFindingsUpTo routes its passing finding was folded into a count, so SARIF had no `absent`
  // result at it and findings.json no finding for it (with --list-all it had both).
  const table = (primary: string) => ss7Table(hkRoute('r-hk', '852', primary) + hkRoute('r-hk2', '8522', 'clean-ipx'));
  const auditOf = (primary: string, baseline?: { source: string; previous: PreviousFindings }) => {
    const dir = tempFiles({ 'sub.yaml': table(primary) });
    return auditReport(['test/controls/_base.yaml', join(dir, 'sub.yaml')], {
      profileFiles: ['test/controls/_profile.yaml'],
      listRouteFindingsUpTo: 0,
      ...(baseline ? { baseline } : {}),
    });
  };

  it('lists a route that was a problem and passes now: resolved, and an absent SARIF result at it', () => {
    const before = auditOf('risky-hub').result;
    expect(findingOf(before.findings, 'ICX-RT-01', 'RoutingTable/rt#r-hk')).toMatchObject({ status: 'fail' });
    const previous: PreviousFindings = {
      auditDate: before.run.auditDate,
      findings: JSON.parse(findingsJson(before)).findings.flatMap(comparedFields),
    };
    const now = auditOf('clean-ipx', { source: 'before', previous });
    expect(findingOf(now.result.findings, 'ICX-RT-01', 'RoutingTable/rt#r-hk')).toMatchObject({
      status: 'pass',
      baseline: { state: 'resolved', previousStatus: 'fail' },
    });
    // The route that passed before too is still counted, not listed.
    expect(findingOf(now.result.findings, 'ICX-RT-01', 'RoutingTable/rt#r-hk2')).toBeUndefined();
    expect(now.result.summarised).toEqual(
      expect.arrayContaining([expect.objectContaining({ control: 'ICX-RT-01', status: 'pass', count: 1 })]),
    );
    // Every resolved occurrence is a listed one or a subject that is gone (none hidden in a count), and
    // each listed one has its absent result.
    const resolved = now.result.findings.flatMap((f) =>
      f.occurrences.filter((o) => o.baseline?.state === 'resolved').map((o) => `${f.control} ${o.subject}`),
    );
    expect(resolved).toContain('ICX-RT-01 RoutingTable/rt#r-hk');
    expect(now.result.baseline!.counts.resolved).toBe(resolved.length + now.result.baseline!.removed.length);
    const absent = sarifLog(now).runs[0].results.filter((r) => r.baselineState === 'absent');
    expect(absent.map((r) => `${r.ruleId} ${r.kind}`)).toEqual(
      expect.arrayContaining([...new Set(resolved.map((r) => `${r.split(' ')[0]} pass`))]),
    );
    const rt01 = absent.find((r) => r.ruleId === 'ICX-RT-01')!;
    expect(JSON.stringify(rt01.locations)).toContain('RoutingTable/rt#r-hk"');
  });
});

describe('--baseline: a cause that lost occurrences', () => {
  // Review found a SARIF result whose cause went from three failures to two read `unchanged`, where
  // interchange.md says a cause that lost occurrences is `updated`.
  const table = (thirdCarrier: string) =>
    ss7Table(
      hkRoute('r-1', '8521', 'risky-hub') + hkRoute('r-2', '8522', 'risky-hub') + hkRoute('r-3', '8523', thirdCarrier),
    );
  const auditOf = (thirdCarrier: string, baseline?: { source: string; previous: PreviousFindings }) => {
    const dir = tempFiles({ 'sub.yaml': table(thirdCarrier) });
    return auditReport(['test/controls/_base.yaml', join(dir, 'sub.yaml')], {
      profileFiles: ['test/controls/_profile.yaml'],
      ...(baseline ? { baseline } : {}),
    });
  };
  const previousOf = (result: AuditReport['result']): PreviousFindings => ({
    auditDate: result.run.auditDate,
    findings: JSON.parse(findingsJson(result)).findings.flatMap(comparedFields),
  });
  const rt01 = (report: AuditReport) =>
    report.result.findings.filter((f) => f.control === 'ICX-RT-01' && f.status === 'fail');

  it('is `updated` in SARIF with baseline.lost, and an unchanged rerun stays `unchanged`', () => {
    const before = auditOf('risky-hub');
    expect(rt01(before).map((f) => f.occurrences.length)).toEqual([3]);
    const previous = previousOf(before.result);

    const same = auditOf('risky-hub', { source: 'before', previous });
    expect(rt01(same)[0].baseline).toEqual({ state: 'unchanged', previousStatus: 'fail', counts: { unchanged: 3 } });
    const sameResult = sarifLog(same).runs[0].results.find((r) => r.ruleId === 'ICX-RT-01' && r.kind === 'fail')!;
    expect(sameResult.baselineState).toBe('unchanged');

    const fixed = auditOf('clean-ipx', { source: 'before', previous });
    const [cause] = rt01(fixed);
    expect(cause.occurrences.map((o) => o.subject)).toEqual(['RoutingTable/rt#r-1', 'RoutingTable/rt#r-2']);
    expect(cause.baseline).toEqual({ state: 'unchanged', previousStatus: 'fail', counts: { unchanged: 2 }, lost: 1 });
    const results = sarifLog(fixed).runs[0].results.filter((r) => r.ruleId === 'ICX-RT-01');
    expect(results.find((r) => r.kind === 'fail')!.baselineState).toBe('updated');
    // The occurrence it lost is the absent result at r-3.
    expect(JSON.stringify(results.find((r) => r.baselineState === 'absent')!.locations)).toContain('rt#r-3"');
  });
});
