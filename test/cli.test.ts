import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingOf } from './support/findings.js';
import { tempFiles } from './support/files.js';
import { ixaudit } from './support/cli.js';
import { REGULATOR_OPTIONS, run, runWith, SAMPLES } from './support/run.js';

// In-process runs of the command line (the source), except two end-to-end runs of the real binary:
// the sample audit with its progress lines, and worker threads with a worker that dies.

describe('ixaudit CLI', () => {
  it('explains itself with --help, including the exit codes', async () => {
    const { code, stdout } = await run('--help');
    expect(code).toBe(0);
    expect(stdout).toContain('ixaudit audit <file|folder>... [--out DIR]');
    expect(stdout).toMatch(
      /Exit codes \(a gating failure is never hidden by another problem\):\n\s+0 {2}PASS, or NOT GATED.*\n\s+1 {2}FAIL: .*\n.*\n\s+2 {2}no gating failure, .*\n.*\n\s+3 {2}ERROR: /,
    );
  });

  it('audits the bundled samples: exit 1 for failures, summary per operator, findings.json written', () => {
    const out = tempFiles({});
    const { code, stdout, stderr } = ixaudit('audit', ...SAMPLES, '--out', out, '--format', 'json');
    // Not a terminal: one plain progress line per step (loading, each operator, each format), on stderr.
    // Steps inside a stage (a file read, a control evaluated, references checked, a file being written)
    // show only after a quiet second: on a busy machine some may, so only the lines always shown are
    // compared here (test/progress.test.ts checks the others with a fixed clock).
    expect(
      stderr
        .split('\n')
        .filter((l) => /^(loading |loaded |audited |writing \S+ \(\d+\/\d+\)…$)/.test(l))
        .map((l) => l.replace(/:.*/, '')),
    ).toEqual([
      'loading and validating the inputs…',
      expect.stringMatching(/^loaded \d+ route\(s\); auditing 4 operator\(s\)…$/),
      'audited jp-sakura (1/4)',
      'audited kr-hanbit (2/4)',
      'audited no-nordlys (3/4)',
      'audited nz-aotearoa (4/4)',
      'writing json (1/1)…',
    ]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/FAIL jp-sakura \(さくらモバイル株式会社/);
    expect(stdout).toMatch(/PASS no-nordlys/);
    expect(stdout).toContain('waiver expired jp-sakura w-jp-002');
    const findings = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8'));
    expect(findings.run.auditDate).toBe('2026-07-01');
    expect(findingOf(findings.findings, 'ICX-RT-01', 'RoutingTable/rt-jp-ss7-2026q2#r-0001')?.status).toBe('waived');
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('--fail-on sets the exit code threshold', async () => {
    const none = await run('audit', ...SAMPLES, '--out', tempFiles({}), '--fail-on', 'none', '--format', 'json');
    expect(none.code).toBe(0);
    // Nothing can fail the run, so no operator is called PASS beside its failed findings: no verdict is given.
    expect(none.stdout).toMatch(/NOT GATED jp-sakura .*: \d+ failed/);
    expect(none.stdout).toContain('Overall result: NOT GATED');
    expect(none.stdout).not.toMatch(/PASS jp-sakura/);
    expect(
      (
        await run(
          'audit',
          'inputs/no-nordlys',
          ...REGULATOR_OPTIONS,
          '--out',
          tempFiles({}),
          '--fail-on',
          'info',
          '--format',
          'json',
        )
      ).code,
    ).toBe(0);
  });

  it('reports a broken submission with file:line:column, still audits the others, and its failures still exit 1', async () => {
    const dir = tempFiles({
      'broken/op.yaml':
        'apiVersion: ixaudit/v1\nkind: Operator\nmetadata: {id: broken-op}\nspec:\n  country: Nowhere\n  networks: [gsm]\n',
    });
    const out = tempFiles({});
    const { code, stderr } = await run('audit', ...SAMPLES, join(dir, 'broken'), '--out', out, '--format', 'json');
    expect(code).toBe(1); // the samples fail at high: an input error never hides that
    expect(stderr).toContain(
      'op.yaml:5:12: spec.country: expected an ISO 3166-1 alpha-2 country code such as JP, found the text "Nowhere"',
    );
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace for a user error
    const findings = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8'));
    // The operator whose document could not be loaded is in the run, INCOMPLETE, never silently missing.
    expect(findings.summary.operators.map((o: { id: string; result: string }) => `${o.id} ${o.result}`)).toEqual([
      'broken-op INCOMPLETE',
      'jp-sakura FAIL',
      'kr-hanbit FAIL',
      'no-nordlys PASS',
      'nz-aotearoa FAIL',
    ]);
    expect(findings.errors).toHaveLength(1);
  });

  it('rejects bad options with a usage error', async () => {
    expect(await run('audit', ...SAMPLES, '--date', '2026-13-01')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--date must be a calendar date'),
    });
    expect(await run('audit', ...SAMPLES, '--fail-on', 'severe')).toMatchObject({ code: 2 });
    expect(await run('audit', 'no/such/folder', '--out', tempFiles({}))).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('no/such/folder: no such file or folder'),
    });
    expect(await run('frobnicate')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "frobnicate"'),
    });
  });

  it('validate checks inputs without auditing', async () => {
    expect(await run('validate', ...SAMPLES)).toMatchObject({ code: 0, stdout: expect.stringContaining('valid') });
    const dir = tempFiles({
      'bad.yaml': 'apiVersion: ixaudit/v1\nkind: Operator\nmetadata: {id: BAD}\nspec: {country: JP, networks: [gsm]}\n',
    });
    const { code, stderr } = await run('validate', dir);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad\.yaml:3:16: metadata\.id: expected an id of lower-case letters/);
  });

  it('lists and shows controls, with what a profile changes', async () => {
    const list = await run('controls', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/ICX-RT-01\s+critical\s+No high-risk carrier as primary next hop/);
    const profile = tempFiles({
      'strict.yaml':
        'apiVersion: ixaudit/v1\nkind: AuditProfile\nmetadata: {id: strict-local}\nspec:\n  extends: default\n  controls: {disable: [ICX-CT-05], severity: {ICX-RT-06: high}}\n',
    });
    const tailored = await run('controls', 'list', '--profile', join(profile, 'strict.yaml'));
    expect(tailored.stdout).toMatch(/ICX-CT-05 .*\[disabled by profile\]/);
    expect(tailored.stdout).toMatch(/ICX-RT-06\s+high .*\[severity medium → high by profile\]/);
    const show = await run('controls', 'show', 'ICX-RT-04');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('Parameter maxHighRiskTrafficShare = 0');
    expect(show.stdout).toContain('References:');
  });

  it('never leaves a temporary file behind in --out', async () => {
    const out = tempFiles({});
    await run('audit', ...SAMPLES, '--out', out, '--format', 'json');
    expect(existsSync(join(out, 'findings.json'))).toBe(true);
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
    expect(readdirSync(out).filter((f) => f.startsWith('.') || f.endsWith('.tmp'))).toEqual([]);
  });

  it('gives the same bytes on worker threads (the real binary) as in one thread (in-process)', async () => {
    const [one, two] = [tempFiles({}), tempFiles({})];
    await run('audit', ...SAMPLES, '--out', one, '--jobs', '1', '--quiet', '--format', 'json');
    ixaudit('audit', ...SAMPLES, '--out', two, '--jobs', '2', '--quiet', '--format', 'json');
    expect(readFileSync(join(two, 'findings.json'), 'utf8')).toBe(readFileSync(join(one, 'findings.json'), 'utf8'));
  });

  it('survives a worker thread that dies: that operator is ERROR, the others are audited in full', async () => {
    const faulty = tempFiles({});
    const crash = await runWith(
      { faults: { worker: 'kr-hanbit' } },
      'audit',
      ...SAMPLES,
      '--out',
      faulty,
      '--jobs',
      '2',
      '--quiet',
      '--format',
      'json',
    );
    expect(crash.code).toBe(1);
    const result = JSON.parse(readFileSync(join(faulty, 'findings.json'), 'utf8'));
    const engine = result.findings.filter((f: { control: string }) => f.control === 'ICX-ENGINE');
    expect(engine).toEqual([
      expect.objectContaining({
        operator: 'kr-hanbit',
        status: 'error',
        message: expect.stringContaining('The worker auditing kr-hanbit failed'),
      }),
    ]);
    // The others were audited in full.
    expect(result.findings.filter((f: { operator: string }) => f.operator === 'nz-aotearoa').length).toBeGreaterThan(
      50,
    );
  });

  it('--json prints a machine-readable summary and nothing else on stdout; --quiet prints nothing', async () => {
    const out = tempFiles({});
    const { stdout, stderr, code } = await run('audit', ...SAMPLES, '--out', out, '--json', '--format', 'json');
    expect(stderr).toBe('');
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ exitCode: 1, result: 'FAIL', auditDate: '2026-07-01', profile: 'sample-2026h1' });
    expect(summary.exitCode).toBe(code);
    expect(summary.outputs.some((o: string) => o.endsWith('findings.json'))).toBe(true);
    expect(await run('audit', ...SAMPLES, '--out', out, '--quiet', '--format', 'json')).toMatchObject({
      stdout: '',
      stderr: '',
    });
    expect(await run('audit', ...SAMPLES, '--out', out, '--format', 'json,docx')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--format docx: not an output format'),
    });
  });
});
