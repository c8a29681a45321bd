import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBytes, loadText } from '../src/load/index.js';
import { DEFAULT_YAML_LIMITS, parseLimits } from '../src/load/yaml.js';
import { formatDiagnostic } from '../src/model/types.js';
import { operatorDir } from '../src/report/paths.js';
import { publishReports } from '../src/report/publish.js';
import type { Reporter } from '../src/report/types.js';
import { writeFileAtomic } from '../src/report/write-atomic.js';
import { auditReport } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { ixaudit } from './support/cli.js';
import { REGULATOR, REGULATOR_OPTIONS, SAMPLES, run } from './support/run.js';

const errorsOf = (file: string, text: string | Buffer) =>
  (typeof text === 'string' ? loadText(file, text) : loadBytes(file, text)).diagnostics.map(formatDiagnostic);

describe('hostile YAML gets one clear located error, in bounded time and memory', () => {
  it('alias bomb ("billion laughs")', () => {
    const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    expect(errorsOf('bomb.yaml', `${lines.join('\n')}\n`)).toEqual([
      'bomb.yaml:4:45: aliases expand to more than 10000 nodes (limit maxAliasExpansion): write the data out instead of aliasing it',
    ]);
  });

  it('deeply nested flow and block documents', () => {
    expect(errorsOf('flow.yaml', `${'['.repeat(100_000)}${']'.repeat(100_000)}\n`)).toEqual([
      'flow.yaml:1:64: nesting deeper than 64 levels (limit maxDepth; raise it with --limit maxDepth=N)',
    ]);
    const block = Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
    expect(errorsOf('block.yaml', `${block} 1\n`)).toEqual([
      'block.yaml:65:65: nesting deeper than 64 levels (limit maxDepth; raise it with --limit maxDepth=N)',
    ]);
  });

  it('a large table with one route nested too deep is refused at that route, as a small one is', () => {
    // Large files (over largeFileBytes) had their flow brackets left to js-yaml: a route 100 levels deep
    // loaded there but was refused in a small file, and deeper ones were refused at the document's first
    // line, wherever the parser's stack ran out.
    const route = (n: number, transit: string) =>
      `  - id: r-${n}\n    primary: {carrier: c1}\n    transit: ${transit}\n    status: active\n`;
    const routes = Array.from({ length: 40 }, (_, n) => route(n, '[c1]'));
    routes[30] = route(30, `${'['.repeat(100)}c1${']'.repeat(100)}`);
    const text = `apiVersion: ixaudit/v1\nkind: RoutingTable\nmetadata: {id: rt, operator: op}\nspec:\n  protocol: ss7\n  routes:\n${routes.join('')}`;
    const deep = 'rt.yaml:129:75: nesting deeper than 64 levels (limit maxDepth; raise it with --limit maxDepth=N)';
    const load = (limits: Partial<typeof DEFAULT_YAML_LIMITS>) =>
      loadText('rt.yaml', text, { limits: { ...DEFAULT_YAML_LIMITS, ...limits } }).diagnostics.map(formatDiagnostic);
    expect(load({})).toEqual([deep]);
    expect(load({ largeFileBytes: 1 })).toEqual([deep]);
    // Raised, the limit lets both through to the parser, and neither is refused for its nesting.
    for (const largeFileBytes of [DEFAULT_YAML_LIMITS.largeFileBytes, 1])
      expect(load({ largeFileBytes, maxDepth: 200 }).filter((d) => d.includes('nesting'))).toEqual([]);
  });

  it('a quote inside a plain scalar hides no bracket: small and large files are refused alike', () => {
    // Found by attacking the check above: an apostrophe or quote inside a plain scalar (`it's`, `5"x`),
    // or the closing quote of a two-line scalar, was taken to open a quote that hid the rest of the line,
    // so a large file loaded 200 levels of nesting that a small file refused.
    const deep = `${'['.repeat(200)}x${']'.repeat(200)}`;
    for (const text of [`a: [it's, ${deep}]\n`, `a: [5"x, ${deep}]\n`, `a: ["abc\n  def", ${deep}]\n`]) {
      const small = loadText('q.yaml', text).diagnostics.map(formatDiagnostic);
      const large = loadText('q.yaml', text, { limits: { ...DEFAULT_YAML_LIMITS, largeFileBytes: 1 } });
      expect(small).toHaveLength(1);
      expect(small[0]).toMatch(/^q\.yaml:\d+:\d+: nesting deeper than 64 levels/);
      expect(large.diagnostics.map(formatDiagnostic)).toEqual(small);
    }
  });

  it('a table whose remarks hold unclosed brackets loads, small or large', () => {
    // Found by review: a `[` in a comment after a tab, or in a plain scalar, was counted as an open flow
    // list for the rest of the file, so 70 such routes had a whole table refused as nested too deep.
    const route = (n: number) =>
      `  - id: r-${n}\n    primary: {carrier: c1}\n    status: active\t# see ticket [INC-${n}\n`;
    const routes = Array.from({ length: 70 }, (_, n) => route(n)).join('');
    const text = `apiVersion: ixaudit/v1\nkind: RoutingTable\nmetadata: {id: rt, operator: op}\nspec:\n  protocol: ss7\n  source: STP export [partial\n  routes:\n${routes}`;
    for (const largeFileBytes of [DEFAULT_YAML_LIMITS.largeFileBytes, 1]) {
      const loaded = loadText('rt.yaml', text, { limits: { ...DEFAULT_YAML_LIMITS, largeFileBytes } });
      expect(loaded.diagnostics.map(formatDiagnostic).filter((d) => d.includes('nesting'))).toEqual([]);
      expect(loaded.documents).toHaveLength(1);
    }
  });

  it('a 100 MB scalar is refused by line length before parsing, an oversized file by size', () => {
    const huge = Buffer.alloc(100 * 1024 * 1024 + 20, 'x');
    huge.write('name: "', 0);
    expect(errorsOf('huge.yaml', huge)).toEqual([
      'huge.yaml:1:1: line is 104857620 characters long, more than the limit of 1048576 (limit maxLineBytes; raise it with --limit maxLineBytes=N)',
    ]);
    const small = { ...DEFAULT_YAML_LIMITS, maxFileBytes: 1000 };
    expect(loadBytes('big.yaml', Buffer.alloc(2000, 'a'), { limits: small }).diagnostics.map(formatDiagnostic)).toEqual(
      [
        'big.yaml:1:1: file is 2000 bytes, larger than the limit of 1000 (limit maxFileBytes; raise it with --limit maxFileBytes=N)',
      ],
    );
    const longLine = `apiVersion: ixaudit/v1\nkind: Operator\nmetadata: {id: x, name: "${'y'.repeat(2 * 1024 * 1024)}"}\n`;
    expect(errorsOf('long.yaml', longLine)).toEqual([
      'long.yaml:3:1: line is 2097179 characters long, more than the limit of 1048576 (limit maxLineBytes; raise it with --limit maxLineBytes=N)',
    ]);
  });

  it('__proto__ and constructor keys pollute nothing', () => {
    const text =
      'apiVersion: ixaudit/v1\nkind: Operator\nmetadata: {id: x, __proto__: {admin: true}, constructor: {prototype: {admin: true}}}\nspec: {country: JP, networks: [gsm]}\n';
    const errors = errorsOf('proto.yaml', text);
    expect(errors).toEqual([
      'proto.yaml:3:19: metadata.__proto__: unknown field (expected one of: id, operator, name, annotations)',
      'proto.yaml:3:45: metadata.constructor: unknown field (expected one of: id, operator, name, annotations)',
    ]);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).admin).toBeUndefined();
  });

  it('non-UTF-8 bytes and language tags', () => {
    expect(errorsOf('latin1.yaml', Buffer.from('name: caf\xe9\n', 'latin1'))).toEqual([
      'latin1.yaml:1:10: byte 0xe9 is not valid UTF-8: save the file as UTF-8',
    ]);
    expect(errorsOf('tag.yaml', 'kind: !!js/function "function () { return 1 }"\n')).toEqual([
      'tag.yaml:1:7: unsupported tag: tag:yaml.org,2002:js/function (custom and language tags are not accepted)',
    ]);
  });

  it('a damaged file reports at most maxErrorsPerFile problems, then a count', () => {
    const routes = Array.from(
      { length: 400 },
      (_, i) =>
        `    - {id: r-${i}, match: {gtPrefix: 1}, destination: {country: X}, primary: {carrier: c}, status: on}`,
    );
    const text = `apiVersion: ixaudit/v1\nkind: RoutingTable\nmetadata: {id: rt, operator: op}\nspec:\n  protocol: ss7\n  routes:\n${routes.join('\n')}\n`;
    const errors = errorsOf('many.yaml', text);
    expect(errors).toHaveLength(DEFAULT_YAML_LIMITS.maxErrorsPerFile + 1);
    expect(errors.at(-1)).toMatch(/: 1000 more problem\(s\) in this file not shown \(limit maxErrorsPerFile\)$/);
  });

  it('limits are configurable with --limit, and bad settings are usage errors', async () => {
    expect(parseLimits(['maxDepth=200'])).toMatchObject({
      maxDepth: 200,
      maxFileBytes: DEFAULT_YAML_LIMITS.maxFileBytes,
    });
    expect(parseLimits(['maxDepht=2'])).toMatch(/^--limit expects name=number with name one of maxFileBytes/);
    const dir = tempFiles({ 'deep.yaml': `x: ${'['.repeat(70)}${']'.repeat(70)}\n` });
    expect((await run('validate', dir)).stderr).toContain('nesting deeper than 64 levels');
    expect((await run('validate', dir, '--limit', 'maxDepth=100')).stderr).not.toContain('nesting deeper');
  });
});

describe('hostile input in a real run leaves a complete, honest output', () => {
  it('a bomb among good submissions: exit 1 for their failures, the bomb reported, nothing partial in --out', async () => {
    const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const dir = tempFiles({ 'bomb.yaml': `${lines.join('\n')}\n` });
    const out = tempFiles({});
    const { code, stderr } = await run('audit', ...SAMPLES, join(dir, 'bomb.yaml'), '--out', out, '--format', 'json');
    expect(code).toBe(1); // the samples' failures are not hidden by the input error
    expect(stderr).toContain('bomb.yaml:4:45: aliases expand to more than 10000 nodes');
    const findings = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8'));
    expect(findings.summary.operators).toHaveLength(4);
    expect(readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});

describe('output safety', () => {
  it('operator ids never lead outside --out', () => {
    const out = tempFiles({});
    expect(operatorDir(out, 'jp-sakura')).toBe(join(out, 'jp-sakura'));
    expect(operatorDir(out, '../../etc')).toBe(join(out, '~~2e~2e~2f~2e~2e~2fetc'));
    expect(operatorDir(out, '/abs/path').startsWith(out)).toBe(true);
  });

  it('a reporter failing part-way leaves the previous outputs intact and no staging folder', async () => {
    const { result, inventory } = auditReport(['inputs/no-nordlys'], REGULATOR);
    const out = tempFiles({});
    const writing = (text: string): Reporter => ({
      name: 'good',
      write: async (_r, dir) => [(writeFileAtomic(join(dir, 'findings.json'), text), join(dir, 'findings.json'))],
    });
    const broken: Reporter = {
      name: 'broken',
      write: async () => {
        throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      },
    };
    await publishReports([writing('previous complete run\n')], { result, inventory }, out, {});
    await expect(publishReports([writing('new\n'), broken], { result, inventory }, out, {})).rejects.toThrow(
      'no space left',
    );
    expect(readFileSync(join(out, 'findings.json'), 'utf8')).toBe('previous complete run\n');
    expect(readdirSync(out).sort()).toEqual(['findings.json', 'manifest.json']);
    // When every reporter succeeds, its files replace the old ones: exactly the new run is there.
    await publishReports([writing('new\n')], { result, inventory }, out, {});
    expect(readFileSync(join(out, 'findings.json'), 'utf8')).toBe('new\n');
    expect(readdirSync(out).sort()).toEqual(['findings.json', 'manifest.json']);
  });

  it('an unwritable --out is a clear error with exit code 4', () => {
    const dir = tempFiles({ 'a-file': 'x' });
    const { code, stderr } = ixaudit(
      'audit',
      ...SAMPLES,
      '--out',
      join(dir, 'a-file', 'sub'),
      '--quiet',
      '--format',
      'json',
    );
    expect(code).toBe(4);
    expect(stderr).toMatch(
      /^ixaudit: cannot write reports to .*a-file\/sub: .*Previous reports there are unchanged\.\n$/,
    );
    expect(existsSync(join(dir, 'a-file'))).toBe(true);
  });

  it('a file written atomically never appears half-written under its own name', () => {
    const dir = tempFiles({});
    writeFileAtomic(join(dir, 'r.json'), 'complete\n');
    writeFileSync(join(dir, 'keep.txt'), 'k');
    expect(readdirSync(dir).sort()).toEqual(['keep.txt', 'r.json']);
  });
});

describe('--out inside an input folder', () => {
  it("a second run does not read the first run's outputs (findings.csv) as input", async () => {
    const work = tempFiles({});
    cpSync('inputs', join(work, 'inputs'), { recursive: true });
    const out = join(work, 'inputs', 'out');
    expect(
      (await run('audit', join(work, 'inputs'), ...REGULATOR_OPTIONS, '--out', out, '--format', 'json,csv', '--quiet'))
        .code,
    ).toBe(1);
    expect(existsSync(join(out, 'findings.csv'))).toBe(true);
    const second = await run(
      'audit',
      join(work, 'inputs'),
      ...REGULATOR_OPTIONS,
      '--out',
      out,
      '--format',
      'json,csv',
      '--quiet',
    );
    expect(second.stderr).toBe('');
    expect(second.code).toBe(1);
  });
});
