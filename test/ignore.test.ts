import { describe, expect, it } from 'vitest';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectFiles } from '../src/load/index.js';
import { commandLinePatterns, globToRegExp, ignoredBy, parseIgnoreFile } from '../src/load/ignore.js';
import { tempFiles } from './support/files.js';
import { run } from './support/run.js';

// Issue 13: "a docker-compose.yml in an input folder is a hard error with no way to ignore it".
// --ignore GLOB and .ixauditignore use .gitignore's syntax; these pin the cases people rely on.

const ignored = (path: string, lines: string, isDirectory = false) =>
  ignoredBy(path, isDirectory, parseIgnoreFile(lines, '/in', '/in/.ixauditignore'))?.origin;

describe('ignore patterns (.gitignore syntax)', () => {
  it('a bare name matches at any depth; a pattern with a slash is anchored to its folder', () => {
    expect(ignored('/in/docker-compose.yml', 'docker-compose.yml')).toBe('/in/.ixauditignore:1');
    expect(ignored('/in/jp/docker-compose.yml', 'docker-compose.yml')).toBe('/in/.ixauditignore:1');
    expect(ignored('/in/jp/ci/a.yaml', 'ci/a.yaml')).toBeUndefined();
    expect(ignored('/in/ci/a.yaml', 'ci/a.yaml')).toBe('/in/.ixauditignore:1');
    expect(ignored('/in/jp/x.yaml', '/x.yaml')).toBeUndefined();
    expect(ignored('/in/x.yaml', '/x.yaml')).toBe('/in/.ixauditignore:1');
  });

  it('* and ? stay within a name, ** crosses folders, [..] is a set', () => {
    expect(ignored('/in/jp/old.yaml', '*.yaml')).toBeDefined();
    expect(ignored('/in/jp/old.yaml', 'jp*.yaml')).toBeUndefined();
    expect(ignored('/in/a/b/c/draft.csv', 'a/**/draft.csv')).toBeDefined();
    expect(ignored('/in/a/draft.csv', 'a/**/draft.csv')).toBeDefined();
    expect(ignored('/in/r1.yaml', 'r?.yaml')).toBeDefined();
    expect(ignored('/in/r12.yaml', 'r?.yaml')).toBeUndefined();
    expect(ignored('/in/v2.yaml', 'v[0-3].yaml')).toBeDefined();
    expect(ignored('/in/v7.yaml', 'v[0-3].yaml')).toBeUndefined();
    expect(globToRegExp('a.b').test('axb')).toBe(false);
  });

  it('a trailing slash matches folders only; comments and blanks are skipped; the last match decides', () => {
    expect(ignored('/in/archive', 'archive/', true)).toBeDefined();
    expect(ignored('/in/archive', 'archive/', false)).toBeUndefined();
    const lines = '# drafts are not submitted\n\n*.csv\n!final.csv\n';
    expect(ignored('/in/draft.csv', lines)).toBe('/in/.ixauditignore:3');
    expect(ignored('/in/final.csv', lines)).toBeUndefined();
  });

  it('patterns do not reach outside their folder', () => {
    expect(ignored('/elsewhere/docker-compose.yml', 'docker-compose.yml')).toBeUndefined();
    expect(ignored('/in', '**', true)).toBeUndefined();
  });

  it('--ignore patterns name their origin', () => {
    const patterns = commandLinePatterns(['*.bak.yaml', ''], '/in');
    expect(patterns).toHaveLength(1);
    expect(ignoredBy('/in/x/t.bak.yaml', false, patterns)?.origin).toBe('--ignore *.bak.yaml');
  });
});

describe('the walk leaves ignored paths out and says by which pattern', () => {
  const tree = () =>
    tempFiles({
      'op.yaml': 'kind: Operator\n',
      'docker-compose.yml': 'services: {}\n',
      '.ixauditignore': '# not submissions\ndocker-compose.yml\narchive/\n',
      'archive/old.yaml': 'kind: Operator\n',
      'jp/rt.csv': 'x\n',
      'jp/draft.yaml': 'x\n',
      'jp/.ixauditignore': 'draft.yaml\n',
    });

  it('.ixauditignore files apply below their folder; a nested one adds to its parent', () => {
    const dir = tree();
    const { files, ignored } = collectFiles([dir]);
    expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual(['jp/rt.csv', 'op.yaml']);
    expect(ignored.map((i) => [i.path.slice(dir.length + 1), i.by.slice(dir.length + 1)])).toEqual([
      ['archive', '.ixauditignore:3'],
      ['docker-compose.yml', '.ixauditignore:2'],
      ['jp/draft.yaml', 'jp/.ixauditignore:1'],
    ]);
  });

  it('--ignore globs apply below each folder given; a file named on the command line is always read', () => {
    const dir = tree();
    const { files, ignored } = collectFiles([dir, join(dir, 'jp/draft.yaml')], [], undefined, ['*.csv']);
    expect(files.map((f) => f.slice(dir.length + 1)).sort()).toEqual(['jp/draft.yaml', 'op.yaml']);
    expect(ignored.find((i) => i.path.endsWith('jp/rt.csv'))?.by).toBe('--ignore *.csv');
  });
});

describe('ixaudit validate|audit --ignore, and .ixauditignore', () => {
  const submission = () => {
    const dir = tempFiles({ 'jp-sakura/docker-compose.yml': 'services: {web: {image: x}}\n' });
    cpSync('inputs/jp-sakura', join(dir, 'jp-sakura'), { recursive: true });
    return dir;
  };

  it("the issue's case: a docker-compose.yml in an input folder is an error, until it is ignored", async () => {
    const dir = submission();
    const plain = await run('validate', dir);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain('docker-compose.yml:1:1');
    const ignored = await run('validate', dir, '--ignore', 'docker-compose.yml', '--verbose');
    expect(ignored.code).toBe(0);
    expect(ignored.stdout).toContain('1 path(s) left out by --ignore or .ixauditignore');
    expect(ignored.stderr).toContain(`${join(dir, 'jp-sakura/docker-compose.yml')} (--ignore docker-compose.yml)`);
  });

  it('.ixauditignore in the input folder does the same for every run, audit included', async () => {
    const dir = submission();
    writeFileSync(join(dir, '.ixauditignore'), '# not a submission\ndocker-compose.yml\n');
    const audit = await run('audit', dir, '--out', tempFiles({}), '--format', 'json', '--fail-on', 'none', '--verbose');
    expect(audit.code).toBe(0);
    expect(audit.stderr).toContain(`(${dir}/.ixauditignore:2)`);
    expect(audit.stdout).toContain('1 path(s) left out by --ignore or .ixauditignore');
  });
});
