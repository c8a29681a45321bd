import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, sep } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseJobs } from '../src/audit/parallel.js';
import type { PreparedAudit } from '../src/audit/run-audit.js';
import type { AuditReport } from '../src/model/report.js';
import { verifyOutputs } from '../src/report/manifest.js';
import { operatorDir, operatorFolderName, RUN_LEVEL_NAMES } from '../src/report/paths.js';
import { checkOutDir, publishReports, PublishError, recoverInterrupted } from '../src/report/publish.js';
import type { Reporter } from '../src/report/types.js';
import { writeFileAtomic } from '../src/report/write-atomic.js';
import { auditReport } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { REGULATOR, REGULATOR_OPTIONS, run, SAMPLES } from './support/run.js';

/** Every entry under `dir` (files with their SHA-256, folders, links), relative, sorted: a folder's exact state. */
function tree(dir: string, root = dir): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const rel = relative(root, path).split(sep).join('/');
    const stats = lstatSync(path);
    if (stats.isSymbolicLink()) out[rel] = 'link';
    else if (stats.isDirectory()) Object.assign(out, { [`${rel}/`]: 'dir' }, tree(path, root));
    else out[rel] = createHash('sha256').update(readFileSync(path)).digest('hex');
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The files of a run folder, which must be exactly its manifest's outputs plus the manifest. */
function filesOf(dir: string): string[] {
  return Object.keys(tree(dir)).filter((f) => !f.endsWith('/'));
}
function manifestFiles(dir: string): string[] {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { outputs: { file: string }[] };
  return [...manifest.outputs.map((o) => o.file), 'manifest.json'].sort();
}

/** Reporters writing small files, so the swap can be exercised many times quickly. */
function reporters(tag: string, operators: string[]): Reporter[] {
  return [
    {
      name: 'json',
      write: async (_r, dir) => [(writeFileAtomic(join(dir, 'findings.json'), `${tag}\n`), join(dir, 'findings.json'))],
    },
    {
      name: 'html',
      write: async (_r, dir) => [
        (writeFileAtomic(join(dir, 'index.html'), `<p>${tag}</p>\n`), join(dir, 'index.html')),
      ],
    },
    {
      name: 'pdf',
      write: async (_r, dir) =>
        operators.map((id) => {
          const path = join(operatorDir(dir, id), 'report.pdf');
          writeFileAtomic(path, `${tag} ${id}\n`);
          return path;
        }),
    },
  ];
}

let report: AuditReport;
beforeAll(() => {
  report = auditReport(['inputs/no-nordlys'], REGULATOR);
});

describe('issue 14.5: a run is published all at once', () => {
  it('a rename failing mid-swap (an unmovable operator folder) leaves the previous run exactly as it was', async () => {
    const out = join(tempFiles({}), 'out');
    await publishReports(reporters('old', ['aa', 'bb', 'cc']), report, out, {});
    const before = tree(out);
    let renames = 0;
    const failing = {
      beforeSwapRename: () => {
        if (++renames === 4) throw Object.assign(new Error('EACCES: permission denied, rename'), { code: 'EACCES' });
      },
    };
    const error = await publishReports(reporters('new', ['aa', 'dd']), report, out, {}, undefined, failing).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PublishError);
    expect((error as PublishError).previousIntact).toBe(true);
    expect((error as PublishError).message).toBe('permission denied');
    expect(renames).toBe(4);
    expect(tree(out)).toEqual(before); // nothing replaced, no .ixaudit-* left behind
    expect(verifyOutputs(out, undefined, { outputsOnly: true }).ok).toBe(true);
  });

  it('killed at any point of the swap, the next run finds the previous run or the new one complete, never a mix', async () => {
    const work = tempFiles({});
    const out = join(work, 'out');
    await publishReports(reporters('old', ['aa', 'bb', 'cc']), report, out, {});
    const oldTree = tree(out);
    // A SIGKILL between two renames leaves the folder as it is at that moment: copy it at each rename.
    const snapshots: string[] = [];
    const snapshot = {
      beforeSwapRename: () => {
        const copy = join(work, `killed-${snapshots.length}`);
        cpSync(out, copy, { recursive: true, verbatimSymlinks: true });
        snapshots.push(copy);
      },
    };
    await publishReports(reporters('new', ['aa', 'dd']), report, out, {}, undefined, snapshot);
    const newTree = tree(out);
    expect(snapshots.length).toBeGreaterThan(5);
    // Killed after the last rename (manifest.json moved in: committed), before the clean-up.
    const last = snapshots.at(-1)!;
    const afterCommit = join(work, 'killed-after-commit');
    cpSync(last, afterCommit, { recursive: true });
    const staging = readdirSync(afterCommit).find((n) => n.startsWith('.ixaudit-staging-'))!;
    renameSync(join(afterCommit, staging, 'manifest.json'), join(afterCommit, 'manifest.json'));

    for (const killed of snapshots) {
      expect(readdirSync(killed).some((n) => n.startsWith('.ixaudit-swap-'))).toBe(true);
      // The killed run's lock stays behind: the next run takes it over (its process is gone) and releases it.
      expect(existsSync(join(killed, '.ixaudit-lock'))).toBe(true);
      recoverInterrupted(killed);
      rmSync(join(killed, '.ixaudit-lock'));
      expect(tree(killed)).toEqual(oldTree);
    }
    recoverInterrupted(afterCommit);
    rmSync(join(afterCommit, '.ixaudit-lock'));
    expect(tree(afterCommit)).toEqual(newTree);
    // And a whole next run on a folder killed mid-swap publishes cleanly (stale lock taken over).
    const midway = join(work, 'killed-midway');
    cpSync(snapshots[Math.floor(snapshots.length / 2)], midway, { recursive: true });
    await publishReports(reporters('third', ['ee']), report, midway, {});
    expect(filesOf(midway)).toEqual(['ee/report.pdf', 'findings.json', 'index.html', 'manifest.json']);
    expect(filesOf(midway)).toEqual(manifestFiles(midway));
  });

  it("the next run removes an interrupted run's staging folder", async () => {
    const out = join(tempFiles({}), 'out');
    await publishReports(reporters('old', ['aa']), report, out, {});
    mkdirSync(join(out, '.ixaudit-staging-Xy12ab', 'aa'), { recursive: true });
    writeFileSync(join(out, '.ixaudit-staging-Xy12ab', 'aa', 'report.pdf'), Buffer.alloc(1 << 20));
    mkdirSync(join(out, '.ixaudit-previous-Qq99zz'));
    await publishReports(reporters('new', ['aa']), report, out, {});
    expect(readdirSync(out).sort()).toEqual(['aa', 'findings.json', 'index.html', 'manifest.json']);
  });

  it('a reporter failing leaves the previous run and removes its staging folder', async () => {
    const out = join(tempFiles({}), 'out');
    await publishReports(reporters('old', ['aa']), report, out, {});
    const before = tree(out);
    const broken: Reporter = {
      name: 'broken',
      write: async () => {
        throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      },
    };
    await expect(publishReports([...reporters('new', ['bb']), broken], report, out, {})).rejects.toThrow(
      'no space left',
    );
    expect(tree(out)).toEqual(before);
  });

  it('another run publishing into the same folder is refused, a stale lock is taken over', async () => {
    const out = join(tempFiles({}), 'out');
    mkdirSync(out);
    writeFileSync(join(out, '.ixaudit-lock'), `${process.ppid}\n`);
    await expect(publishReports(reporters('x', []), report, out, {})).rejects.toThrow(
      /another ixaudit run \(process \d+\) is writing reports there/,
    );
    writeFileSync(join(out, '.ixaudit-lock'), '999999999\n');
    await publishReports(reporters('x', []), report, out, {});
    expect(readdirSync(out).sort()).toEqual(['findings.json', 'index.html', 'manifest.json']);
  });
});

describe('issue 14.6: --out holds exactly the last run', () => {
  it("a narrower run (fewer formats, one operator) leaves none of the previous run's files; verify has nothing unlisted", async () => {
    const out = join(tempFiles({}), 'out');
    expect((await run('audit', ...SAMPLES, '--out', out, '--format', 'json,pdf', '--quiet')).code).toBe(1);
    expect(existsSync(join(out, 'sector.pdf'))).toBe(true);
    expect(existsSync(join(out, 'kr-hanbit', 'report.pdf'))).toBe(true);
    const second = await run(
      'audit',
      'inputs/jp-sakura',
      ...REGULATOR_OPTIONS,
      '--out',
      out,
      '--format',
      'json',
      '--quiet',
    );
    expect(second.stderr).toBe('');
    expect(filesOf(out)).toEqual(['findings.json', 'manifest.json']);
    expect(filesOf(out)).toEqual(manifestFiles(out));
    const verified = verifyOutputs(out, undefined, { outputsOnly: true });
    expect(verified.ok).toBe(true);
    expect(verified.notes.filter((n) => n.includes('not listed'))).toEqual([]);
  });

  it('a full run writes at the top only run-level names and operator folders', async () => {
    const out = join(tempFiles({}), 'out');
    await run('audit', ...SAMPLES, '--out', out, '--quiet');
    const top = readdirSync(out);
    const operators = ['jp-sakura', 'kr-hanbit', 'no-nordlys', 'nz-aotearoa'];
    expect(top.filter((n) => !operators.includes(n)).every((n) => RUN_LEVEL_NAMES.has(n))).toBe(true);
    expect(filesOf(out)).toEqual(manifestFiles(out));
  });
});

describe('issue 14.7: operator folders map one-to-one', () => {
  it('keeps ordinary ids, escapes the others so that no two ids share a folder', () => {
    for (const id of ['jp-sakura', 'a_b', 'op.v2', 'x1']) expect(operatorFolderName(id)).toBe(id);
    expect(operatorFolderName('a..b')).toBe('~a~2e~2eb');
    expect(operatorFolderName('index.html')).toBe('~index~2ehtml');
    expect(operatorFolderName('manifest.json')).toBe('~manifest~2ejson');
    const ids = [
      'a..b',
      'a_b',
      'a.b',
      'a~2eb',
      '~a',
      'a.',
      'a',
      'index.html',
      'index_html',
      'con',
      'con.txt',
      '../../etc',
      '____etc',
      'Ab',
      'ab',
      'é',
      '~c3~a9',
    ];
    const names = ids.map(operatorFolderName);
    expect(new Set(names).size).toBe(ids.length);
    for (const name of names) {
      expect(RUN_LEVEL_NAMES.has(name)).toBe(false);
      expect(name).toMatch(/^[a-z0-9~][a-z0-9._~-]*$/);
      expect(name.includes('..')).toBe(false);
    }
    const out = tempFiles({});
    expect(operatorDir(out, '../../etc')).toBe(join(out, '~~2e~2e~2f~2e~2e~2fetc'));
  });

  it('operators "index.html", "a..b" and "a_b" each get their own reports', async () => {
    const work = tempFiles({});
    for (const id of ['index.html', 'a..b', 'a_b']) {
      mkdirSync(join(work, 'in', id), { recursive: true });
      for (const f of readdirSync('inputs/jp-sakura'))
        writeFileSync(
          join(work, 'in', id, f),
          readFileSync(join('inputs/jp-sakura', f), 'utf8').replaceAll('jp-sakura', id),
        );
    }
    const out = join(work, 'out');
    const { code, stderr } = await run('audit', join(work, 'in'), '--out', out, '--format', 'pdf,json', '--quiet');
    expect(stderr).not.toMatch(/EISDIR|EEXIST|cannot write/);
    expect(code).toBe(1);
    for (const dir of ['~index~2ehtml', '~a~2e~2eb', 'a_b'])
      expect(existsSync(join(out, dir, 'report.pdf'))).toBe(true);
    expect(
      readFileSync(join(out, '~a~2e~2eb', 'report.pdf')).equals(readFileSync(join(out, 'a_b', 'report.pdf'))),
    ).toBe(false);
  });
});

describe('issue 14.9: --out is never written through a link, never the root, never an input', () => {
  it('a folder symlink planted inside --out is refused, and nothing is written where it points', async () => {
    const work = tempFiles({ 'elsewhere/keep.txt': 'k\n' });
    const out = join(work, 'out');
    expect(
      (await run('audit', 'inputs/jp-sakura', ...REGULATOR_OPTIONS, '--out', out, '--format', 'pdf', '--quiet')).code,
    ).toBe(1);
    rmSync(join(out, 'jp-sakura'), { recursive: true });
    symlinkSync(join(work, 'elsewhere'), join(out, 'jp-sakura'));
    const before = tree(work);
    const { code, stderr } = await run(
      'audit',
      'inputs/jp-sakura',
      ...REGULATOR_OPTIONS,
      '--out',
      out,
      '--format',
      'pdf',
      '--quiet',
    );
    expect(code).toBe(2);
    expect(stderr).toContain('holds files that ixaudit did not write: jp-sakura (a symbolic link)');
    expect(tree(work)).toEqual(before);
    // Planted after the check, just before publishing: still refused, still nothing written through it.
    rmSync(join(out, 'jp-sakura'));
    expect(checkOutDir(out, ['inputs'])).toBeUndefined();
    symlinkSync(join(work, 'elsewhere'), join(out, 'jp-sakura'));
    await expect(publishReports(reporters('x', ['jp-sakura']), report, out, {})).rejects.toThrow(
      /jp-sakura \(a symbolic link\)/,
    );
    expect(readdirSync(join(work, 'elsewhere'))).toEqual(['keep.txt']);
  });

  it('--out that is itself a symbolic link is refused', async () => {
    const work = tempFiles({ 'real/.keep': '' });
    rmSync(join(work, 'real', '.keep'));
    symlinkSync(join(work, 'real'), join(work, 'link'));
    const { code, stderr } = await run(
      'audit',
      'inputs/jp-sakura',
      '--out',
      join(work, 'link'),
      '--format',
      'json',
      '--quiet',
    );
    expect(code).toBe(2);
    expect(stderr).toContain('is a symbolic link: ixaudit never writes through links');
    expect(readdirSync(join(work, 'real'))).toEqual([]);
  });

  it('--out /, --out equal to an input folder and --out above an input are usage errors', async () => {
    const work = tempFiles({});
    cpSync('inputs', join(work, 'inputs'), { recursive: true });
    const before = tree(work);
    for (const [outArg, message] of [
      ['/', '--out / is the root of the file system'],
      [join(work, 'inputs'), `is the input ${join(work, 'inputs')}`],
      [work, `contains the input ${join(work, 'inputs')}`],
      [join(work, 'inputs', 'jp-sakura'), 'is the input'],
    ] as const) {
      const inputs = outArg.endsWith('jp-sakura') ? [join(work, 'inputs', 'jp-sakura')] : [join(work, 'inputs')];
      const { code, stderr } = await run(
        'audit',
        ...inputs,
        ...REGULATOR_OPTIONS,
        '--out',
        outArg,
        '--format',
        'json',
        '--quiet',
      );
      expect(code).toBe(2);
      expect(stderr).toContain(message);
    }
    // The regulator's own folders are inputs too.
    expect(
      (await run('audit', join(work, 'inputs'), ...REGULATOR_OPTIONS, '--out', 'regulator', '--quiet')).stderr,
    ).toContain('--out regulator contains the input regulator/registry');
    expect(tree(work)).toEqual(before);
  });

  it('files ixaudit did not write are never replaced: a non-empty folder without a manifest is refused', async () => {
    const out = tempFiles({ 'notes.txt': 'a user file\n', 'findings.json': 'not ours\n' });
    const { code, stderr } = await run('audit', 'inputs/jp-sakura', '--out', out, '--format', 'json', '--quiet');
    expect(code).toBe(2);
    expect(stderr).toContain(`--out ${out} holds files that ixaudit did not write: findings.json, notes.txt.`);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('a user file\n');
    expect(readFileSync(join(out, 'findings.json'), 'utf8')).toBe('not ours\n');
  });
});

describe('issue 14 (part): --jobs and unusable --out', () => {
  const prepared = (operators: number) =>
    ({
      operatorIds: Array.from({ length: operators }, (_, i) => `op-${i}`),
      world: { submissions: new Map() },
    }) as unknown as PreparedAudit;

  it('--jobs is capped at the cores and the operators', () => {
    expect(chooseJobs(prepared(104), 1000, 8)).toBe(8);
    expect(chooseJobs(prepared(3), 1000, 8)).toBe(3);
    expect(chooseJobs(prepared(104), 2, 8)).toBe(2);
    expect(chooseJobs(prepared(104), 1000)).toBe(Math.min(104, availableParallelism()));
  });

  it('--out /proc/x is refused at once, before the audit', async () => {
    const started = Date.now();
    const { code, stderr } = await run('audit', ...SAMPLES, '--out', '/proc/x', '--quiet');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(code).toBe(4);
    expect(stderr).toMatch(
      /^ixaudit: cannot write reports to \/proc\/x: \/proc does not allow creating folders \(.*\)\. Previous reports there are unchanged\.$/,
    );
  });
});
