import { spawnSync, execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, realpathSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditResult } from '../src/model/report.js';
import { verifyOutputs, writeManifest, type Manifest } from '../src/report/manifest.js';
import { tempFiles } from './support/files.js';

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');
const bin = resolve('bin/ixaudit.js');
const posixOnly = it.skipIf(process.platform === 'win32');

/** The real command run from `cwd`: the bug of issue 12 only shows when audit and verify run in different folders. */
function ixauditIn(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** An output folder holding `manifest` (written as given, any JSON) and the other files named. */
function folderWith(manifest: unknown, files: Record<string, string> = {}): string {
  return tempFiles({ ...files, 'manifest.json': `${JSON.stringify(manifest, null, 2)}\n` });
}

/**
 * Just the run facts writeManifest reads, so the manifest code is tested without the audit pipeline:
 * display names as the loader gives them (relative to the working directory, or absolute).
 */
function runOf(inputs: Record<string, string>): AuditResult {
  const files = Object.entries(inputs).map(([file, text]) => ({
    file,
    sha256: sha256(text),
    bytes: Buffer.byteLength(text),
    builtin: false,
  }));
  return {
    run: {
      tool: { name: 'ixaudit', version: '0.0.0-test' },
      catalog: { version: '0' },
      profile: { id: 'test' },
      auditDate: '2026-07-01',
      inputs: files,
    },
  } as unknown as AuditResult;
}

describe('verify: inputs are re-hashed from where the audit read them (issue 12)', () => {
  // A copy of the samples, audited from inside that copy, so the manifest names them "inputs/…".
  const work = realpathSync(tempFiles({}));
  const out = join(work, 'out');
  const elsewhere = tempFiles({});
  const changedInput = join(work, 'inputs/jp-sakura/routing-ss7.yaml');

  beforeAll(() => {
    cpSync('inputs', join(work, 'inputs'), { recursive: true });
    ixauditIn(work, 'audit', 'inputs', '--out', 'out', '--format', 'json', '--date', '2026-07-01');
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).outputs.length).toBeGreaterThan(0);
  });

  const manifest = (): Manifest => JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));

  it('records each input by its display name and the absolute path it was read from; built-ins by name only', () => {
    const { inputs } = manifest().run;
    const sample = inputs.find((i) => i.file === 'inputs/jp-sakura/routing-ss7.yaml');
    expect(sample?.path).toBe(changedInput);
    const builtins = inputs.filter((i) => i.file.startsWith('ixaudit:'));
    expect(builtins.length).toBeGreaterThan(0);
    for (const input of builtins) expect(input.path).toBeUndefined();
  });

  it('finds every input from another working directory', () => {
    const { ok, notes, problems } = verifyOutputs(out, undefined, { cwd: elsewhere });
    expect(problems).toEqual([]);
    expect(ok).toBe(true);
    const count = manifest().run.inputs.length;
    expect(notes).toContain(`${count} of ${count} input file(s) found and re-hashed`);
  });

  it('fails when an input changed, whichever folder verify runs in (and exits 1)', () => {
    const original = readFileSync(changedInput);
    writeFileSync(changedInput, Buffer.concat([original, Buffer.from('# edited after the audit\n')]));
    try {
      const verification = verifyOutputs(out, undefined, { cwd: elsewhere });
      expect(verification.ok).toBe(false);
      expect(verification.problems).toContain(
        'input inputs/jp-sakura/routing-ss7.yaml: changed since the audit (SHA-256 differs)',
      );
      // End to end, once: the real command from an unrelated folder.
      const run = ixauditIn(elsewhere, 'verify', out);
      expect(run.stderr).toContain('input inputs/jp-sakura/routing-ss7.yaml: changed since the audit');
      expect(run.code).toBe(1);
    } finally {
      writeFileSync(changedInput, original);
    }
  });

  it('resolves inputs of a manifest written before paths were recorded against the given working directory', () => {
    const old = manifest();
    old.run.inputs = old.run.inputs.map(({ path: _path, ...input }) => input);
    const oldOut = folderWith(old, { 'findings.json': readFileSync(join(out, 'findings.json'), 'utf8') });
    // The report id never covered the paths, so an old manifest keeps its id.
    expect(verifyOutputs(oldOut, undefined, { cwd: work }).ok).toBe(true);
    const moved = verifyOutputs(oldOut, undefined, { cwd: elsewhere });
    expect(moved.ok).toBe(false);
    expect(moved.problems).toContain(
      `input inputs/jp-sakura/routing-ss7.yaml: missing — cannot be re-hashed (looked for ${join(elsewhere, 'inputs/jp-sakura/routing-ss7.yaml')})`,
    );
  });

  // process.chdir works in vitest's default process pool, not in worker threads.
  it.skipIf(!isMainThread)(
    'gives the same report id wherever the audit ran: the recorded paths are not part of it',
    () => {
      const manifests = [tempFiles({ 'inputs/a.yaml': 'a: 1\n' }), tempFiles({ 'inputs/a.yaml': 'a: 1\n' })].map(
        (dir) => {
          const folder = tempFiles({ 'findings.json': '[]\n' });
          const cwd = process.cwd();
          process.chdir(dir);
          try {
            writeManifest(runOf({ 'inputs/a.yaml': 'a: 1\n' }), folder);
          } finally {
            process.chdir(cwd);
          }
          expect(verifyOutputs(folder).problems).toEqual([]);
          return JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as Manifest;
        },
      );
      expect(manifests[0].run.inputs[0].path).not.toBe(manifests[1].run.inputs[0].path);
      expect(manifests[0].reportId).toBe(manifests[1].reportId);
    },
  );

  it('fails on a missing input, unless only the outputs are to be checked (issue 14)', () => {
    const moved = `${changedInput}.moved`;
    renameSync(changedInput, moved);
    try {
      const verification = verifyOutputs(out);
      expect(verification.ok).toBe(false);
      expect(verification.problems).toContain(
        `input inputs/jp-sakura/routing-ss7.yaml: missing — cannot be re-hashed (looked for ${changedInput})`,
      );
      const outputsOnly = verifyOutputs(out, undefined, { outputsOnly: true });
      expect(outputsOnly.problems).toEqual([]);
      expect(outputsOnly.ok).toBe(true);
      expect(outputsOnly.notes.some((n) => n.startsWith('inputs not checked (--outputs-only)'))).toBe(true);
      expect(outputsOnly.notes.some((n) => n.includes('re-hashed'))).toBe(false);
    } finally {
      renameSync(moved, changedInput);
    }
  });

  it('never reads an input that is not a regular file', () => {
    const m = manifest();
    m.run.inputs[0] = { ...m.run.inputs[0], path: '/dev/zero' };
    const verification = verifyOutputs(
      folderWith(m, { 'findings.json': readFileSync(join(out, 'findings.json'), 'utf8') }),
    );
    expect(verification.ok).toBe(false);
    expect(verification.problems).toContain(
      `input ${m.run.inputs[0].file}: not a regular file (a device), at /dev/zero`,
    );
  });
});

describe('verify: signatures (issue 14)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const trusted = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const inputs = tempFiles({ 'a.yaml': 'a: 1\n' });
  const signed = tempFiles({ 'findings.json': '[]\n' });
  const unsigned = tempFiles({ 'findings.json': '[]\n' });

  beforeAll(() => {
    writeManifest(runOf({ [join(inputs, 'a.yaml')]: 'a: 1\n' }), signed, privateKey);
    writeManifest(runOf({ [join(inputs, 'a.yaml')]: 'a: 1\n' }), unsigned);
  });

  it('fails on a signature present but not checked, unless told to skip it', () => {
    const unchecked = verifyOutputs(signed);
    expect(unchecked.ok).toBe(false);
    expect(unchecked.problems).toEqual([
      'manifest.sig: present but not checked — pass --key PUBLIC_KEY to verify it, or --no-signature to check the hashes only',
    ]);
    const skipped = verifyOutputs(signed, undefined, { noSignature: true });
    expect(skipped.ok).toBe(true);
    expect(skipped.notes).toContain('manifest.sig: present but not checked (--no-signature)');
  });

  it('checks a signature against the given key, and fails when a key is given for an unsigned folder', () => {
    const checked = verifyOutputs(signed, trusted);
    expect(checked.ok).toBe(true);
    expect(checked.notes).toContain('manifest.sig: valid Ed25519 signature by the given key');
    expect(verifyOutputs(unsigned).ok).toBe(true);
    expect(verifyOutputs(unsigned, trusted).problems).toEqual(['manifest.sig: missing — the outputs are not signed']);
  });

  it('reports an unusable key or signature file instead of throwing', () => {
    expect(verifyOutputs(signed, 'not a key').problems[0]).toMatch(
      /^trusted key: not a PEM public key: --key needs the ixaudit-signing-key\.pub\.pem/,
    );
    expect(verifyOutputs(signed, 'not a key').problems[0]).not.toContain('DECODER'); // OpenSSL's words help nobody
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expect(verifyOutputs(signed, rsa).problems).toEqual(['trusted key: a rsa key; ixaudit signs with Ed25519']);
    for (const [text, problem] of [
      ['null', 'manifest.sig: not an ixaudit signature (no "signature" string)'],
      ['{"signature":5}', 'manifest.sig: not an ixaudit signature (no "signature" string)'],
      ['{', 'manifest.sig: not valid JSON'],
    ]) {
      const folder = tempFiles({
        'findings.json': '[]\n',
        'manifest.json': readFileSync(join(signed, 'manifest.json')),
        'manifest.sig': text,
      });
      expect(verifyOutputs(folder, trusted).problems, text).toEqual([problem]);
    }
  });
});

describe('verify: malformed manifests give a problem, never an exception (issue 14)', () => {
  const valid = (): Manifest => ({
    manifestVersion: '1.0',
    reportId: '0'.repeat(64),
    run: {
      tool: { name: 'ixaudit', version: '0' },
      catalog: { version: '0' },
      profile: 'p',
      auditDate: '2026-07-01',
      inputs: [],
    },
    outputs: [{ file: 'findings.json', sha256: sha256('[]\n'), bytes: 3 }],
  });
  const cases: Array<[string, unknown, string]> = [
    ['null', null, 'the top level is null, expected an object'],
    ['[]', [], 'the top level is an array, expected an object'],
    ['"str"', 'str', 'the top level is a string, expected an object'],
    ['42', 42, 'the top level is a number, expected an object'],
    ['[{"file":123}]', [{ file: 123 }], 'the top level is an array, expected an object'],
    ['{}', {}, 'manifestVersion is missing, expected "1.0"'],
    ['{"outputs":{}}', { outputs: {} }, 'manifestVersion is missing, expected "1.0"'],
    ['{"outputs":[{}]}', { outputs: [{}] }, 'manifestVersion is missing, expected "1.0"'],
    [
      '{"run":{"inputs":[{"file":null}]}}',
      { run: { inputs: [{ file: null }] } },
      'manifestVersion is missing, expected "1.0"',
    ],
    ['{"run":{"inputs":"x"}}', { run: { inputs: 'x' } }, 'manifestVersion is missing, expected "1.0"'],
    ['outputs is an object', { ...valid(), outputs: {} }, 'outputs is an object, expected an array'],
    [
      'outputs holds an empty object',
      { ...valid(), outputs: [{}] },
      'outputs[0].file is missing, expected a file name; outputs[0].sha256 is not a SHA-256 digest (64 hex digits); outputs[0].bytes is not a byte count',
    ],
    [
      'an input named null',
      { ...valid(), run: { ...valid().run, inputs: [{ file: null, sha256: sha256(''), bytes: 0 }] } },
      'run.inputs[0].file is null, expected a file name',
    ],
    [
      'inputs is a string',
      { ...valid(), run: { ...valid().run, inputs: 'x' } },
      'run.inputs is a string, expected an array',
    ],
    ['no run', { ...valid(), run: undefined }, 'run is missing, expected an object'],
    ['run is an array', { ...valid(), run: [] }, 'run is an array, expected an object'],
    ['a newer manifest version', { ...valid(), manifestVersion: '2.0' }, 'manifestVersion is "2.0", expected "1.0"'],
    ['no report id', { ...valid(), reportId: undefined }, 'reportId is not a SHA-256 digest'],
    [
      'an output file that is a number',
      { ...valid(), outputs: [{ file: 123, sha256: sha256(''), bytes: 0 }] },
      'outputs[0].file is a number, expected a file name',
    ],
    [
      'an empty output name',
      { ...valid(), outputs: [{ file: '', sha256: sha256(''), bytes: 0 }] },
      'outputs[0].file is empty, expected a file name',
    ],
    [
      'a digest that is not hex',
      { ...valid(), outputs: [{ file: 'a', sha256: 'zz', bytes: 0 }] },
      'outputs[0].sha256 is not a SHA-256 digest',
    ],
    [
      'a byte count that is a string',
      { ...valid(), outputs: [{ file: 'a', sha256: sha256(''), bytes: '3' }] },
      'outputs[0].bytes is not a byte count',
    ],
    [
      'an input path that is a number',
      { ...valid(), run: { ...valid().run, inputs: [{ file: 'a', sha256: sha256(''), bytes: 0, path: 7 }] } },
      'run.inputs[0].path is not an absolute path',
    ],
  ];

  it.each(cases)('%s', (_name, manifest, expected) => {
    const folder = folderWith(manifest, { 'findings.json': '[]\n' });
    let verification: ReturnType<typeof verifyOutputs> | undefined;
    expect(() => (verification = verifyOutputs(folder))).not.toThrow();
    expect(verification?.ok).toBe(false);
    expect(verification?.problems).toHaveLength(1);
    expect(verification?.problems[0]).toMatch(/^manifest\.json: not an ixaudit manifest: /);
    expect(verification?.problems[0]).toContain(expected);
  });

  it('sums up a manifest with many wrong entries in one line', () => {
    const folder = folderWith({ ...valid(), outputs: Array.from({ length: 1000 }, () => ({})) });
    const [problem] = verifyOutputs(folder).problems;
    expect(problem).toMatch(/; and 2997 more$/);
  });

  it('rejects a manifest.json that is not a regular file, or not JSON', () => {
    const folder = tempFiles({});
    mkdirSync(join(folder, 'manifest.json'));
    expect(verifyOutputs(folder).problems).toEqual(['manifest.json: not a regular file (a folder)']);
    expect(verifyOutputs(tempFiles({ 'manifest.json': '{' })).problems).toEqual(['manifest.json: not valid JSON']);
  });
});

describe('verify: only files inside the output folder are ever read (issue 14)', () => {
  const secretText = 'not an output\n';
  const outside = tempFiles({ 'secret.txt': secretText });
  const secret = join(outside, 'secret.txt');
  /** A manifest that lists `files` with the digest they really have: verify would pass if it hashed them. */
  const listing = (files: Record<string, string>): Manifest => {
    const run: Manifest['run'] = {
      tool: { name: 'ixaudit', version: '0' },
      catalog: { version: '0' },
      profile: 'p',
      auditDate: '2026-07-01',
      inputs: [],
    };
    const outputs = Object.entries(files).map(([file, text]) => ({
      file,
      sha256: sha256(text),
      bytes: Buffer.byteLength(text),
    }));
    return { manifestVersion: '1.0', reportId: sha256(JSON.stringify(run)), run, outputs };
  };

  it('never hashes a listed path that leaves the folder by name', () => {
    // The folder sits next to the secret, so each escape names a file that exists and has the listed digest.
    const escapes = ['../secret.txt', 'sub/../../secret.txt', secret, '../../../../etc/passwd'];
    const folder = join(outside, 'out');
    mkdirSync(folder);
    writeFileSync(
      join(folder, 'manifest.json'),
      JSON.stringify(listing(Object.fromEntries(escapes.map((file) => [file, secretText])))),
    );
    const verification = verifyOutputs(folder);
    expect(verification.ok).toBe(false);
    expect(verification.problems).toEqual(
      escapes.map((file) => `listed output ${file} lies outside the folder — not hashed`),
    );
  });

  posixOnly('never follows a symbolic link out of the folder, nor reads a link, a device or a pipe', () => {
    const folder = folderWith(
      listing({ 'link/secret.txt': secretText, zero: '', 'secret-link': secretText, pipe: '' }),
    );
    symlinkSync(outside, join(folder, 'link'));
    symlinkSync('/dev/zero', join(folder, 'zero'));
    symlinkSync(secret, join(folder, 'secret-link'));
    execFileSync('mkfifo', [join(folder, 'pipe')]);
    const verification = verifyOutputs(folder);
    expect(verification.ok).toBe(false);
    expect(verification.problems).toEqual([
      'listed output link/secret.txt lies outside the folder — not hashed',
      'zero: not a regular file (a symbolic link)',
      'secret-link: not a regular file (a symbolic link)',
      'pipe: not a regular file (a named pipe)',
    ]);
  });

  posixOnly('survives symbolic-link loops and links to the folder itself, in the listing and in the walk', () => {
    const folder = folderWith(
      listing({ 'findings.json': '[]\n', 'self/findings.json': '[]\n', 'loop-a': '', 'loop-a/x': '' }),
      { 'findings.json': '[]\n', 'sub/extra.txt': 'x' },
    );
    symlinkSync('.', join(folder, 'self'));
    symlinkSync('loop-b', join(folder, 'loop-a'));
    symlinkSync('loop-a', join(folder, 'loop-b'));
    execFileSync('mkfifo', [join(folder, 'sub/pipe')]);
    const verification = verifyOutputs(folder);
    expect(verification.problems).toEqual([
      'self/findings.json: not a regular file (reached through the symbolic link self)',
      'loop-a: not a regular file (a symbolic link)',
      'loop-a/x: not a regular file (a symbolic link, or a loop of them)',
    ]);
    expect(verification.notes).toEqual(
      expect.arrayContaining([
        'loop-b: not listed in the manifest (added after the run — a symbolic link, not followed)',
        'sub/extra.txt: not listed in the manifest (added after the run)',
        'sub/pipe: not listed in the manifest (added after the run — not a regular file, not read)',
      ]),
    );
    expect(verification.notes.some((n) => n.startsWith('self: not listed'))).toBe(true);
  });

  posixOnly('writes a manifest of the regular files only, whatever else the folder holds', () => {
    const folder = tempFiles({ 'findings.json': '[]\n' });
    symlinkSync('.', join(folder, 'self'));
    symlinkSync('/dev/zero', join(folder, 'zero'));
    execFileSync('mkfifo', [join(folder, 'pipe')]);
    writeManifest(runOf({}), folder);
    const written: Manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
    expect(written.outputs.map((o) => o.file)).toEqual(['findings.json']);
  });
});

describe('verify: the folder itself (issue 14)', () => {
  it('names a folder that does not exist, a file given as the folder, and a folder without manifest', () => {
    const missing = join(tempFiles({}), 'nonexistent');
    expect(verifyOutputs(missing)).toEqual({ ok: false, problems: [`${missing}: no such folder`], notes: [] });
    const file = join(tempFiles({ 'findings.json': '[]' }), 'findings.json');
    expect(verifyOutputs(file).problems).toEqual([
      `${file}: not a folder — give the output folder that holds manifest.json`,
    ]);
    expect(verifyOutputs(tempFiles({ 'findings.json': '[]' })).problems).toEqual([
      'manifest.json: missing — not an ixaudit output folder, or the manifest was removed',
    ]);
  });
});
