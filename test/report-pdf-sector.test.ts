import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../src/model/finding.js';
import type { AuditReport } from '../src/model/report.js';
import { reportId } from '../src/report/manifest.js';
import { pdfReporter, renderOperatorPdf, renderSectorPdf } from '../src/report/pdf/index.js';
import { groupFailures, operatorReport } from '../src/report/pdf/model.js';
import { protocolMatrices, tint } from '../src/report/pdf/sector.js';
import { DETAIL_LIMIT, GROUP_LIMIT, ROW_LIMIT } from '../src/report/pdf/sections.js';
import { loadTemplates } from '../src/report/pdf/templates.js';
import { auditReport, withBaseline } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { hasTool, requireTools, withTools } from './support/tools.js';
import { REGULATOR } from './support/run.js';
import { presentationOf } from '../src/report/view/index.js';

/** poppler-utils and qpdf read the PDF; where one is missing the checks that need it are skipped, saying so (on CI they fail). */
function tool(command: string, ...args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}
const flat = (s: string) => s.replace(/\s+/g, ' ');
const pagesOf = (pdf: string) => Number(/Pages:\s+(\d+)/.exec(tool('pdfinfo', pdf))![1]);
const pageText = (pdf: string, page: number) =>
  tool('pdftotext', '-enc', 'UTF-8', '-f', String(page), '-l', String(page), pdf, '-');

describe('sector.pdf of the bundled samples', () => {
  let report: AuditReport;
  let out: string;
  let pdf: string;
  let body: string;
  let layout: string;

  beforeAll(async () => {
    report = auditReport(['inputs'], REGULATOR);
    out = tempFiles({});
    pdf = join(out, 'sector.pdf');
    writeFileSync(pdf, await renderSectorPdf(presentationOf(report), loadTemplates()));
    if (hasTool('pdftotext')) {
      body = flat(tool('pdftotext', '-enc', 'UTF-8', pdf, '-'));
      layout = tool('pdftotext', '-layout', '-enc', 'UTF-8', pdf, '-');
    }
  });

  it('is a sound, tagged PDF/A-3b file with every font embedded', async (context) => {
    expect(readFileSync(pdf).toString('latin1')).toContain('<pdfaid:part>3</pdfaid:part>');
    await withTools(context, ['qpdf', 'pdfinfo', 'pdffonts'], () => {
      const check = spawnSync('qpdf', ['--check', pdf], { encoding: 'utf8' });
      expect(check.status, check.stdout + check.stderr).toBe(0);
      expect(check.stdout).toContain('No syntax or stream encoding errors found');
      const info = tool('pdfinfo', pdf);
      expect(info).toMatch(/Tagged:\s+yes/);
      expect(info).toMatch(/Title:\s+Interconnect security audit — sector report/);
      const fonts = tool('pdffonts', pdf)
        .split('\n')
        .slice(2)
        .filter((l) => l.trim() !== '');
      for (const line of fonts) expect(line).toMatch(/\+Noto\S+\s.*\byes\s+yes\b/);
    });
  });

  it('names every operator in its own script', (context) => {
    requireTools(context, ['pdftotext']);
    for (const name of [
      'さくらモバイル株式会社 (Sakura Mobile K.K.)',
      '한빛텔레콤 (Hanbit Telecom)',
      'Aotearoa Whitiwhiti Kōrero Ltd',
      'Nordlys Mobil AS',
    ])
      expect(body).toContain(name);
  });

  it('ranks the operators by exposure and by failed findings, in sectorView order', async (context) => {
    const view = presentationOf(report).sector;
    expect(view.rankedByExposure).toEqual(['nz-aotearoa', 'kr-hanbit', 'jp-sakura', 'no-nordlys']);
    await withTools(context, ['pdftotext'], () => {
      const exposure = flat(
        body.slice(body.indexOf('3.1 By exposure to high-risk carriers', body.indexOf('3 Operators ranked') + 1)),
      );
      const at = (id: string) => exposure.indexOf(`${id} ·`);
      expect(at('nz-aotearoa')).toBeGreaterThan(0);
      expect(at('nz-aotearoa')).toBeLessThan(at('kr-hanbit'));
      expect(at('kr-hanbit')).toBeLessThan(at('jp-sakura'));
      expect(at('jp-sakura')).toBeLessThan(at('no-nordlys'));
      // Rank, name, result and highest share on one row.
      expect(layout).toMatch(/1 Aotearoa Whitiwhiti Kōrero Ltd\s+FAIL\s+25 % SS7 \/ SIGTRAN 25 %/);
      expect(layout).toMatch(/2 한빛텔레콤 \(Hanbit Telecom\)\s+FAIL\s+20 % SS7 \/ SIGTRAN 20 % · Diameter 15 %/);
      const nz = view.operators.find((o) => o.id === 'nz-aotearoa')!;
      expect(layout).toMatch(
        new RegExp(
          `1\\s+Aotearoa Whitiwhiti Kōrero Ltd \\(Aotearoa\\s+FAIL\\s+${nz.failedCritical}\\s+${nz.failedHigh}\\s+${nz.failed}`,
        ),
      );
    });
  });

  it('draws the exposure matrix with each cell the share sectorView computed', async (context) => {
    const cell = presentationOf(report).sector.exposureMatrix.find(
      (m) => m.operator === 'kr-hanbit' && m.protocol === 'diameter',
    )!;
    expect(cell).toMatchObject({ carrier: 'meridian-transit', share: 15 });
    await withTools(context, ['pdftotext'], () => {
      expect(layout).toMatch(
        /Diameter\s*\n\s*Meridian Transit\s+Pte\. Ltd\.\s+All high-risk\s*\n\s*한빛텔레콤 \(Hanbit Telecom\)\s+15 %\s+15 %/,
      );
    });
    // The figure's alternative text states the same cells in words.
    expect(readFileSync(pdf).toString('latin1')).toContain('Figure');
    const [ss7] = protocolMatrices(presentationOf(report).sector);
    expect(ss7.protocol).toBe('ss7');
    expect(ss7.rows.map((r) => r.operator)).toEqual(['nz-aotearoa', 'kr-hanbit', 'jp-sakura']);
    expect(ss7.unexposed).toBe(1);
  });

  it('lists carriers by submissions, control pass rates, the inputs with SHA-256, and says no baseline was given', (context) => {
    requireTools(context, ['pdftotext']);
    // Used by two submissions: first among the carriers, with its controller and the operators using it.
    expect(layout).toMatch(
      /2 China Telecom Global Limited \(中?\s+State-owned Assets Supervision\s+jp-sakura, nz-aotearoa/,
    );
    const rate = presentationOf(report).sector.controls.find((c) => c.id === 'ICX-OWN-04')!;
    const ops = presentationOf(report).sector.operators.length;
    expect(layout).toMatch(
      new RegExp(
        `ICX-OWN-04\\s+Foreign state-controlled carriers(?: are identified)?\\s+Info\\s+${rate.applicable} of ${ops}\\s+${rate.passing} of ${rate.applicable}\\s+${rate.failing}\\s+${rate.notEvidenced}\\s+${rate.passRate} ?%`,
      ),
    );
    for (const input of report.result.run.inputs) expect(body).toContain(input.sha256);
    expect(body).toContain('This audit was not compared with an earlier one');
  });

  it('sets the cover title on one line, without a word left alone under it', (context) => {
    requireTools(context, ['pdftotext']);
    expect(pageText(pdf, 1)).toMatch(/^Sector Interconnect Security Audit\n/m);
  });

  it('calls a count of subjects checks, not findings (a finding is one cause)', (context) => {
    requireTools(context, ['pdftotext']);
    const subjects = Object.values(report.result.summary.byStatus).reduce((n, k) => n + k, 0);
    expect(body).toContain(
      `Across the sector ${subjects.toLocaleString('en-US')} checks (one control on one subject) were made`,
    );
    expect(body).not.toMatch(/\d findings were made/);
    expect(body).toMatch(/failed checks in all/);
    expect(body).not.toMatch(/failed findings/);
  });

  it("quotes the manifest's report id on the cover and on every page after it", (context) => {
    const id = reportId(report.result);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    requireTools(context, ['pdftotext', 'pdfinfo']);
    // The cover may wrap the 64-character id over two lines.
    expect(pageText(pdf, 1).replace(/\s+/g, '')).toContain(id);
    const pages = pagesOf(pdf);
    for (const page of [2, pages]) {
      expect(pageText(pdf, page)).toContain(`Report ${id}`);
      expect(pageText(pdf, page)).toContain(`Page ${page} of ${pages}`);
    }
    expect(tool('pdfinfo', '-custom', pdf)).toContain(id);
  });

  it('carries its figures as sector.json', (context) => {
    requireTools(context, ['pdfdetach']);
    expect(tool('pdfdetach', '-list', pdf)).toContain('sector.json');
    const saved = join(tempFiles({}), 'sector.json');
    tool('pdfdetach', '-save', '1', '-o', saved, pdf);
    const data = JSON.parse(readFileSync(saved, 'utf8'));
    expect(data.rankedByExposure).toEqual(presentationOf(report).sector.rankedByExposure);
    expect(data.reportId).toBe(reportId(report.result));
  });

  it('is byte-identical when rendered again from a fresh audit', async () => {
    const again = await renderSectorPdf(presentationOf(auditReport(['inputs'], REGULATOR)), loadTemplates());
    expect(again.equals(readFileSync(pdf))).toBe(true);
  });

  it('shows the change since the last audit when there is a baseline', async (context) => {
    const changed = withBaseline(auditReport(['inputs'], REGULATOR));
    const file = join(tempFiles({}), 'sector.pdf');
    writeFileSync(file, await renderSectorPdf(presentationOf(changed), loadTemplates()));
    requireTools(context, ['pdftotext']);
    const text = tool('pdftotext', '-layout', '-enc', 'UTF-8', file, '-');
    expect(flat(text)).toContain('Compared with the audit of 2026-01-01 (previous-out)');
    // Columns: new, regressed, improved, changed, unchanged, resolved.
    expect(text).toMatch(/さくらモバイル株式会社 \(Sakura Mobile\s+3\s+0\s+0\s+0\s+\d+\s+0\n/);
    expect(text).toMatch(/한빛텔레콤 \(Hanbit Telecom\)\s+0\s+0\s+0\s+0\s+\d+\s+1\n/);
    expect(text).toMatch(/kr-hanbit\s+ICX-RT-02\s+RoutingTable\/rt-kr-ss7#r-gone\s+Fail/);
  });
});

describe('the PDF reporter', () => {
  it('writes sector.pdf beside the operators\u2019 reports, and a broken sector template stops it with its location', async () => {
    const report = auditReport(['inputs/no-nordlys'], REGULATOR);
    const out = tempFiles({});
    const written = await pdfReporter.write(presentationOf(report), out, {});
    expect(written.map((p) => p.slice(out.length + 1))).toEqual(['no-nordlys/report.pdf', 'sector.pdf']);
    const dir = tempFiles({ 'pdf/sector-summary.hbs': 'Operators: {{sector.operaters}}\n' });
    await expect(pdfReporter.write(presentationOf(report), tempFiles({}), { templateDir: dir })).rejects.toThrow(
      /pdf\/sector-summary\.hbs:1:14: "operaters" not defined$/,
    );
  });

  it('says no operator was audited when nothing could be loaded, not that every one of 0 meets the threshold', async (context) => {
    requireTools(context, ['pdftotext']);
    const report = auditReport([join(tempFiles({}), 'no-such-folder')], REGULATOR);
    const out = tempFiles({});
    const pdf = join(out, 'sector.pdf');
    writeFileSync(pdf, await renderSectorPdf(presentationOf(report), loadTemplates()));
    const text = flat(tool('pdftotext', '-enc', 'UTF-8', pdf, '-'));
    expect(text).toContain('No operator was audited: nothing in the inputs could be loaded');
    expect(text).not.toContain('Every one of the');
    expect(text).not.toContain('No operator routes any of its active traffic');
    expect(text).toContain('no-such-folder');
  });
});

describe('large audits stay bounded', () => {
  it('list the first failures, group the rest with every one counted, and count summarised passes per control', async (context) => {
    const report = auditReport(['inputs/no-nordlys'], REGULATOR);
    const template = report.result.findings.find((f) => f.control === 'ICX-RT-02' && f.status === 'pass')!;
    const extra = DETAIL_LIMIT + ROW_LIMIT + 3000;
    // One finding per subject (each its own cause, one occurrence): a control with thousands of causes.
    const failures: Finding[] = Array.from({ length: extra }, (_, i) => {
      const subject = `RoutingTable/rt-big#r-${String(i).padStart(6, '0')}`;
      const location = { ...template.location, line: 10 + i };
      const fingerprint = String(i).padStart(32, '0');
      return {
        ...template,
        status: 'fail',
        subject,
        location,
        fingerprint,
        occurrences: [{ subject, location, fingerprint }],
        message: `Synthetic failure number ${i}.`,
        excerpt: [{ line: 10 + i, text: `    backups: [{carrier: big-${i}}]` }],
      };
    });
    report.result.findings = [...report.result.findings, ...failures];
    // 90,000 passing routes counted, not listed, as findings.json does past 2,000 routes.
    report.result.summarised = [
      { operator: 'no-nordlys', control: 'ICX-RT-02', status: 'pass', count: 90_000, examples: [] },
    ];
    const [operator] = presentationOf(report).operators;
    const started = Date.now();
    const bytes = await renderOperatorPdf(presentationOf(report), operator, loadTemplates());
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeLessThan(30);
    const pdf = join(tempFiles({}), 'big.pdf');
    writeFileSync(pdf, bytes);
    await withTools(context, ['pdftotext', 'pdfinfo'], () => {
      const body = flat(tool('pdftotext', '-enc', 'UTF-8', pdf, '-'));
      // The rows listed one by one, then the rest counted in groups, all 3,000 of them.
      expect(body).toContain(`Further findings of this control (${(extra - DETAIL_LIMIT).toLocaleString('en-US')})`);
      expect(body).toContain(failures[DETAIL_LIMIT + ROW_LIMIT - 1].subject);
      expect(body).not.toContain(`${failures[DETAIL_LIMIT + ROW_LIMIT + 1].subject} `);
      expect(body).toContain('Still further subjects, counted by what they share (3,000)');
      expect(body).toContain('in occurrences.csv, findings.xlsx (Occurrences) and findings.json beside this report');
      expect(body).toMatch(
        /RoutingTable ?\/rt-big#r-000220 … RoutingTable ?\/rt-big#r-003219 inputs\/no-nordlys\/routing-?diameter\.yaml:230–3229/,
      );
      expect(body).toContain('Count Shared by the group');
      // Counts past a thousand are written as the tables and the terminal write them: 3,220, not 3220.
      expect(body).toMatch(
        new RegExp(
          `Of \\d{1,3}(?:,\\d{3})+ checks \\(one control on one subject\\), ${extra.toLocaleString('en-US')} failed`,
        ),
      );
      expect(body).toContain(`(ICX-RT-02, high, ${extra.toLocaleString('en-US')} subjects)`);
      expect(body).toMatch(/Fail 3,000 RoutingTable ?\/rt-big#r-000220/);
      expect(body).toMatch(
        new RegExp(
          `ICX-RT-02 No failover to a high-risk carrier High Fail ${extra.toLocaleString('en-US')} fail · 90,0\\d\\d pass`,
        ),
      );
      expect(pagesOf(pdf)).toBeLessThan(60);
    });
  });

  it('group failures by table, destination and primary carrier so that the counts add up', () => {
    const report = auditReport(['inputs/jp-sakura'], REGULATOR);
    const model = operatorReport(presentationOf(report), presentationOf(report).operators[0]);
    const routes = [...model.routesByRef.values()];
    const template = report.result.findings[0];
    const findings = routes.map(
      (r, _i) =>
        ({
          ...template,
          status: 'fail',
          subject: r.ref,
          location: { ...r.location, line: r.location.line },
          occurrences: [{ subject: r.ref, location: r.location, fingerprint: template.fingerprint }],
        }) as Finding,
    );
    const groups = groupFailures(findings, model.routesByRef);
    expect(groups.reduce((s, g) => s + g.count, 0)).toBe(routes.length);
    for (const g of groups) {
      const members = routes.filter(
        (r) =>
          r.table === g.table &&
          r.destination.country === g.country &&
          r.hops.find((h) => h.position === 'primary')?.carrier === g.carrier,
      );
      expect(members.length).toBe(g.count);
    }
    expect(groups.map((g) => g.count)).toEqual([...groups.map((g) => g.count)].sort((a, b) => b - a));
    expect(GROUP_LIMIT).toBeGreaterThan(0);
    expect(tint('#D0442C', 1)).toBe('#D0442C');
    expect(tint('#D0442C', 0)).toBe('#FFFFFF');
  });
});
