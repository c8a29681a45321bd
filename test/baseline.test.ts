import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFiles } from './support/files.js';
import { ixaudit } from './support/cli.js';


describe('--baseline: change since the last audit', () => {
  it('marks new, resolved, changed and unchanged findings against a modified copy of the samples', () => {
    const work = tempFiles({});
    cpSync('inputs', join(work, 'inputs'), { recursive: true });
    const before = join(work, 'before');
    ixaudit('audit', join(work, 'inputs'), '--out', before, '--format', 'json');

    // A year later: Sakura turned SMS home routing on, and added a standby route failing over to CUG.
    const firewall = join(work, 'inputs/jp-sakura/firewall.yaml');
    writeFileSync(firewall, readFileSync(firewall, 'utf8').replace('homeRouting: {sms: false}', 'homeRouting: {sms: true}'));
    const table = join(work, 'inputs/jp-sakura/routing-ss7.yaml');
    writeFileSync(
      table,
      `${readFileSync(table, 'utf8').trimEnd()}\n    - id: r-new\n      match: {gtPrefix: "853"}\n      destination: {country: MO}\n      primary: {carrier: ntt-ipx}\n      backups: [{carrier: cug}]\n      status: standby\n`,
    );
    const after = join(work, 'after');
    const { stdout } = ixaudit('audit', join(work, 'inputs'), '--out', after, '--baseline', before, '--format', 'json,pdf');
    // The operator's PDF says, per finding, what changed since the last audit.
    const pdfText = execFileSync('pdftotext', ['-layout', join(after, 'jp-sakura', 'report.pdf'), '-'], { encoding: 'utf8' });
    expect(pdfText).toMatch(/Since the last audit: new — no such finding in the previous audit/);
    expect(pdfText).toMatch(/Since the last audit: unchanged/);
    const result = JSON.parse(readFileSync(join(after, 'findings.json'), 'utf8'));
    const find = (control: string, subject: string) => result.findings.find((f: { control: string; subject: string }) => f.control === control && f.subject === subject);

    expect(find('ICX-FW-04', 'FirewallPolicy/fw-jp-main')).toMatchObject({ status: 'pass', baseline: { state: 'resolved', previousStatus: 'fail' } });
    expect(find('ICX-RT-02', 'RoutingTable/rt-jp-ss7-2026q2#r-new')).toMatchObject({ status: 'fail', baseline: { state: 'new' } });
    expect(find('ICX-OWN-02', 'InterconnectAgreement/ag-jp-cmi-2024')).toMatchObject({ status: 'fail', baseline: { state: 'unchanged', previousStatus: 'fail' } });
    expect(result.baseline).toMatchObject({ source: before, previousAuditDate: '2026-07-01', removed: [] });
    expect(result.baseline.counts.resolved).toBeGreaterThanOrEqual(1);
    expect(result.findings.every((f: { baseline?: unknown }) => f.baseline)).toBe(true);
    expect(stdout).toMatch(/since 2026-07-01 \(.*\): \d+ new, \d+ changed, \d+ resolved, \d+ unchanged/);
  });

  it('lists previous problems whose subject disappeared as resolved', () => {
    const work = tempFiles({});
    cpSync('inputs', join(work, 'inputs'), { recursive: true });
    const before = join(work, 'before');
    ixaudit('audit', join(work, 'inputs'), '--out', before, '--format', 'json');
    const waivers = join(work, 'inputs/nz-aotearoa/agreements.yaml');
    // Drop the agreement with China Telecom Global entirely.
    const docs = readFileSync(waivers, 'utf8').split(/^---$/m).filter((d) => !d.includes('ag-nz-ctg-2023'));
    writeFileSync(waivers, docs.join('---'));
    const after = join(work, 'after');
    ixaudit('audit', join(work, 'inputs'), '--out', after, '--baseline', before, '--format', 'json');
    const result = JSON.parse(readFileSync(join(after, 'findings.json'), 'utf8'));
    expect(result.baseline.removed).toContainEqual(expect.objectContaining({ control: 'ICX-OWN-02', subject: 'InterconnectAgreement/ag-nz-ctg-2023', previousStatus: 'fail' }));
  });

  it('refuses a folder without a previous findings.json', () => {
    const { code, stderr } = ixaudit('audit', 'inputs', '--out', tempFiles({}), '--baseline', tempFiles({}), '--format', 'json');
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
    writeFileSync(table, text.slice(0, start) + text.slice(start, end).replace('primary: {carrier: ctg}', 'primary: {carrier: singtel}').replace('transit: [ctg]', 'transit: [singtel]') + text.slice(end));
    const subject = 'RoutingTable/rt-nz-ss7-2026q2#r-0001';
    expect(previous.findings.find((f) => f.control === 'ICX-RT-01' && f.subject === subject)?.status).toBe('fail');
    const after = auditReport([join(work, 'inputs')], { listRouteFindingsUpTo: 0, baseline: { source: 'before', previous } }).result;
    expect(after.summarised?.length).toBeGreaterThan(0);
    expect(after.findings.some((f) => f.control === 'ICX-RT-01' && f.subject === subject)).toBe(false);
    expect(after.baseline!.removed.filter((r) => r.subject === subject)).toEqual([]);
    expect(after.baseline!.counts.resolved).toBeGreaterThanOrEqual(1);
  });
});
