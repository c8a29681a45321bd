import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFiles } from './support/files.js';
import { findingOf, subjectFindings } from './support/findings.js';
import { run } from './support/run.js';
import { withTools } from './support/tools.js';

describe('--baseline: change since the last audit', () => {
  it('marks new, resolved, changed and unchanged findings against a modified copy of the samples', async (context) => {
    const work = tempFiles({});
    cpSync('inputs', join(work, 'inputs'), { recursive: true });
    const before = join(work, 'before');
    await run('audit', join(work, 'inputs'), '--out', before, '--format', 'json');

    // A year later: Sakura turned SMS home routing on, and added a standby route failing over to CUG.
    const firewall = join(work, 'inputs/jp-sakura/firewall.yaml');
    writeFileSync(
      firewall,
      readFileSync(firewall, 'utf8').replace('homeRouting: {sms: false}', 'homeRouting: {sms: true}'),
    );
    const table = join(work, 'inputs/jp-sakura/routing-ss7.yaml');
    writeFileSync(
      table,
      `${readFileSync(table, 'utf8').trimEnd()}\n    - id: r-new\n      match: {gtPrefix: "853"}\n      destination: {country: MO}\n      primary: {carrier: ntt-ipx}\n      backups: [{carrier: cug}]\n      status: standby\n`,
    );
    const after = join(work, 'after');
    const { stdout } = await run(
      'audit',
      join(work, 'inputs'),
      '--out',
      after,
      '--baseline',
      before,
      '--format',
      'json,pdf',
    );
    // The operator's PDF says, per finding, what changed since the last audit.
    await withTools(context, ['pdftotext'], () => {
      const pdfText = execFileSync('pdftotext', ['-layout', join(after, 'jp-sakura', 'report.pdf'), '-'], {
        encoding: 'utf8',
      });
      expect(pdfText).toMatch(/Since the last audit: new — no such finding in the previous audit/);
      expect(pdfText).toMatch(/Since the last audit: unchanged/);
    });
    const result = JSON.parse(readFileSync(join(after, 'findings.json'), 'utf8'));
    const find = (control: string, subject: string) => findingOf(result.findings, control, subject);

    expect(find('ICX-FW-04', 'FirewallPolicy/fw-jp-main')).toMatchObject({
      status: 'pass',
      baseline: { state: 'resolved', previousStatus: 'fail' },
    });
    expect(find('ICX-RT-02', 'RoutingTable/rt-jp-ss7-2026q2#r-new')).toMatchObject({
      status: 'fail',
      baseline: { state: 'new' },
    });
    expect(find('ICX-OWN-02', 'InterconnectAgreement/ag-jp-cmi-2024')).toMatchObject({
      status: 'fail',
      baseline: { state: 'unchanged', previousStatus: 'fail' },
    });
    const previousRun = JSON.parse(readFileSync(join(before, 'findings.json'), 'utf8')).run;
    expect(result.baseline).toMatchObject({ source: before, previousAuditDate: previousRun.auditDate, removed: [] });
    expect(result.baseline.counts.resolved).toBeGreaterThanOrEqual(1);
    expect(result.findings.every((f: { baseline?: unknown }) => f.baseline)).toBe(true);
    expect(stdout).toMatch(
      new RegExp(`since ${previousRun.auditDate} \\(.*\\): [\\d,]+ new, .*[\\d,]+ resolved, [\\d,]+ unchanged`),
    );
  });

  it('lists previous problems whose subject disappeared as resolved', async () => {
    const work = tempFiles({});
    cpSync('inputs', join(work, 'inputs'), { recursive: true });
    const before = join(work, 'before');
    await run('audit', join(work, 'inputs'), '--out', before, '--format', 'json');
    const waivers = join(work, 'inputs/nz-aotearoa/agreements.yaml');
    // Drop the agreement with China Telecom Global entirely.
    const docs = readFileSync(waivers, 'utf8')
      .split(/^---$/m)
      .filter((d) => !d.includes('ag-nz-ctg-2023'));
    writeFileSync(waivers, docs.join('---'));
    const after = join(work, 'after');
    await run('audit', join(work, 'inputs'), '--out', after, '--baseline', before, '--format', 'json');
    const result = JSON.parse(readFileSync(join(after, 'findings.json'), 'utf8'));
    expect(result.baseline.removed).toContainEqual(
      expect.objectContaining({
        control: 'ICX-OWN-02',
        subject: 'InterconnectAgreement/ag-nz-ctg-2023',
        previousStatus: 'fail',
      }),
    );
  });

  it('refuses a folder without a previous findings.json', async () => {
    const { code, stderr } = await run(
      'audit',
      'inputs',
      '--out',
      tempFiles({}),
      '--baseline',
      tempFiles({}),
      '--format',
      'json',
    );
    expect(code).toBe(2);
    expect(stderr).toContain('--baseline: no findings.json there');
  });
});

describe('--baseline with counted route findings', () => {
  it('a previous failure that now passes among counted findings is resolved, not removed', async () => {
    const { auditReport } = await import('./support/audit.js');
    const work = tempFiles({});
    cpSync('inputs', join(work, 'inputs'), { recursive: true });
    const before = auditReport([join(work, 'inputs')]).result;
    const previous = { auditDate: before.run.auditDate, findings: before.findings };
    // Aotearoa moves its Hong Kong route off China Telecom Global (primary and transit).
    const table = join(work, 'inputs/nz-aotearoa/routing-ss7.yaml');
    const text = readFileSync(table, 'utf8');
    const start = text.indexOf('- id: r-0001');
    const end = text.indexOf('- id: r-0002');
    writeFileSync(
      table,
      text.slice(0, start) +
        text
          .slice(start, end)
          .replace('primary: {carrier: ctg}', 'primary: {carrier: singtel}')
          .replace('transit: [ctg]', 'transit: [singtel]') +
        text.slice(end),
    );
    const subject = 'RoutingTable/rt-nz-ss7-2026q2#r-0001';
    expect(findingOf(previous.findings, 'ICX-RT-01', subject)?.status).toBe('fail');
    const after = auditReport([join(work, 'inputs')], {
      listRouteFindingsUpTo: 0,
      baseline: { source: 'before', previous },
    }).result;
    expect(after.summarised?.length).toBeGreaterThan(0);
    // Listed although passing routes are counted: a fix is a finding of its own (it was a count only).
    expect(findingOf(after.findings, 'ICX-RT-01', subject)).toMatchObject({
      status: 'pass',
      baseline: { state: 'resolved', previousStatus: 'fail' },
    });
    expect(after.baseline!.removed.filter((r) => r.subject === subject)).toEqual([]);
    expect(after.baseline!.counts.resolved).toBeGreaterThanOrEqual(1);
  });
});

describe('--baseline with a findings.json too large for one string', () => {
  it('reads the findings list element by element and gets what JSON.parse gets', async () => {
    const { loadPreviousFindings, splitFindings } = await import('../src/load/baseline.js');
    const { findingsJson } = await import('../src/report/json/index.js');
    const { audit } = await import('./support/audit.js');
    const text = findingsJson(audit(['inputs']));
    const whole = JSON.parse(text);
    // Pretty (as written), compact, and with braces, brackets, commas and escaped quotes inside strings.
    const tricky = {
      ...whole,
      findings: whole.findings.map((f: { message: string }, i: number) =>
        i % 7 === 0 ? { ...f, message: `${f.message} {[",\\"]} ]}` } : f,
      ),
    };
    for (const layout of [text, JSON.stringify(whole), JSON.stringify(tricky, null, 1)]) {
      const expected = JSON.parse(layout);
      const bytes = Buffer.from(layout, 'utf8');
      const { head, starts, ends } = splitFindings(bytes);
      const findings = starts.map((start, i) => JSON.parse(bytes.toString('utf8', start, ends[i])));
      expect(findings).toEqual(expected.findings);
      expect({ ...head, findings }).toEqual(expected);
    }
    // Through the --baseline reader with the piecewise path forced (threshold 0): same result.
    const dir = tempFiles({ 'findings.json': text });
    const piecewise = loadPreviousFindings(dir, 0);
    const parsedWhole = loadPreviousFindings(dir);
    expect(piecewise).toEqual(parsedWhole);
    // One previous finding per subject: every occurrence.
    expect('findings' in piecewise && piecewise.findings.length).toBe(subjectFindings(whole.findings).length);
  });

  it('still rejects what is not an ixaudit findings.json, naming the element', async () => {
    const { loadPreviousFindings } = await import('../src/load/baseline.js');
    const { findingsJson } = await import('../src/report/json/index.js');
    const { audit } = await import('./support/audit.js');
    const data = JSON.parse(findingsJson(audit(['inputs'])));
    data.findings[3].status = 'maybe';
    const dir = tempFiles({ 'findings.json': JSON.stringify(data, null, 2) });
    const result = loadPreviousFindings(dir, 0);
    expect('message' in result && result.message).toMatch(
      /^--baseline: not an ixaudit findings\.json \(\/findings\/3\/status /,
    );
    const broken = tempFiles({ 'findings.json': '{"schemaVersion": "1.0", "findings": [{"control": "x"}, ' });
    const trailing = tempFiles({ 'findings.json': '{"schemaVersion": "1.0", "findings": [{"control": "x"},]}' });
    expect((loadPreviousFindings(trailing, 0) as { message: string }).message).toMatch(
      /^--baseline: not readable JSON \(empty element/,
    );
    expect(
      'message' in loadPreviousFindings(broken, 0) && (loadPreviousFindings(broken, 0) as { message: string }).message,
    ).toMatch(/^--baseline: not readable JSON/);
  });

  it('reads a findings.json of schema 1.0 (results fail | pass) as a baseline', async () => {
    const { loadPreviousFindings } = await import('../src/load/baseline.js');
    const { findingsJson, withOccurrenceFiles } = await import('../src/report/json/index.js');
    const { audit } = await import('./support/audit.js');
    const data = JSON.parse(findingsJson(audit(['inputs'])));
    // What ixaudit before 2.0 wrote: lower-case results, no incomplete reasons, four baseline states, and
    // (as before 3.0) one finding per subject, without occurrences.
    data.schemaVersion = '1.0';
    data.findings = subjectFindings(withOccurrenceFiles(data.findings)).map(({ occurrences: _one, ...f }) => f);
    data.summary.result = 'fail';
    for (const o of data.summary.operators) {
      o.result = 'fail';
      delete o.incomplete;
    }
    const result = loadPreviousFindings(tempFiles({ 'findings.json': JSON.stringify(data) }));
    expect('findings' in result && result.findings.length).toBe(data.findings.length);
    data.schemaVersion = '9.0';
    expect(
      (loadPreviousFindings(tempFiles({ 'findings.json': JSON.stringify(data) })) as { message: string }).message,
    ).toContain('schemaVersion "9.0" is not one this ixaudit reads');
  });
});
