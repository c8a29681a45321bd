import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../src/model/finding.js';
import type { AuditReport, InventoryCarrier } from '../src/model/report.js';
import { axisScale } from '../src/report/pdf/charts.js';
import { fontRuns } from '../src/report/pdf/fonts.js';
import { findingsJson, withOccurrenceFiles } from '../src/report/json/index.js';
import { operatorFindingsJson, pdfReporter, renderOperatorPdf } from '../src/report/pdf/index.js';
import { escapeMarkup, parseInlines, parseMarkup } from '../src/report/pdf/markup.js';
import { operatorReport, plainSummary } from '../src/report/pdf/model.js';
import { operatorViews, relevantFiles } from '../src/report/view/operator.js';
import { reportId } from '../src/report/manifest.js';
import { chainNodes, chainsOf, DETAIL_LIMIT, evidenceDetails } from '../src/report/pdf/sections.js';
import { loadTemplates } from '../src/report/pdf/templates.js';
import { auditReport } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { requireTools, withTools } from './support/tools.js';
import { REGULATOR } from './support/run.js';
import { presentationOf } from '../src/report/view/index.js';
import { operatorWorkers } from '../src/report/operator-workers.js';
import { withWorkerLimits } from './support/workers.js';
import type { WriteProgress } from '../src/report/types.js';

/**
 * The PDFs are checked with the tools a reader's machine has: qpdf, pdffonts, pdftotext, pdfinfo,
 * pdfdetach, pdfimages. Where one is missing the checks that need it are skipped, saying so (on CI they fail).
 */
function tool(command: string, ...args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function text(pdf: string): string {
  return tool('pdftotext', '-enc', 'UTF-8', pdf, '-');
}

function pagesOf(pdf: string): number {
  return Number(/Pages:\s+(\d+)/.exec(tool('pdfinfo', pdf))![1]);
}

function textOfPage(pdf: string, page: number): string {
  return tool('pdftotext', '-enc', 'UTF-8', '-f', String(page), '-l', String(page), pdf, '-');
}

/** pdftotext breaks lines where the layout does; for "does it say X" questions, spaces and breaks are one. */
function flat(s: string): string {
  return s.replace(/\s+/g, ' ');
}

const NAMES: Record<string, string> = {
  'jp-sakura': 'さくらモバイル',
  'kr-hanbit': '한빛텔레콤',
  'nz-aotearoa': 'Kōrero',
  'no-nordlys': 'Nordlys Mobil',
};

describe('PDF report of the bundled samples', () => {
  let report: AuditReport;
  let out: string;
  let written: string[];

  beforeAll(async () => {
    report = auditReport(['inputs'], REGULATOR);
    out = tempFiles({});
    written = await pdfReporter.write(presentationOf(report), out, {});
  });

  it('writes OUT/<operator>/report.pdf for every operator and OUT/sector.pdf, and nothing else', () => {
    expect(written.map((p) => p.slice(out.length + 1))).toEqual([
      'jp-sakura/report.pdf',
      'kr-hanbit/report.pdf',
      'no-nordlys/report.pdf',
      'nz-aotearoa/report.pdf',
      'sector.pdf',
    ]);
  });

  it('draws every top exposure whole: no bullet cut short with "…"', (context) => {
    requireTools(context, ['pdftotext']);
    // kr-hanbit's read "… Commission of the State Council (…": plainSummary cut inside an aside.
    for (const operator of ['jp-sakura', 'kr-hanbit', 'nz-aotearoa']) {
      const all = flat(text(join(out, operator, 'report.pdf')));
      const start = all.indexOf('Top exposures');
      const exposures = all.slice(start, all.indexOf('Exposure at a glance', start));
      expect(exposures, operator).toMatch(/^Top exposures • /);
      expect(exposures, operator).not.toMatch(/…/);
    }
  });

  it('keeps the exposure section heading on the page of its first chart', (context) => {
    requireTools(context, ['pdftotext', 'pdfinfo']);
    for (const pdf of written.filter((p) => p.endsWith('report.pdf'))) {
      const pages = pagesOf(pdf);
      // Page 2 is the contents, which names the section too.
      const page = Array.from({ length: pages - 2 }, (_, i) => i + 3).find((n) =>
        /^2\s+Exposure at a glance$/m.test(textOfPage(pdf, n)),
      );
      expect(page, pdf).toBeDefined();
      expect(textOfPage(pdf, page!), pdf).toContain('Findings needing action, by control family');
    }
  });

  it('passes qpdf --check, is tagged, has a title and PDF/A identification', async (context) => {
    for (const pdf of written.filter((p) => p.endsWith('report.pdf'))) {
      const bytes = readFileSync(pdf).toString('latin1');
      expect(bytes).toContain('<pdfaid:part>3</pdfaid:part>');
      expect(bytes).toMatch(/\/Lang \(en\)/);
      await withTools(context, ['qpdf', 'pdfinfo'], () => {
        const check = spawnSync('qpdf', ['--check', pdf], { encoding: 'utf8' });
        expect(check.status, check.stdout + check.stderr).toBe(0);
        expect(check.stdout).toContain('No syntax or stream encoding errors found');
        const info = tool('pdfinfo', pdf);
        expect(info).toMatch(/Tagged:\s+yes/);
        expect(info).toMatch(/Title:\s+Interconnect security audit report — /);
        expect(info).toMatch(/CreationDate:\s+Wed Jul\s+1 00:00:00 2026 UTC/);
      });
    }
  });

  it('embeds every font it uses, subsetted, including the CJK fonts the names need', (context) => {
    requireTools(context, ['pdffonts']);
    const fontsOf = (pdf: string) =>
      tool('pdffonts', pdf)
        .split('\n')
        .slice(2)
        .filter((l) => l.trim() !== '')
        .map((l) => {
          const cols = l.trim().split(/\s+/);
          return { name: cols[0], emb: cols[cols.length - 5], sub: cols[cols.length - 4] };
        });
    for (const pdf of written) {
      const fonts = fontsOf(pdf);
      expect(fonts.length).toBeGreaterThan(1);
      for (const f of fonts) expect(f, `${pdf}: ${f.name}`).toMatchObject({ emb: 'yes', sub: 'yes' });
    }
    expect(fontsOf(join(out, 'jp-sakura/report.pdf')).map((f) => f.name.split('+')[1])).toContain('NotoSansJP-Regular');
    expect(fontsOf(join(out, 'kr-hanbit/report.pdf')).map((f) => f.name.split('+')[1])).toContain('NotoSansKR-Regular');
    // "中国移动国际": 动 and 际 are not in the JP font, so the Chinese names fall back to SC.
    expect(fontsOf(join(out, 'jp-sakura/report.pdf')).map((f) => f.name.split('+')[1])).toContain('NotoSansSC-Regular');
  });

  it('prints the operator name in its own script, every failed control id and the evidence lines', (context) => {
    requireTools(context, ['pdftotext']);
    for (const operator of presentationOf(report).operators) {
      const pdf = join(out, operator.id, 'report.pdf');
      const body = flat(text(pdf));
      expect(body).toContain(NAMES[operator.id]);
      const failed = report.result.findings.filter((f) => f.operator === operator.id && f.status === 'fail');
      if (operator.id !== 'no-nordlys') expect(failed.length).toBeGreaterThan(0);
      for (const f of failed) {
        expect(body, f.control).toContain(f.control);
        expect(body, `${f.control} ${f.subject}`).toContain(
          `${f.location.file}:${f.location.line}:${f.location.column}`,
        );
        // The quoted YAML: the offending line's number and its text.
        for (const e of f.excerpt ?? []) expect(body).toContain(flat(e.text.trim()).slice(0, 30));
      }
    }
  });

  it('quotes the expected evidence of known sample exposures with their line numbers', (context) => {
    requireTools(context, ['pdftotext']);
    const jp = flat(text(join(out, 'jp-sakura/report.pdf')));
    expect(jp).toContain('RoutingTable/rt-jp-ss7-2026q2#r-0003');
    // Line numbers beside the quoted lines (read with -layout, as the page shows them).
    const layout = tool('pdftotext', '-layout', '-enc', 'UTF-8', join(out, 'jp-sakura/report.pdf'), '-');
    expect(layout).toMatch(
      /44\s+primary: \{carrier: syniverse\}\s*\n\s*45\s+backups: \[\{carrier: ctg\}\]\s*\n\s*46\s+transit: \[syniverse\]/,
    );
    // The ownership chain drawn as a path ends at the ultimate controller.
    expect(jp).toMatch(/Ownership chain — backup 1 ctg/);
    expect(jp).toMatch(/China Telecom Global Limited \(中国电信国际有限公司\)/);
    // Waiver states: applied and expired, each with its date.
    expect(jp).toContain('w-jp-001 applied until 2026-12-31');
    expect(jp).toContain('w-jp-002 expired on 2026-06-30 — the finding stands');
    expect(jp).toContain('unmatched');
    // The waivers appendix shows what each waiver declares, as its introduction says: the justification,
    // the approver with the ticket, and the compensating controls (the granted one and the operator's request).
    expect(jp).toMatch(/Justification: Legacy Hong Kong SS7 route via CMI; migration to NTT IPX is contracted/);
    expect(jp).toMatch(/Approved by: 相互接続セキュリティ室 \(Interconnect Security Office\) · ticket SEC-2291/);
    expect(jp).toMatch(/Justification: China Mobile International carries our Hong Kong and mainland roaming/);
    expect(jp).toMatch(/Compensating controls: ICX-FW-01; ICX-MON-01/);
    // The longest parameter name fits its column on one line, not broken as "…NotifyHo / urs".
    expect(layout).toMatch(/^\s*maxGovernmentRequestNotifyHours\s+72$/m);
    // A waiver id whole in its column, then its status (it broke as "w-jp-req-" / "004").
    expect(layout).toMatch(/^w-jp-req-004\s+requested\s+ICX-OWN-03/m);
    // The cover's 64-digit report id on one line (it used to leave its last digit alone on the next).
    expect(layout).toMatch(/^\s*Report id\s+[0-9a-f]{64}$/m);
  });

  it('has a contents page whose page numbers are right, clickable, and bookmarks for the sections', async (context) => {
    const pdf = join(out, 'kr-hanbit/report.pdf');
    const raw = readFileSync(pdf).toString('latin1');
    expect((raw.match(/\/Subtype \/Link/g) ?? []).length).toBeGreaterThanOrEqual(10);
    await withTools(context, ['pdftotext'], () => {
      const contents = textOfPage(pdf, 2);
      expect(contents).toContain('Contents');
      const entry = /3 Findings\s+(\d+)/.exec(flat(contents));
      expect(entry).not.toBeNull();
      expect(textOfPage(pdf, Number(entry![1]))).toMatch(/3 Findings/);
      const controls = /4 Result of every control\s+(\d+)/.exec(flat(contents));
      expect(textOfPage(pdf, Number(controls![1]))).toContain('4 Result of every control');
    });
    await withTools(context, ['qpdf'], () => {
      const outline = JSON.parse(tool('qpdf', '--json', '--json-key=outlines', pdf)).outlines as Array<{
        title: string;
        kids: Array<{ title: string }>;
      }>;
      const titles = outline.map((o) => o.title);
      expect(titles.slice(0, 4)).toEqual([
        'Interconnect Security Audit Report',
        'Contents',
        '1 Executive summary',
        '2 Exposure at a glance',
      ]);
      expect(titles).toContain('Appendix E Input files and their SHA-256');
      const findings = outline.find((o) => o.title === '3 Findings')!;
      expect(findings.kids.map((k) => k.title)).toContain('3.2 Routing and transit exposure (RT)');
    });
  });

  it('has a running header with the report id and page numbers on every page but the cover', (context) => {
    requireTools(context, ['pdfinfo', 'pdftotext']);
    const pdf = join(out, 'no-nordlys/report.pdf');
    const pages = pagesOf(pdf);
    // The manifest's id (manifest.json reportId), the same in every output of the run.
    const id = reportId(report.result);
    expect(textOfPage(pdf, 1)).not.toContain(`Page 1 of`);
    for (const page of [2, pages]) {
      const t = textOfPage(pdf, page);
      expect(t).toContain(`Report ${id}`);
      expect(t).toContain(`Page ${page} of ${pages}`);
    }
  });

  it('carries its findings as an embedded JSON attachment', (context) => {
    requireTools(context, ['pdfdetach']);
    const pdf = join(out, 'nz-aotearoa/report.pdf');
    expect(tool('pdfdetach', '-list', pdf)).toContain('nz-aotearoa.findings.json');
    const saved = join(tempFiles({}), 'attached.json');
    tool('pdfdetach', '-save', '1', '-o', saved, pdf);
    const data = JSON.parse(readFileSync(saved, 'utf8'));
    // Streamed into bytes (an operator's findings can pass V8's longest string), it is still exactly
    // findings.json's format (occurrences one a line), cut down to the operator.
    const operator = presentationOf(report).operators.find((o) => o.id === 'nz-aotearoa')!;
    const part = {
      ...report.result,
      ...data,
      findings: report.result.findings.filter((f) => f.operator === operator.id),
    };
    expect(readFileSync(saved, 'utf8')).toBe(findingsJson(part));
    expect(readFileSync(saved).equals(operatorFindingsJson(report.result, operator))).toBe(true);
    const expected = report.result.findings.filter((f) => f.operator === 'nz-aotearoa');
    expect(withOccurrenceFiles(data.findings)).toEqual(expected);
    expect(data.summary.operators.map((o: { id: string }) => o.id)).toEqual(['nz-aotearoa']);
    expect(data.run.auditDate).toBe('2026-07-01');
  });

  it('lists only the input files that concern the operator, with their SHA-256', async (context) => {
    const own = report.result.run.inputs.find((i) => i.file.endsWith('jp-sakura/routing-ss7.yaml'))!;
    const other = report.result.run.inputs.find((i) => i.file.endsWith('kr-hanbit/routing-ss7.yaml'))!;
    expect(relevantFiles(report, 'jp-sakura').has(other.file)).toBe(false);
    await withTools(context, ['pdftotext'], () => {
      const body = flat(text(join(out, 'jp-sakura/report.pdf')));
      expect(body).toContain(own.sha256);
      expect(body).not.toContain(other.sha256);
    });
  });

  it('gives byte-identical PDFs for the same inputs and audit date, drawn again on worker threads', async () => {
    // A fresh audit, drawn by two render workers (a sector run's --jobs) that load the templates afresh:
    // the Japanese (CJK fallback) and New Zealand (most pages) reports come out byte for byte the same,
    // and the terminal hears each one's pages to the last.
    const again = presentationOf(auditReport(['inputs'], REGULATOR));
    const two = { ...again, operators: again.operators.filter((o) => o.id === 'jp-sakura' || o.id === 'nz-aotearoa') };
    const threaded = tempFiles({});
    const heard: WriteProgress[] = [];
    const started = operatorWorkers.started;
    await withWorkerLimits({ minSentItems: 0 }, () =>
      pdfReporter.write(two, threaded, { jobs: 2, onProgress: (p) => heard.push(p) }),
    );
    expect(operatorWorkers.started - started).toBe(2);
    for (const id of ['jp-sakura', 'nz-aotearoa']) {
      const file = `${id}/report.pdf`;
      const bytes = readFileSync(join(out, file));
      expect(readFileSync(join(threaded, file)).equals(bytes), id).toBe(true);
      // pdfkit writes each page as an uncompressed /Type /Page dictionary.
      const pages = bytes.toString('latin1').match(/\/Type \/Page\b(?!s)/g)!.length;
      const counts = heard.filter((p) => p.file === file).map((p) => p.done);
      expect(counts.length, file).toBeGreaterThan(10);
      expect(counts.at(-1), file).toBe(pages);
    }
  });
});

/** A 2×2 red PNG, made here so the test needs no binary fixture. */
function tinyPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(2, 4);
  header[8] = 8;
  header[9] = 2;
  const raw = Buffer.from([0, 255, 0, 0, 255, 0, 0, 0, 255, 0, 0, 255, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('consultant templates (--template-dir)', () => {
  let report: AuditReport;
  beforeAll(() => {
    report = auditReport(['inputs/kr-hanbit'], REGULATOR);
  });

  it('override the title page, wording, colours and logo without code', async (context) => {
    const shippedTheme = readFileSync('templates/pdf/theme.yaml.hbs', 'utf8');
    const dir = tempFiles({
      'pdf/cover.hbs':
        '# Review by Acme Telecom Advisory\n## {{operator.name}}\nPrepared for the board of {{operator.name}}.\n\n- **Audit date:** {{report.auditDate}}\n',
      'pdf/theme.yaml.hbs': shippedTheme
        .replace('organisation: ixaudit', 'organisation: Acme Telecom Advisory')
        .replace('logo: ""', 'logo: acme.png')
        .replace('primary: "#1F3A5F"', 'primary: "#004D40"'),
      'pdf/acme.png': tinyPng(),
    });
    const out = tempFiles({});
    const [pdf] = await pdfReporter.write(presentationOf(report), out, { templateDir: dir });
    await withTools(context, ['pdftotext', 'pdfinfo', 'pdfimages'], () => {
      const body = flat(text(pdf));
      expect(body).toContain('Review by Acme Telecom Advisory');
      expect(body).toContain('Prepared for the board of 한빛텔레콤 (Hanbit Telecom).');
      expect(body).not.toContain('Interconnect Security Audit Report');
      expect(tool('pdfinfo', pdf)).toMatch(/Author:\s+Acme Telecom Advisory/);
      expect(tool('pdfimages', '-list', pdf).trim().split('\n').length).toBe(3); // header, rule, one image
    });
    await withTools(context, ['qpdf'], () => {
      // The new primary colour is used for headings: 0 0.302 0.251 in PDF operators.
      expect(flat(tool('qpdf', '--qdf', '--object-streams=disable', pdf, '-'))).toMatch(
        /0 0\.30196\d* 0\.25098\d* (rg|scn)/,
      );
    });
  });

  it('refuse a missing variable with the template file, line and column, not blank text', async () => {
    const dir = tempFiles({ 'pdf/cover.hbs': '# Report\n\nFor {{operator.nmae}}\n' });
    await expect(pdfReporter.write(presentationOf(report), tempFiles({}), { templateDir: dir })).rejects.toThrow(
      /pdf\/cover\.hbs:3:7: "nmae" not defined$/,
    );
  });

  it('refuse an override whose name is not a template, and a labels file missing a label', async () => {
    const misspelt = tempFiles({ 'pdf/cover.hsb.hbs': '# x\n' });
    expect(() => loadTemplates(misspelt)).toThrow(
      /cover\.hsb\.hbs: not a PDF template; the templates that can be overridden are cover\.hbs/,
    );
    const labels = readFileSync('templates/pdf/labels.yaml.hbs', 'utf8').replace('  glossary: Glossary\n', '');
    const missing = tempFiles({ 'pdf/labels.yaml.hbs': labels });
    await expect(pdfReporter.write(presentationOf(report), tempFiles({}), { templateDir: missing })).rejects.toThrow(
      /labels\.yaml\.hbs: missing label sections\.glossary/,
    );
  });

  it('cannot reach prototype properties from a template', async () => {
    // operator.constructor is the Object function; Handlebars refuses it, so .name is not found.
    const dir = tempFiles({ 'pdf/cover.hbs': '# {{operator.constructor.name}}\n' });
    await expect(pdfReporter.write(presentationOf(report), tempFiles({}), { templateDir: dir })).rejects.toThrow(
      /cover\.hbs:1:5: "name" not defined$/,
    );
  });
});

describe('large audits', () => {
  it('summarise thousands of passing subjects and list every failure', async (context) => {
    const report = auditReport(['inputs/no-nordlys'], REGULATOR);
    const template = report.result.findings.find((f) => f.control === 'ICX-RT-02' && f.status === 'pass')!;
    const synthetic = (i: number, status: Finding['status']): Finding => {
      const subject = `RoutingTable/rt-big#r-${String(i).padStart(5, '0')}`;
      const location = { ...template.location, line: 10 + i };
      const fingerprint = String(i).padStart(32, '0');
      // One finding per subject (one occurrence each): a control with thousands of causes.
      return {
        ...template,
        status,
        subject,
        location,
        fingerprint,
        occurrences: [{ subject, location, fingerprint }],
        message: status === 'fail' ? `Synthetic failure number ${i}.` : 'passes',
        excerpt: status === 'fail' ? [{ line: 10 + i, text: `    backups: [{carrier: big-${i}}]` }] : undefined,
      };
    };
    const passes = Array.from({ length: 4000 }, (_, i) => synthetic(i, 'pass'));
    const failures = Array.from({ length: DETAIL_LIMIT + 15 }, (_, i) => synthetic(5000 + i, 'fail'));
    report.result.findings = [...report.result.findings, ...passes, ...failures];
    const [operator] = presentationOf(report).operators;
    const started = Date.now();
    const bytes = await renderOperatorPdf(presentationOf(report), operator, loadTemplates());
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeLessThan(30);
    const pdf = join(tempFiles({}), 'big.pdf');
    writeFileSync(pdf, bytes);
    await withTools(context, ['pdftotext', 'pdfinfo'], () => {
      const body = flat(text(pdf));
      for (const f of failures) expect(body).toContain(f.subject);
      expect(body).toContain(`Further findings of this control (15)`);
      expect(body).not.toContain('RoutingTable/rt-big#r-00042');
      expect(body).toMatch(/ICX-RT-02 No failover to a high-risk carrier High Fail \d+ fail · 4,0\d\d pass/);
      const pages = pagesOf(pdf);
      expect(pages).toBeLessThan(60);
    });
  });
});

describe('PDF building blocks', () => {
  it('split text into font runs: Latin with macrons, then JP, KR, SC for what Latin lacks', () => {
    expect(fontRuns('Aotearoa Whitiwhiti Kōrero')).toEqual([{ script: 'latin', text: 'Aotearoa Whitiwhiti Kōrero' }]);
    expect(fontRuns('さくらモバイル (Sakura)')).toEqual([
      { script: 'jp', text: 'さくらモバイル' },
      { script: 'latin', text: ' (Sakura)' },
    ]);
    expect(fontRuns('한빛텔레콤')).toEqual([{ script: 'kr', text: '한빛텔레콤' }]);
    // 中国 exist in the JP font but 动/际 do not: the whole name goes to SC rather than mixing styles.
    expect(fontRuns('中国移动国际')).toEqual([{ script: 'sc', text: '中国移动国际' }]);
    expect(fontRuns('国务院')).toEqual([{ script: 'sc', text: '国务院' }]);
  });

  it('parse the narrative markup; escaped values never become formatting', () => {
    expect(parseMarkup('# Title\n\nSome **bold** text\ncontinued.\n\n- one\n- two')).toEqual([
      { type: 'heading', level: 1, inlines: [{ text: 'Title', bold: false }] },
      {
        type: 'paragraph',
        inlines: [
          { text: 'Some ', bold: false },
          { text: 'bold', bold: true },
          { text: ' text continued.', bold: false },
        ],
      },
      { type: 'list', items: [[{ text: 'one', bold: false }], [{ text: 'two', bold: false }]] },
    ]);
    const hostile = '# **not bold** - x\nline';
    expect(parseMarkup(escapeMarkup(hostile))).toEqual([
      { type: 'paragraph', inlines: [{ text: '# **not bold** - x line', bold: false }] },
    ]);
    expect(parseInlines(`**${escapeMarkup('a*b')}**`)).toEqual([{ text: 'a*b', bold: true }]);
  });

  it('choose round chart axes', () => {
    expect(axisScale(0)).toEqual({ max: 5, step: 1 });
    expect(axisScale(4)).toEqual({ max: 4, step: 1 });
    expect(axisScale(7)).toEqual({ max: 8, step: 2 });
    expect(axisScale(10)).toEqual({ max: 10, step: 2 });
    expect(axisScale(23)).toEqual({ max: 25, step: 5 });
    expect(axisScale(130)).toEqual({ max: 160, step: 40 });
    for (const value of [1, 3, 9, 11, 57, 99, 1234]) {
      const { max, step } = axisScale(value);
      expect(max).toBeGreaterThanOrEqual(value);
      expect(Number.isInteger(max / step) && max / step <= 5).toBe(true);
    }
  });

  it('draw ownership chains from the inventory, never parsed back from their text', () => {
    const link = (id: string, country: string, type: string, share: number | null) =>
      ({ id, name: id.toUpperCase(), type, country, share, control: false }) as const;
    const ctg = { id: 'ctg', chain: [link('ctg', 'HK', 'carrier', null), link('b', '', 'government', 60)] };
    const carriers = new Map([['ctg', ctg as unknown as InventoryCarrier]]);
    expect(chainNodes(ctg.chain)).toEqual([
      { name: 'CTG', detail: 'HK', share: '' },
      { name: 'B', detail: 'jurisdiction unconfirmed · government', share: '60 %' },
    ]);
    // The `ownership` text is whatever the control wrote (here not a chain at all): the boxes come from the carrier.
    const chains = chainsOf(
      {
        highRiskBackups: [{ carrier: 'ctg', position: 'backup 1', ownership: 'text (that) [is not] → parsed' }],
        unavoidable: false,
      },
      carriers,
    );
    expect(chains).toEqual([{ caption: 'backup 1 ctg', nodes: chainNodes(ctg.chain) }]);
    // A carrier the inventory does not know draws nothing rather than a guess from text.
    expect(chainsOf({ hops: [{ carrier: 'nope', ownership: 'A (HK) → B (CN, government, 60 %)' }] }, carriers)).toEqual(
      [],
    );
    expect(evidenceDetails({ highRiskBackups: [{ carrier: 'ctg', ownership: 'A → B' }], unavoidable: false })).toBe(
      'highRiskBackups:\n  - carrier: ctg\nunavoidable: false',
    );
  });

  it('summarise a message by its first clause, not inside parentheses', () => {
    expect(plainSummary('Agreement ag-1 is held with high-risk carrier X (x): ultimate controller Y is in CN.')).toBe(
      'Agreement ag-1 is held with high-risk carrier X (x).',
    );
    expect(
      plainSummary('Signalling data is processed in high-risk jurisdiction(s) HK (all processing countries: HK).'),
    ).toBe('Signalling data is processed in high-risk jurisdiction(s) HK (all processing countries: HK).');
  });

  it('shorten a long first clause by its asides, never ending inside one', () => {
    // The samples' kr-hanbit report.pdf read "… Commission of the State Council (…" and "(国务院国有资产监督管理…".
    const controller =
      'ultimate controller State-owned Assets Supervision and Administration Commission of the State Council (国务院国有资产监督管理委员会) (government) is in CN';
    expect(plainSummary(`Traffic transits high-risk carrier(s) transit 2 meridian-transit (${controller}).`)).toBe(
      'Traffic transits high-risk carrier(s) transit 2 meridian-transit.',
    );
    expect(
      plainSummary(
        `Transit through transit 2 meridian-transit (high-risk: ${controller}) is neither approved in syniverse's agreement nor under an agreement of the operator's own.`,
      ),
    ).toBe(
      "Transit through transit 2 meridian-transit is neither approved in syniverse's agreement nor under an agreement of the operator's own.",
    );
    // Short enough: the asides stay.
    expect(
      plainSummary('Traffic transits high-risk carrier(s) transit 2 pccw-global (ultimate controller PCCW Limited).'),
    ).toBe('Traffic transits high-risk carrier(s) transit 2 pccw-global (ultimate controller PCCW Limited).');
  });

  it("take the report id from the evidence manifest's run section", () => {
    const report = auditReport(['inputs/no-nordlys'], REGULATOR);
    const model = operatorReport(presentationOf(report), presentationOf(report).operators[0]);
    expect(model.reportId).toBe(reportId(report.result));
    expect(model.reportId).toMatch(/^[0-9a-f]{64}$/);
    const later = { ...report.result, run: { ...report.result.run, auditDate: '2026-07-02' } };
    expect(reportId(later)).not.toBe(model.reportId);
  });
});

describe('the input files of a run of one operator', () => {
  // filesByOperator does not walk the occurrences when every finding, route, agreement and waiver is the
  // one operator's (three million of them at a million routes): it must list what the walk would.
  const report = auditReport(['inputs'], REGULATOR);
  const only = (id: string, keepFinding?: (f: Finding) => boolean): AuditReport => ({
    ...report,
    result: {
      ...report.result,
      summary: { ...report.result.summary, operators: report.result.summary.operators.filter((o) => o.id === id) },
      findings: report.result.findings.filter((f) => f.operator === id || keepFinding?.(f)),
      waivers: report.result.waivers.filter((w) => w.operator === id),
    },
    inventory: {
      ...report.inventory,
      routes: report.inventory.routes.filter((r) => r.operator === id),
      agreements: report.inventory.agreements.filter((a) => a.operator === id),
    },
  });

  it('are every input when all its data is its own, and leave out a file only another operator uses', () => {
    const inputs = report.result.run.inputs.map((i) => i.file);
    const [alone] = operatorViews(only('jp-sakura'));
    // The other operators' files are used by nothing left in the run: not attributable, so listed.
    expect(alone.inputs.map((i) => i.file)).toEqual(inputs);
    // One finding of another operator left in: its file is that operator's, and left out.
    const stray = report.result.findings.find((f) => f.operator === 'kr-hanbit')!;
    const [mixed] = operatorViews(only('jp-sakura', (f) => f === stray));
    expect(mixed.inputs.map((i) => i.file)).not.toContain(stray.location.file);
    expect(mixed.inputs.length).toBeLessThan(inputs.length);
  });
});
