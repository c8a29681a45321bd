import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { controlsDocText } from '../src/cli/controls-command.js';
import { catalogVersion, toolVersion } from '../src/audit/run-audit.js';
import { DEFAULT_YAML_LIMITS } from '../src/load/yaml.js';
import { BASELINE_STATES } from '../src/model/finding.js';
import { tempFiles } from './support/files.js';
import { run, SAMPLES } from './support/run.js';

// The conventions a user of InSpec, Prowler, Checkov or Conftest expects of a command line: help per
// command, short flags, --version, --verbose, findings on stdout for a pipe, and no surprising writes.

/** Runs the CLI in process and also captures what it writes with process.stdout.write (--stdout). */
async function runPiped(...args: string[]): Promise<{ code: number; stdout: string; piped: string; stderr: string }> {
  const piped: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    piped.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write);
  try {
    const result = await run(...args);
    return { ...result, piped: piped.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('help', () => {
  it("`<command> --help`, `-h` and `help <command>` print that command's help, not the overview", async () => {
    for (const command of ['audit', 'validate', 'controls', 'keygen', 'verify']) {
      const long = await run(command, '--help');
      expect(long.code, command).toBe(0);
      expect(long.stdout, command).toMatch(new RegExp(`^Usage:\\n  ixaudit ${command}`));
      expect(long.stdout, command).toContain('Examples:');
      expect(long.stdout, command).not.toContain('ixaudit — audit mobile interconnect');
      expect((await run('help', command)).stdout, command).toBe(long.stdout);
      expect((await run(command, '-h')).stdout, command).toBe(long.stdout);
    }
    expect((await run('controls', 'list', '--help')).stdout).toBe((await run('help', 'controls')).stdout);
  });

  it('lists only the options a command reads, and exit codes for audit, validate and verify', async () => {
    const audit = (await run('help', 'audit')).stdout;
    for (const option of [
      '-o, --out DIR',
      '-f, --format',
      '-p, --profile',
      '-q, --quiet',
      '--stdout FORMAT',
      '--verbose',
      '--fail-on',
      '--limit',
    ])
      expect(audit).toContain(option);
    expect(audit).toMatch(/Exit codes.*\n\s+0 {2}PASS.*\n[\s\S]*\n\s+4 {2}reports could not be written/);
    expect(audit).not.toContain('--outputs-only');
    const verify = (await run('help', 'verify')).stdout;
    expect(verify).toContain('--outputs-only');
    expect(verify).not.toContain('--fail-on');
    expect(verify).toMatch(/Exit codes:\n\s+0 {2}verified.*\n\s+1 {2}verification failed/);
    expect((await run('help', 'validate')).stdout).toMatch(/Exit codes:\n\s+0 {2}the inputs are valid\n\s+2 {2}/);
    expect((await run('help', 'validate')).stdout).not.toContain('--out');
    expect((await run('help', 'keygen')).stdout).toContain('--force');
  });

  it("audit's help gives every exit code of the README's table, and every baseline state", async () => {
    // A newcomer found 130 and 143 in the README but not in --help, and --baseline's help naming four
    // of the six states.
    const readme = readFileSync('README.md', 'utf8');
    const table = readme.slice(readme.indexOf('### Exit codes'), readme.indexOf('The fail-on severity'));
    const codes = [...table.matchAll(/^\| ([\d, ]+) \|/gm)].flatMap((m) => m[1].split(/, /));
    expect(codes).toEqual(['0', '1', '2', '3', '4', '130', '143']);
    const audit = (await run('help', 'audit')).stdout;
    const exits = audit.slice(audit.indexOf('Exit codes'));
    for (const code of codes) expect(exits).toMatch(new RegExp(`\\n\\s+(?:\\d+, )*${code}\\b`));
    const baseline = audit.slice(
      audit.indexOf('--baseline DIR'),
      audit.indexOf('\n  -', audit.indexOf('--baseline DIR')),
    );
    for (const state of BASELINE_STATES) expect(baseline.replace(/\s+/g, ' ')).toContain(state);
  });

  it('--limit help names every parser limit, largeFileBytes included', async () => {
    const audit = (await run('audit', '--help')).stdout;
    const limitHelp = audit.slice(audit.indexOf('--limit NAME=N'), audit.indexOf('--jobs N'));
    for (const name of Object.keys(DEFAULT_YAML_LIMITS)) expect(limitHelp).toContain(name);
    expect(limitHelp).toContain('largeFileBytes');
  });

  it('keeps `ixaudit --help` and `ixaudit help` as the overview; an unknown help topic is a usage error', async () => {
    const overview = await run('--help');
    expect(overview).toMatchObject({ code: 0, stdout: expect.stringContaining('ixaudit — audit mobile interconnect') });
    expect(overview.stdout).toContain('ixaudit help <command>');
    expect((await run('help')).stdout).toBe(overview.stdout);
    expect(await run()).toMatchObject({ code: 2, stdout: overview.stdout });
    expect(await run('help', 'frobnicate')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown command "frobnicate"'),
    });
  });
});

describe('short flags, --version and option errors', () => {
  it('--version, -V and -v print the tool and catalog versions', async () => {
    const expected = `ixaudit ${toolVersion()} (catalog ${catalogVersion()})`;
    expect(expected).toMatch(/^ixaudit \d+\.\d+\.\d+ \(catalog \d+\.\d+\.\d+\)$/);
    for (const flag of ['--version', '-V', '-v'])
      expect(await run(flag), flag).toMatchObject({ code: 0, stdout: expected });
  });

  it('-o, -f, -p and -q are --out, --format, --profile and --quiet', async () => {
    const [short, long] = [tempFiles({}), tempFiles({})];
    const input = ['audit', 'inputs/no-nordlys', '--registry', 'regulator/registry'];
    const a = await run(...input, '-p', 'regulator/profile.yaml', '-o', short, '-f', 'json', '-q');
    const b = await run(...input, '--profile', 'regulator/profile.yaml', '--out', long, '--format', 'json', '--quiet');
    expect(a).toEqual(b);
    expect(a.stdout).toBe(''); // --quiet: no summary, no progress
    expect(a.stderr).not.toContain('audited');
    expect(readdir(short)).toEqual(['findings.json', 'manifest.json']);
    expect(readFileSync(join(short, 'findings.json'))).toEqual(readFileSync(join(long, 'findings.json')));
    expect(JSON.parse(readFileSync(join(short, 'findings.json'), 'utf8')).run.profile.id).toBe('sample-2026h1');
  });

  it("an unknown option is named, with a near option and the command's help", async () => {
    const { code, stderr } = await run('audit', 'inputs', '--outt', 'x');
    expect(code).toBe(2);
    expect(stderr).toBe('ixaudit: unknown option --outt (did you mean --out?)\nRun "ixaudit audit --help" for usage.');
    expect((await run('verify', 'out', '--frobnicate')).stderr).toBe(
      'ixaudit: unknown option --frobnicate\nRun "ixaudit verify --help" for usage.',
    );
  });
});

describe('--verbose', () => {
  it('prints the files read, the inventory and the profile chain on stderr; stdout is unchanged', async () => {
    const args = [
      'audit',
      'inputs/no-nordlys',
      '-p',
      'regulator/profile.yaml',
      '--registry',
      'regulator/registry',
      '-f',
      'json',
    ];
    const plain = await run(...args, '-o', tempFiles({}));
    const verbose = await run(...args, '-o', tempFiles({}), '--verbose');
    expect(verbose.code).toBe(plain.code);
    expect(verbose.stdout.replace(/Wrote .*/, '')).toBe(plain.stdout.replace(/Wrote .*/, ''));
    expect(plain.stderr).not.toContain('loaded ');
    expect(verbose.stderr).toMatch(
      /(^|\n)loaded \d+ file\(s\), \d+ bytes \(and \d+ built-in registry and profile file\(s\)\):\n/,
    );
    expect(verbose.stderr).toMatch(/\n {2}inputs\/no-nordlys\/\S+ \(\d+ bytes\)\n/);
    expect(verbose.stderr).toMatch(
      /\ninventory: 1 operator\(s\), \d+ route\(s\), \d+ carrier\(s\), \d+ agreement\(s\)\n/,
    );
    expect(verbose.stderr).toContain(
      '\nprofile sample-2026h1 (regulator/profile.yaml); chain sample-2026h1 → default (each extends the next)\n',
    );
    expect(await run(...args, '-o', tempFiles({}), '--verbose', '-q')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--verbose and --quiet cannot be used together'),
    });
  });
});

describe('--stdout FORMAT', () => {
  const out = tempFiles({});

  it.each([
    ['json', 'findings.json'],
    ['sarif', 'findings.sarif'],
    ['csv', 'findings.csv'],
  ])('--stdout %s writes %s to stdout, besides the --out files, and nothing else there', async (format, file) => {
    const dir = join(out, format);
    const { code, stdout, piped } = await runPiped(
      'audit',
      ...SAMPLES,
      '-o',
      dir,
      '--stdout',
      format,
      '-f',
      format,
      '-q',
    );
    expect(code).toBe(1); // the samples fail: the exit code still gives the result
    expect(stdout).toBe('');
    const written = readFileSync(join(dir, file), 'utf8');
    expect(piped).toBe(format === 'csv' ? written.replace(/^\uFEFF/, '') : written);
    if (format !== 'csv') expect(JSON.parse(piped)).toBeTruthy();
    else expect(piped.startsWith('\uFEFF')).toBe(false);
  });

  it('also without --quiet: the summary is not mixed into the findings', async () => {
    const { stdout, piped } = await runPiped(
      'audit',
      ...SAMPLES,
      '-o',
      join(out, 'loud'),
      '--stdout',
      'json',
      '-f',
      'json',
    );
    expect(stdout).toBe('');
    expect(JSON.parse(piped).summary.operators).toHaveLength(4);
  });

  it('is exclusive with --json, audit-only, and takes only the text formats', async () => {
    expect(await run('audit', ...SAMPLES, '-o', join(out, 'x'), '--stdout', 'json', '--json')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--stdout and --json both write to standard output'),
    });
    expect(await run('audit', ...SAMPLES, '-o', join(out, 'x'), '--stdout', 'pdf')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--stdout must be one of json, csv, sarif, not "pdf"'),
    });
    expect(await run('validate', ...SAMPLES, '--stdout', 'json')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--stdout is an audit option'),
    });
    expect(existsSync(join(out, 'x'))).toBe(false);
  });
});

describe('files the CLI writes unasked', () => {
  const cwd = process.cwd();
  afterEach(() => process.chdir(cwd));

  it("`controls docs` without FILE writes controls.md in the working folder, not the package's docs", async () => {
    const packageDoc = readFileSync(join(cwd, 'docs/controls.md'));
    const here = tempFiles({});
    process.chdir(here);
    const { code, stdout } = await run('controls', 'docs');
    process.chdir(cwd);
    expect(code).toBe(0);
    expect(stdout).toContain(`Wrote ${join(here, 'controls.md')}`);
    expect(readFileSync(join(here, 'controls.md'), 'utf8')).toBe(controlsDocText().text);
    expect(readFileSync(join(cwd, 'docs/controls.md'))).toEqual(packageDoc);
  });

  it('`keygen` refuses a git work tree (the key would be committed) unless --force', async () => {
    const repo = tempFiles({ 'README.md': 'x' });
    mkdirSync(join(repo, '.git'));
    const keys = join(repo, 'deep', 'keys');
    const refused = await run('keygen', '-o', keys);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`it is inside the git work tree ${repo}, where it would be committed`);
    expect(refused.stderr).toContain('--force');
    expect(existsSync(join(keys, 'ixaudit-signing-key.pem'))).toBe(false);
    // A worktree or submodule has a .git file instead of a folder.
    rmSync(join(repo, '.git'), { recursive: true });
    const worktree = tempFiles({ '.git': 'gitdir: /elsewhere\n' });
    expect((await run('keygen', '-o', worktree)).code).toBe(2);
    const forced = await run('keygen', '-o', join(worktree, 'keys'), '--force');
    expect(forced.code).toBe(0);
    expect(existsSync(join(worktree, 'keys', 'ixaudit-signing-key.pem'))).toBe(true);
    // Outside a work tree, as before.
    const outside = tempFiles({});
    expect((await run('keygen', '-o', outside)).code).toBe(0);
    expect(existsSync(join(outside, 'ixaudit-signing-key.pub.pem'))).toBe(true);
  });
});

function readdir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}
