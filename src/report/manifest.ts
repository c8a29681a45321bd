import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  statSync,
  type Stats,
} from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { AuditResult } from '../model/report.js';
import { compareText } from '../model/order.js';
import { BUILTIN_PREFIX, packageRoot } from '../paths.js';
import { outputName } from './paths.js';
import { writeFileAtomic } from './write-atomic.js';

export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';

export interface FileDigest {
  file: string;
  sha256: string;
  bytes: number;
}

/**
 * An input as the manifest records it. `file` is the name findings show (relative to the audit's
 * working directory, or absolute, or ixaudit:… for files shipped with the tool); `path` is the absolute
 * path at audit time, so verify can re-hash the input from wherever it runs. Built-in inputs have no
 * `path`: they are found in the installed package, which may have moved since.
 */
export interface InputDigest extends FileDigest {
  path?: string;
}

/** The evidence manifest: what was audited, with what, and every output's digest. */
export interface Manifest {
  manifestVersion: '1.0';
  /**
   * SHA-256 of the canonical JSON of `run` without the inputs' `path`: the same inputs, versions,
   * profile and date give the same id wherever the audit ran.
   */
  reportId: string;
  run: {
    tool: { name: string; version: string };
    catalog: { version: string };
    profile: string;
    auditDate: string;
    inputs: InputDigest[];
  };
  outputs: FileDigest[];
}

export interface ManifestSignature {
  algorithm: 'Ed25519';
  /** SPKI public key (PEM) of the signer, so a verifier can see which key signed; trust comes from --key. */
  publicKey: string;
  /** Base64 Ed25519 signature over the exact bytes of manifest.json. */
  signature: string;
}

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

/** The run section the report id is computed from: no absolute paths, so the id does not depend on where the audit ran. */
function manifestRun(result: AuditResult): Manifest['run'] {
  return {
    tool: result.run.tool,
    catalog: { version: result.run.catalog.version },
    profile: result.run.profile.id,
    auditDate: result.run.auditDate,
    inputs: result.run.inputs.map(({ file, sha256: digest, bytes }) => ({ file, sha256: digest, bytes })),
  };
}

/**
 * The run section as written, with each non-built-in input's absolute `path`. Display names are
 * relative to the audit's working directory (or already absolute), and the audit runs in this process,
 * so resolving against process.cwd() now gives the file that was read.
 */
function recordedRun(result: AuditResult): Manifest['run'] {
  const run = manifestRun(result);
  const builtin = new Set(result.run.inputs.filter((i) => i.builtin).map((i) => i.file));
  return {
    ...run,
    inputs: run.inputs.map((i) => (builtin.has(i.file) ? i : { ...i, path: resolve(process.cwd(), i.file) })),
  };
}

/** The part of a run section the report id covers: everything but the inputs' location at audit time. */
function runIdentity(run: Manifest['run']): Manifest['run'] {
  return { ...run, inputs: run.inputs.map(({ path: _path, ...input }) => input) };
}

/**
 * The report id every output quotes (PDF cover, running header). It is the hash of the manifest's run
 * section, which fixes everything the outputs are derived from, so it is known before they are written.
 */
export function reportId(result: AuditResult): string {
  return sha256(JSON.stringify(manifestRun(result)));
}

/** Why a file could not be hashed, in the words verify prints after the file name. */
type Unhashable = { problem: string };
type Hashed = { sha256: string; bytes: number } | Unhashable;

// Not on every platform (Windows has neither); 0 then simply leaves the flag out.
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

function errorCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

function ioProblem(err: unknown): string {
  const code = errorCode(err);
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
  if (code === 'ELOOP') return 'not a regular file (a symbolic link, or a loop of them)';
  if (code === 'EACCES' || code === 'EPERM') return 'unreadable (permission denied)';
  return `unreadable (${code ?? (err as Error)?.message ?? String(err)})`;
}

function kindOf(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a plain file';
}

/**
 * SHA-256 of a regular file, read in 4 MiB blocks: findings.json of a million-route audit is close to a
 * gigabyte. Anything else is refused before a byte is read, since a pipe or /dev/zero would never end.
 * The type is checked on the open descriptor too, so a file swapped for a link meanwhile is not followed.
 */
export function hashRegularFile(path: string, followSymlinks: boolean): Hashed {
  let fd: number;
  try {
    const stats = followSymlinks ? statSync(path) : lstatSync(path);
    if (!stats.isFile()) return { problem: `not a regular file (${kindOf(stats)})` };
    fd = openSync(path, constants.O_RDONLY | O_NONBLOCK | (followSymlinks ? 0 : O_NOFOLLOW));
  } catch (err) {
    return { problem: ioProblem(err) };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { problem: `not a regular file (${kindOf(stats)})` };
    const hash = createHash('sha256');
    const block = Buffer.allocUnsafe(4 << 20);
    let bytes = 0;
    for (let n = readSync(fd, block); n > 0; n = readSync(fd, block)) {
      hash.update(block.subarray(0, n));
      bytes += n;
    }
    return { sha256: hash.digest('hex'), bytes };
  } catch (err) {
    return { problem: ioProblem(err) };
  } finally {
    closeSync(fd);
  }
}

/** The whole of a regular file (manifest.json, manifest.sig), refusing links and special files like hashRegularFile. */
function readRegularFile(path: string): Buffer | Unhashable {
  let fd: number;
  try {
    const stats = lstatSync(path);
    if (!stats.isFile()) return { problem: `not a regular file (${kindOf(stats)})` };
    fd = openSync(path, constants.O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
  } catch (err) {
    return { problem: ioProblem(err) };
  }
  try {
    const stats = fstatSync(fd);
    return stats.isFile() ? readFileSync(fd) : { problem: `not a regular file (${kindOf(stats)})` };
  } catch (err) {
    return { problem: ioProblem(err) };
  } finally {
    closeSync(fd);
  }
}

function isUnhashable(value: object): value is Unhashable {
  return 'problem' in value;
}

interface FolderEntry {
  /** Relative to the walked folder, with / separators, as the manifest lists outputs. */
  file: string;
  path: string;
  kind: 'file' | 'link' | 'other';
}

/**
 * Everything under `dir`, without following symbolic links: a link to a folder is listed as a link, not
 * entered, so a link to `..` or a loop of links cannot make the walk endless. manifest.json and
 * manifest.sig at the top are not outputs and are left out.
 */
function entriesUnder(dir: string, root: string = dir): FolderEntry[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry): FolderEntry[] => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entriesUnder(path, root);
      const file = outputName(root, path);
      return [{ file, path, kind: entry.isFile() ? 'file' : entry.isSymbolicLink() ? 'link' : 'other' }];
    })
    .filter((e) => e.file !== MANIFEST_FILE && e.file !== SIGNATURE_FILE)
    .sort((a, b) => compareText(a.file, b.file));
}

/** Digests of the regular files under `dir` (the reporters write nothing else); a file that cannot be read fails the run. */
function digestsUnder(dir: string): FileDigest[] {
  return entriesUnder(dir)
    .filter((e) => e.kind === 'file')
    .map(({ file, path }) => {
      const digest = hashRegularFile(path, false);
      if (isUnhashable(digest)) throw new Error(`${path}: ${digest.problem}`);
      return { file, ...digest };
    });
}

/** Hashes every file already written in `dir` and writes manifest.json (and manifest.sig with a key). */
export function writeManifest(result: AuditResult, dir: string, signingKey?: KeyObject): string[] {
  const manifest: Manifest = {
    manifestVersion: '1.0',
    reportId: reportId(result),
    run: recordedRun(result),
    outputs: digestsUnder(dir),
  };
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  writeFileAtomic(join(dir, MANIFEST_FILE), bytes);
  if (!signingKey) return [join(dir, MANIFEST_FILE)];
  const signature: ManifestSignature = {
    algorithm: 'Ed25519',
    publicKey: createPublicKey(signingKey).export({ type: 'spki', format: 'pem' }).toString(),
    signature: sign(null, bytes, signingKey).toString('base64'),
  };
  writeFileAtomic(join(dir, SIGNATURE_FILE), `${JSON.stringify(signature, null, 2)}\n`);
  return [join(dir, MANIFEST_FILE), join(dir, SIGNATURE_FILE)];
}

/** Reads an Ed25519 private key (PEM, as `ixaudit keygen` writes it). */
export function readSigningKey(path: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(path));
  } catch (err) {
    // OpenSSL's "error:1E08010C:DECODER routines::unsupported" tells a user nothing.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('no such file');
    throw new Error(
      'not a PEM private key: --sign needs the Ed25519 private key ixaudit keygen wrote (ixaudit-signing-key.pem)',
    );
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(
      `${path} is a ${key.asymmetricKeyType} key; --sign needs an Ed25519 private key (make one with ixaudit keygen)`,
    );
  return key;
}

export function generateSigningKeys(): { privatePem: string; publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export interface Verification {
  ok: boolean;
  /** One line per problem, naming the file. */
  problems: string[];
  /** What was checked and found sound, or could not be checked. */
  notes: string[];
}

export interface VerifyOptions {
  /** Check the outputs and the report id only: the inputs are not at hand (the folder was sent elsewhere). */
  outputsOnly?: boolean;
  /** Accept a manifest.sig that is not checked because no trusted key was given. */
  noSignature?: boolean;
  /** Folder that inputs of manifests without `path` (written before it was recorded) are resolved against. */
  cwd?: string;
}

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const HEX_SHA256 = /^[0-9a-f]{64}$/;

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function digestShapeProblems(value: unknown, where: string): string[] {
  if (!isRecord(value)) return [`${where} is ${describe(value)}, expected an object`];
  const problems: string[] = [];
  if (typeof value.file !== 'string' || value.file === '')
    problems.push(`${where}.file is ${value.file === '' ? 'empty' : describe(value.file)}, expected a file name`);
  if (typeof value.sha256 !== 'string' || !HEX_SHA256.test(value.sha256))
    problems.push(`${where}.sha256 is not a SHA-256 digest (64 hex digits)`);
  if (typeof value.bytes !== 'number' || !Number.isSafeInteger(value.bytes) || value.bytes < 0)
    problems.push(`${where}.bytes is not a byte count`);
  return problems;
}

function listShapeProblems(value: unknown, where: string, entry: (item: unknown, where: string) => string[]): string[] {
  if (!Array.isArray(value)) return [`${where} is ${describe(value)}, expected an array`];
  return value.flatMap((item, i) => entry(item, `${where}[${i}]`));
}

function inputShapeProblems(value: unknown, where: string): string[] {
  const problems = digestShapeProblems(value, where);
  if (isRecord(value) && value.path !== undefined && (typeof value.path !== 'string' || !isAbsolute(value.path)))
    problems.push(`${where}.path is not an absolute path`);
  return problems;
}

/**
 * What makes `value` not a manifest this version can verify, only for the fields verify relies on:
 * a hand-edited or foreign manifest.json must give a message, never a TypeError halfway through.
 */
export function manifestShapeProblems(value: unknown): string[] {
  if (!isRecord(value)) return [`the top level is ${describe(value)}, expected an object`];
  const problems: string[] = [];
  if (value.manifestVersion !== '1.0')
    problems.push(
      `manifestVersion is ${typeof value.manifestVersion === 'string' ? JSON.stringify(value.manifestVersion) : describe(value.manifestVersion)}, expected "1.0"`,
    );
  if (typeof value.reportId !== 'string' || !HEX_SHA256.test(value.reportId))
    problems.push('reportId is not a SHA-256 digest (64 hex digits)');
  if (!isRecord(value.run)) problems.push(`run is ${describe(value.run)}, expected an object`);
  else problems.push(...listShapeProblems(value.run.inputs, 'run.inputs', inputShapeProblems));
  problems.push(...listShapeProblems(value.outputs, 'outputs', digestShapeProblems));
  return problems;
}

/** A few shape problems and how many more: a manifest with a million bad entries gets one readable line. */
function summarize(problems: string[], shown = 3): string {
  const head = problems.slice(0, shown).join('; ');
  return problems.length > shown ? `${head}; and ${problems.length - shown} more` : head;
}

/** `path` is below `root` (not `root` itself): both absolute and normalised. */
function isBelow(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/**
 * Where a listed output is, or why it is not hashed. It must lie below the folder by its name (no `..`,
 * no absolute path) and by the file system: a symbolic link on the way is followed only to see where it
 * leads, and the file itself must not be a link, so a manifest can never make verify read
 * /etc/passwd or /dev/zero.
 */
function locateOutput(outDir: string, file: string): { path: string } | { outside: true } | Unhashable {
  const root = resolve(outDir);
  const path = resolve(root, file);
  if (!isBelow(root, path)) return { outside: true };
  const parts = relative(root, path).split(sep);
  let dir = root;
  for (const part of parts.slice(0, -1)) {
    dir = join(dir, part);
    let stats: Stats;
    try {
      stats = lstatSync(dir);
    } catch (err) {
      return { problem: ioProblem(err) };
    }
    if (stats.isSymbolicLink()) {
      try {
        const target = realpathSync(dir);
        const realRoot = realpathSync(root);
        if (target !== realRoot && !isBelow(realRoot, target)) return { outside: true };
      } catch (err) {
        return { problem: ioProblem(err) };
      }
      return {
        problem: `not a regular file (reached through the symbolic link ${relative(root, dir).split(sep).join('/')})`,
      };
    }
    if (!stats.isDirectory()) return { problem: 'missing' };
  }
  return { path };
}

/** What one check found: problems fail the verification, notes are printed for the reader. */
interface Checked {
  problems: string[];
  notes: string[];
}

function checkOutputs(outDir: string, outputs: FileDigest[]): Checked {
  const problems = outputs.flatMap((output) => {
    const where = locateOutput(outDir, output.file);
    if ('outside' in where) return [`listed output ${output.file} lies outside the folder — not hashed`];
    const digest = isUnhashable(where) ? where : hashRegularFile(where.path, false);
    if (isUnhashable(digest)) return [`${output.file}: ${digest.problem}`];
    return digest.sha256 === output.sha256 ? [] : [`${output.file}: changed (SHA-256 differs from the manifest)`];
  });
  return { problems, notes: [`${outputs.length} output file(s) listed`] };
}

/** Files in the folder the manifest does not list: noted, not failed (a reader may add a README), and never read. */
function checkUnlisted(outDir: string, outputs: FileDigest[]): Checked {
  const listed = new Set(outputs.map((o) => o.file));
  let entries: FolderEntry[];
  try {
    entries = entriesUnder(outDir);
  } catch (err) {
    return { problems: [`${outDir}: cannot list the folder (${ioProblem(err)})`], notes: [] };
  }
  const what = { file: '', link: ' — a symbolic link, not followed', other: ' — not a regular file, not read' };
  const notes = entries
    .filter((e) => !listed.has(e.file))
    .map((e) => `${e.file}: not listed in the manifest (added after the run${what[e.kind]})`);
  return { problems: [], notes };
}

/**
 * Where an input is re-read from. Built-in files (ixaudit:…) are looked up in the installed package.
 * Others at the absolute `path` the audit recorded, so verify finds them from any folder; manifests
 * written before `path` was recorded name the file relative to the audit's working directory, which
 * verify can only assume is `cwd` (its own, unless told).
 */
function inputLocation(input: InputDigest, cwd: string): { path: string } | Unhashable {
  if (input.file.startsWith(BUILTIN_PREFIX)) {
    const path = resolve(packageRoot, input.file.slice(BUILTIN_PREFIX.length));
    return isBelow(packageRoot, path) ? { path } : { problem: 'not inside the ixaudit package — not hashed' };
  }
  return { path: input.path ?? resolve(cwd, input.file) };
}

function checkInputs(inputs: InputDigest[], cwd: string): Checked {
  const problems: string[] = [];
  let rehashed = 0;
  for (const input of inputs) {
    const where = inputLocation(input, cwd);
    // Inputs may well be symbolic links (a shared evidence folder): follow them, but read only regular files.
    const digest = isUnhashable(where) ? where : hashRegularFile(where.path, true);
    if (isUnhashable(digest)) {
      if (isUnhashable(where)) problems.push(`input ${input.file}: ${where.problem}`);
      else if (digest.problem === 'missing')
        problems.push(`input ${input.file}: missing — cannot be re-hashed (looked for ${where.path})`);
      else problems.push(`input ${input.file}: ${digest.problem}, at ${where.path}`);
      continue;
    }
    rehashed++;
    if (digest.sha256 !== input.sha256) problems.push(`input ${input.file}: changed since the audit (SHA-256 differs)`);
  }
  return { problems, notes: [`${rehashed} of ${inputs.length} input file(s) found and re-hashed`] };
}

/** Checks manifest.sig. Trust comes only from the key the verifier gives, never from the key inside the file. */
function checkSignature(
  outDir: string,
  manifestBytes: Buffer,
  trustedKeyPem: string | undefined,
  noSignature: boolean,
): Checked {
  const problem = (text: string): Checked => ({ problems: [text], notes: [] });
  const note = (text: string): Checked => ({ problems: [], notes: [text] });
  const read = readRegularFile(join(outDir, SIGNATURE_FILE));
  if (isUnhashable(read) && read.problem === 'missing') {
    return trustedKeyPem
      ? problem(`${SIGNATURE_FILE}: missing — the outputs are not signed`)
      : note(`${SIGNATURE_FILE}: none — the outputs are not signed`);
  }
  if (isUnhashable(read)) return problem(`${SIGNATURE_FILE}: ${read.problem}`);
  if (!trustedKeyPem) {
    // A signature nobody checked proves nothing; passing quietly would let a forged folder look signed.
    return noSignature
      ? note(`${SIGNATURE_FILE}: present but not checked (--no-signature)`)
      : problem(
          `${SIGNATURE_FILE}: present but not checked — pass --key PUBLIC_KEY to verify it, or --no-signature to check the hashes only`,
        );
  }
  let trusted: KeyObject;
  try {
    trusted = createPublicKey(trustedKeyPem);
  } catch {
    return problem(
      'trusted key: not a PEM public key: --key needs the ixaudit-signing-key.pub.pem that ixaudit keygen wrote beside the private key',
    );
  }
  if (trusted.asymmetricKeyType !== 'ed25519')
    return problem(`trusted key: a ${trusted.asymmetricKeyType} key; ixaudit signs with Ed25519`);
  let signature: unknown;
  try {
    signature = JSON.parse(read.toString('utf8'));
  } catch {
    return problem(`${SIGNATURE_FILE}: not valid JSON`);
  }
  if (!isRecord(signature) || typeof signature.signature !== 'string')
    return problem(`${SIGNATURE_FILE}: not an ixaudit signature (no "signature" string)`);
  return verify(null, manifestBytes, trusted, Buffer.from(signature.signature, 'base64'))
    ? note(`${SIGNATURE_FILE}: valid Ed25519 signature by the given key`)
    : problem(
        `${SIGNATURE_FILE}: signature does not verify with the given key (manifest changed, or signed with another key)`,
      );
}

function verifyFolder(outDir: string, trustedKeyPem: string | undefined, options: VerifyOptions): Verification {
  const fail = (problem: string): Verification => ({ ok: false, problems: [problem], notes: [] });
  let folder: Stats;
  try {
    folder = statSync(outDir);
  } catch (err) {
    return fail(
      errorCode(err) === 'ENOENT' || errorCode(err) === 'ENOTDIR'
        ? `${outDir}: no such folder`
        : `${outDir}: ${ioProblem(err)}`,
    );
  }
  if (!folder.isDirectory())
    return fail(`${outDir}: not a folder — give the output folder that holds ${MANIFEST_FILE}`);

  const bytes = readRegularFile(join(outDir, MANIFEST_FILE));
  if (isUnhashable(bytes)) {
    return fail(
      bytes.problem === 'missing'
        ? `${MANIFEST_FILE}: missing — not an ixaudit output folder, or the manifest was removed`
        : `${MANIFEST_FILE}: ${bytes.problem}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return fail(`${MANIFEST_FILE}: not valid JSON`);
  }
  const shape = manifestShapeProblems(parsed);
  if (shape.length > 0) return fail(`${MANIFEST_FILE}: not an ixaudit manifest: ${summarize(shape)}`);
  const manifest = parsed as Manifest;

  const checks: Checked[] = [
    checkUnlisted(outDir, manifest.outputs),
    checkOutputs(outDir, manifest.outputs),
    options.outputsOnly
      ? {
          problems: [],
          notes: [`inputs not checked (--outputs-only): ${manifest.run.inputs.length} listed in the manifest`],
        }
      : checkInputs(manifest.run.inputs, options.cwd ?? process.cwd()),
    {
      problems:
        sha256(JSON.stringify(runIdentity(manifest.run))) === manifest.reportId
          ? []
          : [`${MANIFEST_FILE}: report id does not match its run section`],
      notes: [],
    },
    checkSignature(outDir, bytes, trustedKeyPem, options.noSignature ?? false),
  ];
  const problems = checks.flatMap((c) => c.problems);
  return { ok: problems.length === 0, problems, notes: checks.flatMap((c) => c.notes) };
}

/**
 * Re-hashes every output and every input, recomputes the report id, and checks the signature against a
 * trusted public key. Whatever the folder holds, it answers with problems and never throws: it is the
 * command people run on folders they do not trust.
 */
export function verifyOutputs(outDir: string, trustedKeyPem?: string, options: VerifyOptions = {}): Verification {
  try {
    return verifyFolder(outDir, trustedKeyPem, options);
  } catch (err) {
    return {
      ok: false,
      problems: [`${outDir}: cannot be verified (${(err as Error)?.message ?? String(err)})`],
      notes: [],
    };
  }
}
