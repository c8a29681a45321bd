import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempFiles } from './support/files.js';
import { withTools } from './support/tools.js';
import { REGULATOR_OPTIONS, run } from './support/run.js';

/** The page as headless Chromium (Debian's chromium, as the tests' machine has it) renders it. */
function renderedDom(file: string): string {
  const profile = tempFiles({});
  const result = spawnSync(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      '--dump-dom',
      `file://${file}`,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return result.stdout;
}

describe('index.html', () => {
  const work = tempFiles({});
  const out = join(work, 'out');

  beforeAll(async () => {
    cpSync('inputs', join(work, 'inputs'), { recursive: true });
    // Input text is hostile by default: an operator name carrying markup must come out as text.
    const operator = join(work, 'inputs/no-nordlys/operator.yaml');
    writeFileSync(
      operator,
      readFileSync(operator, 'utf8').replace(
        /name: .*Nordlys Mobil AS.*/,
        'name: "Nordlys <script>alert(1)</script> & Co"',
      ),
    );
    await run('audit', join(work, 'inputs'), ...REGULATOR_OPTIONS, '--out', out, '--quiet');
  });

  it('loads in headless Chromium, and every link resolves to a file that exists', async (context) => {
    const linksResolve = (page: string) => {
      const hrefs = [...page.matchAll(/href="([^"]+)"/g)].map((m) => decodeURIComponent(m[1]));
      expect(hrefs).toContain('findings.json');
      expect(hrefs).toContain('manifest.json');
      expect(hrefs.some((h) => h.startsWith('jp-sakura/'))).toBe(true);
      for (const href of hrefs) expect(existsSync(join(out, href)), href).toBe(true);
    };
    // The page as written, then as a browser reads it.
    linksResolve(readFileSync(join(out, 'index.html'), 'utf8'));
    await withTools(context, ['chromium'], () => {
      const dom = renderedDom(join(out, 'index.html'));
      expect(dom).toContain('<title>ixaudit — interconnect audit 2026-07-01</title>');
      linksResolve(dom);
    });
  });

  it('shows the sector view: operators ranked by exposure, the exposure matrix, carriers and control pass rates', () => {
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    const ranked = [...html.matchAll(/<code>(jp-sakura|kr-hanbit|no-nordlys|nz-aotearoa)<\/code><\/td>/g)].map(
      (m) => m[1],
    );
    expect(ranked).toEqual(['nz-aotearoa', 'kr-hanbit', 'jp-sakura', 'no-nordlys']);
    expect(html).toMatch(
      /<td>kr-hanbit<\/td><td class="risk">meridian-transit<\/td><td>diameter<\/td><td class="num">15 %<\/td>/,
    );
    expect(html).toMatch(/<code>ICX-RT-01<\/code>/);
    expect(html).toContain('さくらモバイル株式会社');
    // Percentages as the PDF writes them (two decimals at most), not the view's three.
    expect(html).toMatch(/<code>ICX-FW-07<\/code>.*?66\.67 % \(2 of 3 where it applies\)/);
    expect(html).not.toMatch(/\d\.\d{3} %/);
  });

  it('counts subjects as the summary does, names the findings they come down to, and links occurrences.csv', () => {
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    const data = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8'));
    const attention = data.findings.filter((f: { status: string }) =>
      ['fail', 'not-evidenced', 'error', 'waived'].includes(f.status),
    ).length;
    expect(html).toContain(
      `— ${data.summary.byStatus.fail} failed, ${data.summary.byStatus['not-evidenced']} not evidenced`,
    );
    expect(html).toContain(`comes down to ${attention} finding(s), one per cause`);
    expect(html).toContain('<a href="occurrences.csv">occurrences.csv — every occurrence of every finding');
    expect(html).toContain('<a href="findings.csv">findings.csv — findings by cause, with their occurrence counts');
    // The run's workbook says what it is; "workbook" alone is the label beside an operator's name.
    expect(html).toContain('<a href="findings.xlsx">findings.xlsx — all findings of the run (workbook)</a>');
    expect(html).toContain('<a href="jp-sakura/findings.xlsx">workbook</a>');
  });

  it('escapes input text: no markup from a submission reaches the page', () => {
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('Nordlys &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
  });

  it('a consultant template overrides the page; a missing variable is an error, not blank text', async () => {
    const templates = tempFiles({ 'index.html.hbs': '<h1>{{run.auditDate}} for ACME Consulting</h1>' });
    const branded = join(work, 'branded');
    // Only the page the template is for: the PDFs and workbooks ignore index.html.hbs.
    await run(
      'audit',
      join(work, 'inputs'),
      ...REGULATOR_OPTIONS,
      '--out',
      branded,
      '--quiet',
      '--format',
      'html',
      '--template-dir',
      templates,
    );
    expect(readFileSync(join(branded, 'index.html'), 'utf8')).toBe('<h1>2026-07-01 for ACME Consulting</h1>');

    const broken = tempFiles({ 'index.html.hbs': '<h1>{{run.clientName}}</h1>' });
    const result = await run(
      'audit',
      join(work, 'inputs'),
      ...REGULATOR_OPTIONS,
      '--out',
      join(work, 'broken'),
      '--format',
      'html',
      '--template-dir',
      broken,
    );
    // A template error is the user's, located at its line (issue 12, point 13): exit 2, not "cannot write".
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /index\.html\.hbs:1:\d+: "clientName" is neither a value of the report model nor a helper/,
    );
    expect(existsSync(join(work, 'broken', 'index.html'))).toBe(false);
  });

  it('a template cannot reach prototypes', async () => {
    const templates = tempFiles({ 'index.html.hbs': '{{#with run}}{{constructor.name}}{{/with}}' });
    const result = await run(
      'audit',
      join(work, 'inputs'),
      ...REGULATOR_OPTIONS,
      '--out',
      join(work, 'proto'),
      '--format',
      'html',
      '--template-dir',
      templates,
    );
    expect(result.code).toBe(2);
    expect(existsSync(join(work, 'proto', 'index.html'))).toBe(false);
  });
});
