import { spawnSync } from 'node:child_process';
import { chmodSync, symlinkSync, type Dirent, type Stats } from 'node:fs';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectFiles, loadFiles, loadText, type WalkFs } from '../src/load/index.js';
import { aliasWork, DEFAULT_YAML_LIMITS, parseLimits } from '../src/load/yaml.js';
import { formatDiagnostic, type LoadedDocument } from '../src/model/types.js';
import { tempFiles } from './support/files.js';

/** Issue 14: hostile inputs get a clear error located file:line:column, everything else is still audited, nothing crashes. */

const errorsOf = (file: string, text: string) => loadText(file, text).diagnostics.map(formatDiagnostic);

const HEADER = `apiVersion: ixaudit/v1
kind: RoutingTable
metadata: {id: rt-csv, operator: op-jp}
spec:
  protocol: ss7
---
`;
const OPERATOR = `apiVersion: ixaudit/v1
kind: Operator
metadata: {id: jp-test}
spec:
  country: JP
  networks: [gsm]
`;

describe('CSV route exports with hostile headers (issue 14, item 1)', () => {
  it('a __proto__ column is an unknown column, not a crash; the table is dropped and says so', () => {
    const loaded = loadText('p.csv', `${HEADER}id,__proto__,status\nr-1,x,active\n`);
    expect(loaded.documents).toEqual([]);
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([
      expect.stringMatching(/^p\.csv:7:4: CSV column "__proto__": not a route field \(expected: id, /),
    ]);
    expect(loaded.diagnostics[0]).toMatchObject({
      code: 'schema',
      operator: 'op-jp',
      dropped: { kind: 'RoutingTable', id: 'rt-csv' },
    });
  });

  it('inherited names (constructor, toString, hasOwnProperty, valueOf) are unknown columns, each located', () => {
    const errors = errorsOf('c.csv', `${HEADER}id,constructor,toString,hasOwnProperty,valueOf\nr-1,a,b,c,d\n`);
    expect(errors.map((e) => e.replace(/ \(expected: .*$/, ''))).toEqual([
      'c.csv:7:4: CSV column "constructor": not a route field',
      'c.csv:7:16: CSV column "toString": not a route field',
      'c.csv:7:25: CSV column "hasOwnProperty": not a route field',
      'c.csv:7:40: CSV column "valueOf": not a route field',
    ]);
  });

  it('a column named twice is an error naming both columns, at the second', () => {
    expect(errorsOf('d.csv', `${HEADER}id,primary,id,status\nr-1,c,r-2,active\n`)).toEqual([
      'd.csv:7:12: CSV column "id" appears twice, as column 1 and column 3: keep one',
    ]);
  });

  it('spec.routes in the YAML header is an error at the key, not silently replaced by the rows', () => {
    const header = HEADER.replace('  protocol: ss7\n', '  protocol: ss7\n  routes: [{id: r-9}]\n');
    expect(errorsOf('r.csv', `${header}id,primary,status\nr-1,c,active\n`)).toEqual([
      'r.csv:6:3: spec.routes: a CSV header must not list routes: the routes are the CSV rows after the "---" line',
    ]);
  });

  it('an unclosed quote is reported at the quote; the rows before it are still loaded', () => {
    const loaded = loadText(
      'q.csv',
      `${HEADER}id,match.gtPrefix,destination.country,primary,status\nr-1,49,DE,c,active\nr-2,"1,US,c,active\nr-3,1,US,c,active\n`,
    );
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([
      'q.csv:9:5: unclosed quote: the " that opens this cell is never closed (write "" for a quote inside a quoted cell); this row and the lines after it were not audited, the 1 row(s) before it were',
    ]);
    expect(loaded.diagnostics[0].operator).toBe('op-jp');
    expect(
      loaded.documents.map((d) => (d as LoadedDocument<'RoutingTable'>).value.spec.routes.map((r) => r.id)),
    ).toEqual([['r-1']]);
    expect(errorsOf('h.csv', `${HEADER}id,"status\nr-1,active\n`)).toEqual([
      'h.csv:7:4: unclosed quote: the " that opens this cell is never closed (write "" for a quote inside a quoted cell)',
    ]);
  });

  it('a hostile CSV among good files: the others are still loaded', () => {
    const dir = tempFiles({ 'a.csv': `${HEADER}id,__proto__\nr-1,x\n`, 'b.yaml': OPERATOR });
    const { files } = collectFiles([dir]);
    const result = loadFiles(files);
    expect(result.documents.map((d) => d.id)).toEqual(['jp-test']);
    expect(result.diagnostics).toHaveLength(1);
  });
});

describe('input folders (issue 14, items 2 and 15)', () => {
  it('a folder whose readdir fails is an io problem for that folder; the rest is collected (injected readdir)', () => {
    const dir = tempFiles({ 'a/one.yaml': OPERATOR, 'locked/two.yaml': OPERATOR, 'z/three.yaml': OPERATOR });
    // Stands in for a folder the user cannot read: readdir throws exactly what Node throws then.
    const fs: WalkFs = {
      readdirSync: (path: string): Dirent[] => {
        if (path.endsWith('locked'))
          throw Object.assign(new Error(`EACCES: permission denied, scandir '${path}'`), { code: 'EACCES' });
        return readdirSync(path, { withFileTypes: true });
      },
      statSync: (path: string): Stats => statSync(path),
    };
    const { files, diagnostics } = collectFiles([dir], [], fs);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['a/one.yaml', 'z/three.yaml']);
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      `${join(dir, 'locked')}: cannot read folder: EACCES; the files in it were not audited`,
    ]);
    expect(diagnostics[0].code).toBe('io');
  });

  // Tests run as root, whom chmod 000 does not stop: the real check runs the walk as user "nobody".
  it.runIf(process.platform !== 'win32')(
    'a chmod 000 folder, walked by an unprivileged user, is an io problem and the rest is audited',
    () => {
      const dir = tempFiles({ 'a/one.yaml': OPERATOR, 'locked/two.yaml': OPERATOR });
      chmodSync(dir, 0o755);
      chmodSync(join(dir, 'a'), 0o755);
      chmodSync(join(dir, 'locked'), 0o000);
      const script = `import(${JSON.stringify(pathToFileURL(join(process.cwd(), 'dist/load/index.js')).href)}).then(({ collectFiles }) => console.log(JSON.stringify(collectFiles([${JSON.stringify(dir)}]))))`;
      const asRoot = process.getuid?.() === 0;
      const run = spawnSync(process.execPath, ['-e', script], {
        encoding: 'utf8',
        ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      });
      chmodSync(join(dir, 'locked'), 0o755);
      expect(run.stderr).toBe('');
      const collected = JSON.parse(run.stdout);
      expect(collected.files).toEqual([join(dir, 'a', 'one.yaml')]);
      expect(collected.diagnostics).toEqual([
        {
          file: join(dir, 'locked'),
          line: 0,
          column: 0,
          code: 'io',
          message: 'cannot read folder: EACCES; the files in it were not audited',
        },
      ]);
    },
  );

  it('a symlinked file is read like a file; a dangling symlink is an io problem; a folder symlink is not walked', () => {
    const dir = tempFiles({ 'real/op.yaml': OPERATOR, 'in/plain.yaml': OPERATOR.replace('jp-test', 'jp-plain') });
    symlinkSync(join(dir, 'real', 'op.yaml'), join(dir, 'in', 'linked.yaml'));
    symlinkSync(join(dir, 'nowhere.yaml'), join(dir, 'in', 'dangling.yaml'));
    symlinkSync(join(dir, 'gone'), join(dir, 'in', 'gone-folder'));
    symlinkSync(join(dir, 'real'), join(dir, 'in', 'folder-link'));
    const { files, diagnostics } = collectFiles([join(dir, 'in')]);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['in/linked.yaml', 'in/plain.yaml']);
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      `${join(dir, 'in', 'dangling.yaml')}: symlink leads nowhere (ENOENT): the file it names was not audited`,
      `${join(dir, 'in', 'gone-folder')}: symlink leads nowhere (ENOENT)`,
    ]);
    const loaded = loadFiles(files);
    expect(loaded.documents.map((d) => d.id)).toEqual(['jp-test', 'jp-plain']);
  });

  it('a symlink loop is reported, not followed', () => {
    const dir = tempFiles({ 'ok.yaml': OPERATOR });
    symlinkSync(join(dir, 'loop.yaml'), join(dir, 'loop.yaml'));
    const { files, diagnostics } = collectFiles([dir]);
    expect(files).toEqual([join(dir, 'ok.yaml')]);
    expect(diagnostics.map(formatDiagnostic)).toEqual([
      `${join(dir, 'loop.yaml')}: symlink leads nowhere (ELOOP): the file it names was not audited`,
    ]);
  });

  it('loadFiles counts the documents it loaded per kind', () => {
    const dir = tempFiles({
      'a.yaml': `${OPERATOR}---\n${OPERATOR.replace('jp-test', 'jp-two')}`,
      'b.csv': `${HEADER}id,match.gtPrefix,destination.country,primary,status\nr-1,49,DE,c,active\n`,
    });
    const { counts } = loadFiles(collectFiles([dir]).files);
    expect(counts).toEqual({
      Operator: 2,
      Owner: 0,
      Carrier: 0,
      InterconnectAgreement: 0,
      RoutingTable: 1,
      FirewallPolicy: 0,
      Waiver: 0,
      AuditProfile: 0,
    });
  });
});

describe('--limit (issue 14, item 3)', () => {
  it('maxErrorsPerFile=0 reports only a count, located at the first problem', () => {
    const limits = { ...DEFAULT_YAML_LIMITS, maxErrorsPerFile: 0 };
    const text = OPERATOR.replace('country: JP', 'country: Japan').replace('[gsm]', '[wifi]');
    expect(loadText('z.yaml', text, { limits }).diagnostics.map(formatDiagnostic)).toEqual([
      'z.yaml:5:12: 2 problem(s) in this file not shown (limit maxErrorsPerFile=0)',
    ]);
    expect(loadText('z.yaml', OPERATOR, { limits }).diagnostics).toEqual([]);
    expect(parseLimits(['maxErrorsPerFile=0'])).toMatchObject({ maxErrorsPerFile: 0 });
  });

  it('only known limit names, with a hint; values are whole numbers of at least 1', () => {
    for (const name of ['__proto__', 'hasOwnProperty', 'constructor', 'toString']) {
      const message = parseLimits([`${name}=1`]);
      expect(message).toMatch(/^--limit expects name=number with name one of maxFileBytes, /);
    }
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(parseLimits(['maxdepth=3'])).toMatch(/\(did you mean "maxDepth"\?\)$/);
    expect(parseLimits(['maxDepth=0'])).toBe('--limit maxDepth expects a whole number of at least 1; got "maxDepth=0"');
    expect(parseLimits(['maxFileBytes=99999999999999999999'])).toMatch(/expects a whole number of at least 1/);
    expect(parseLimits(['maxDepth=1.5'])).toMatch(/expects a whole number of at least 1/);
    expect(parseLimits(['maxDepth=8'])).toMatchObject({ maxDepth: 8 });
  });
});

describe('aliases (issue 14, item 13)', () => {
  it('resolving many aliases of one anchor walks the document once (work counted, not timed)', () => {
    const nodes = 50_000;
    const aliases = 2_000;
    const lines = [
      'apiVersion: ixaudit/v1',
      'kind: Operator',
      'spec: {country: JP, networks: [gsm]}',
      'metadata:',
      '  id: x',
      '  name: &n shared',
      '  annotations:',
    ];
    for (let i = 0; i < nodes; i++) lines.push(`    k${i}: ${i < aliases ? '*n' : `v${i}`}`);
    const before = { ...aliasWork };
    const started = process.cpuUsage();
    const loaded = loadText('aliases.yaml', `${lines.join('\n')}\n`);
    const cpu = process.cpuUsage(started);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.documents[0].value.metadata.annotations!.k1999).toBe('shared');
    expect(aliasWork.walks - before.walks).toBe(1);
    expect(aliasWork.resolved - before.resolved).toBe(aliases);
    expect(aliasWork.sized - before.sized).toBe(1); // one anchor, its size memoised
    // A generous bound only (the old code took minutes at this shape's full size).
    expect((cpu.user + cpu.system) / 1e6).toBeLessThan(20);
  });

  it('the bomb is still stopped at the same alias, and a loop is reported at the alias', () => {
    const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 10; i++)
      lines.push(
        `a${i}: &a${i} [${Array(10)
          .fill(`*a${i - 1}`)
          .join(', ')}]`,
      );
    const before = aliasWork.sized;
    expect(errorsOf('bomb.yaml', `${lines.join('\n')}\n`)).toEqual([
      'bomb.yaml:4:45: aliases expand to more than 10000 nodes (limit maxAliasExpansion): write the data out instead of aliasing it',
    ]);
    expect(aliasWork.sized - before).toBeLessThan(100);
    expect(errorsOf('loop.yaml', 'a: &a [1, *a]\n')).toEqual([
      'loop.yaml:1:11: alias *a lies inside the anchor it refers to (a loop): write the data out instead of aliasing it',
    ]);
  });

  it('an alias to an anchor in another document is a clear error there; the other documents load', () => {
    const text = `${OPERATOR.replace('{id: jp-test}', '{id: jp-test, name: &n Test}')}---\n${OPERATOR.replace('{id: jp-test}', '{id: jp-two, name: *n}')}`;
    const loaded = loadText('two.yaml', text);
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([
      'two.yaml:10:30: alias *n has no anchor &n before it in this document (an anchor does not reach past a "---" into another document): write the value out',
    ]);
    expect(loaded.documents.map((d) => d.id)).toEqual(['jp-test']);
  });

  it('duplicate keys are still found (in one pass, also in a 50,000-key map)', () => {
    const keys = Array.from({ length: 50_000 }, (_, i) => `    k${i}: v`).join('\n');
    expect(
      errorsOf(
        'dup.yaml',
        `${OPERATOR.replace('{id: jp-test}', '\n  id: jp-test\n  annotations:\n')}`.replace(
          '  annotations:\n',
          `  annotations:\n${keys}\n    k7: again\n`,
        ),
      ),
    ).toEqual(['dup.yaml:50006:5: duplicate key "k7": each key may appear only once in a map (first at line 13)']);
  });
});

describe('line endings and messages (issue 14, items 15 and 17)', () => {
  it('old-Mac CR-only line endings load, with positions on the right lines', () => {
    const text = `# a comment first\r${OPERATOR.replace('country: JP', 'country: Japan').replace(/\n/g, '\r')}`;
    const loaded = loadText('mac.yaml', text);
    expect(loaded.diagnostics.map(formatDiagnostic)).toEqual([
      'mac.yaml:6:12: spec.country: expected an ISO 3166-1 alpha-2 country code such as JP, found the text "Japan"',
    ]);
    const good = loadText('mac.yaml', `# a comment first\r${OPERATOR.replace(/\n/g, '\r')}`);
    expect(good.diagnostics).toEqual([]);
    expect(good.documents[0].positions.locate(['spec', 'networks', 0])).toEqual({
      file: 'mac.yaml',
      line: 7,
      column: 14,
    });
    const csv = loadText(
      'mac.csv',
      `${HEADER}id,match.gtPrefix,destination.country,primary,status\nr-1,49,Germany,c,active\n`.replace(/\n/g, '\r'),
    );
    expect(csv.diagnostics.map(formatDiagnostic)[0]).toMatch(
      /^mac\.csv:8:8: spec\.routes\[0\]\.destination\.country: /,
    );
  });

  it('a document that is not a map says what a document is, not a schema description', () => {
    expect(errorsOf('e.yaml', '---\n')).toEqual([
      'e.yaml:1:4: document: expected a mapping with apiVersion, kind, metadata and spec, found nothing',
    ]);
    expect(errorsOf('s.yaml', 'hello\n')).toEqual([
      's.yaml:1:1: document: expected a mapping with apiVersion, kind, metadata and spec, found the text "hello"',
    ]);
    expect(errorsOf('l.yaml', '- a\n- b\n')).toEqual([
      'l.yaml:1:1: document: expected a mapping with apiVersion, kind, metadata and spec, found a list',
    ]);
    expect(errorsOf('m.yaml', OPERATOR.replace('metadata: {id: jp-test}', 'metadata: [jp-test]'))).toEqual([
      'm.yaml:3:11: metadata: expected a map of fields, found a list',
    ]);
    expect(errorsOf('h.csv', 'hello\n---\nid\n')).toEqual([
      'h.csv:1:1: document: expected a mapping with apiVersion, kind, metadata and spec, found the text "hello"',
    ]);
  });

  it('!!binary and !!timestamp values: the tag is not supported, write plain text', () => {
    expect(errorsOf('b.yaml', OPERATOR.replace('{id: jp-test}', '{id: jp-test, name: !!binary aGVsbG8=}'))).toEqual([
      'b.yaml:3:40: metadata.name: the tag !!binary is not supported: write the value as plain text (quote it if it must stay text)',
    ]);
    expect(
      errorsOf('t.yaml', OPERATOR.replace('{id: jp-test}', '{id: jp-test, name: !!timestamp 2001-12-14}')),
    ).toEqual([
      't.yaml:3:43: metadata.name: the tag !!timestamp is not supported: write the value as plain text (quote it if it must stay text)',
    ]);
  });
});

describe('validate and audit say what was read (issue 14, item 15)', () => {
  it('counts the documents of each kind, so a file that loads nothing never reads as a clean submission', async () => {
    const { run, SAMPLES } = await import('./support/run.js');
    const samples = await run('validate', ...SAMPLES);
    expect(samples.stdout).toContain(
      'loaded 4 Operator, 13 InterconnectAgreement, 13 RoutingTable, 3 FirewallPolicy, 1 Waiver',
    );
    // Old-Mac line endings used to make this a single comment: nothing loaded, and "valid".
    const dir = tempFiles({
      'mac.yaml':
        '# exported\rapiVersion: ixaudit/v1\rkind: Operator\rmetadata: {id: op-mac}\rspec: {country: JP, networks: [gsm]}\r',
    });
    expect((await run('validate', dir)).stdout).toContain('loaded 1 Operator');
    const empty = tempFiles({ 'notes.yaml': '# nothing here\n' });
    expect((await run('validate', empty)).stdout).toContain('loaded no document');
  });
});
