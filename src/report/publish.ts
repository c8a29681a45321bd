import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, isAbsolute, join, parse, relative, resolve, sep } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { spawn } from 'node:child_process';
import { packageRoot } from '../paths.js';
import type { AuditReport } from '../model/report.js';
import type { Reporter, ReportOptions, WriteProgress } from './types.js';
import { MANIFEST_FILE, SIGNATURE_FILE, writeManifest } from './manifest.js';
import { outputName, RUN_LEVEL_NAMES } from './paths.js';
import { presentationOf } from './view/index.js';

/*
 * --out is a folder ixaudit manages: after a run it holds exactly that run's files, the ones its
 * manifest.json lists (plus manifest.json and manifest.sig). A run is written complete into
 * OUT/.ixaudit-staging-<id>/ and then swapped in by renames, recorded first in a journal
 * OUT/.ixaudit-swap-<id>.json:
 *   1. the previous run's entries move into OUT/.ixaudit-previous-<id>/, manifest.json first;
 *   2. the new run's entries move into OUT, manifest.json last: that rename is the commit;
 *   3. the journal, the previous run and the staging folder are removed.
 * So OUT holds either the complete previous run with its manifest, or the complete new run with its
 * manifest, or — only while the renames run — a folder without manifest.json, which verify refuses.
 * A failure during the swap moves everything back; a run that was killed (SIGKILL, power cut) is
 * finished or undone from its journal by the next run, which also deletes leftover staging folders.
 * Nothing is written through a symbolic link: reporters write only into the fresh staging folder, and
 * a link (or any entry ixaudit did not write) found in OUT stops the run before anything is moved.
 */

/** Every ixaudit working name in --out starts with this; operator folders never do (ids start with [a-z0-9]). */
const WORK_PREFIX = '.ixaudit-';
const STAGING_PREFIX = `${WORK_PREFIX}staging-`;
const PREVIOUS_PREFIX = `${WORK_PREFIX}previous-`;
const JOURNAL_PREFIX = `${WORK_PREFIX}swap-`;
const LOCK_FILE = `${WORK_PREFIX}lock`;
/** Files inside an operator's folder. */
const OPERATOR_FILES = new Set(['report.pdf', 'findings.xlsx']);
/** Temporary names of writeFileAtomic (`.<name>.<pid>.tmp`) left by an older version killed mid-write. */
const TEMP_FILE = /^\..+\.\d+\.tmp$/;

/** Reports could not be published. `previousIntact` says whether --out still holds the previous run unchanged. */
export class PublishError extends Error {
  readonly code?: string;
  constructor(
    message: string,
    readonly previousIntact: boolean,
    cause?: unknown,
  ) {
    super(message, { cause });
    this.name = 'PublishError';
    this.code = (cause as NodeJS.ErrnoException | undefined)?.code;
  }
}

/** For tests: called before each rename of the swap; throwing there simulates a failing rename. */
export interface PublishHooks {
  beforeSwapRename?(from: string, to: string): void;
  /** Called before the presentation model every reporter renders is built. */
  onPreparing?(): void;
  /** Called as each reporter starts (the terminal says which format is being written). */
  onReporter?(name: string, index: number, total: number): void;
  /** Called as a reporter gets on with a long file (see WriteProgress). */
  onProgress?(name: string, progress: WriteProgress): void;
}

interface Journal {
  staging: string;
  previous: string;
  /** Top-level names of the new run, in the order they move into OUT (manifest.json last). */
  incoming: string[];
  /** Top-level names of the previous run, in the order they move out (manifest.json first). */
  outgoing: string[];
}

const codeOf = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if (codeOf(err) === 'ENOENT' || codeOf(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** `path` is `root` or below it (both absolute, normalised). */
function isAtOrBelow(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/** The nearest folder of `dir` (itself or an ancestor) that exists, and the real path `dir` will have. */
function nearestExisting(dir: string): { existing: string; real: string } {
  let at = resolve(dir);
  const missing: string[] = [];
  for (;;) {
    try {
      statSync(at);
      return { existing: at, real: join(realpathSync(at), ...missing) };
    } catch (err) {
      const up = dirname(at);
      if ((codeOf(err) !== 'ENOENT' && codeOf(err) !== 'ENOTDIR') || up === at)
        return { existing: at, real: resolve(dir) };
      missing.unshift(basename(at));
      at = up;
    }
  }
}

/**
 * Creates --out and missing parents one at a time. (mkdirSync's `recursive` loops forever on some
 * paths, /proc/x for one; a plain mkdir fails at once.) --out itself must be a real folder, not a link.
 */
function makeOutDir(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    let stats: Stats;
    try {
      stats = at === resolve(dir) ? lstatSync(at) : statSync(at);
    } catch (err) {
      const up = dirname(at);
      if (codeOf(err) !== 'ENOENT' || up === at) throw err;
      missing.unshift(at);
      at = up;
      continue;
    }
    if (stats.isSymbolicLink()) throw Object.assign(new Error(`${at} is a symbolic link`), { code: 'ELOOP' });
    if (!stats.isDirectory()) throw Object.assign(new Error(`${at} is not a folder`), { code: 'ENOTDIR' });
    break;
  }
  for (const path of missing) mkdirSync(path);
}

interface PreviousRun {
  /** Output files the previous manifest lists, relative with / separators; undefined when there is no manifest. */
  listed?: Set<string>;
}

function previousRun(outDir: string): PreviousRun {
  const path = join(outDir, MANIFEST_FILE);
  const stats = lstatOrUndefined(path);
  if (!stats?.isFile()) return {};
  try {
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as { outputs?: { file?: unknown }[] };
    if (!Array.isArray(manifest.outputs)) return {};
    return { listed: new Set(manifest.outputs.map((o) => o?.file).filter((f): f is string => typeof f === 'string')) };
  } catch {
    return {};
  }
}

/** Why one entry under a folder of the previous run is not ixaudit's, or undefined when it is. */
function foreignInside(dir: string, rel: string, listed: Set<string>): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const file = `${rel}/${entry.name}`;
    if (entry.isDirectory()) {
      const inner = foreignInside(path, file, listed);
      if (inner) return inner;
    } else if (entry.isSymbolicLink()) return `${file} (a symbolic link)`;
    else if (!entry.isFile()) return `${file} (not a regular file)`;
    else if (!listed.has(file) && !OPERATOR_FILES.has(entry.name) && !TEMP_FILE.test(entry.name)) return file;
  }
  return undefined;
}

/**
 * Entries of --out that a run would have to replace but that ixaudit did not write: a user's file, a
 * symbolic link, anything in a folder with no ixaudit manifest.json. ixaudit refuses to publish over
 * them rather than delete them (as `git clone` refuses a non-empty folder). Its own are: what the
 * previous manifest lists, run-level output names and operator folders of older runs (stale outputs of
 * a narrower run), and its working names (.ixaudit-*).
 */
export function foreignEntries(outDir: string): string[] {
  let entries;
  try {
    entries = readdirSync(outDir, { withFileTypes: true });
  } catch (err) {
    if (codeOf(err) === 'ENOENT') return [];
    throw err;
  }
  const { listed } = previousRun(outDir);
  const foreign: string[] = [];
  for (const entry of entries) {
    const name = entry.name;
    if (name.startsWith(WORK_PREFIX)) continue;
    if (entry.isSymbolicLink()) foreign.push(`${name} (a symbolic link)`);
    else if (listed === undefined) foreign.push(name);
    else if (entry.isFile()) {
      if (!listed.has(name) && !RUN_LEVEL_NAMES.has(name) && !TEMP_FILE.test(name)) foreign.push(name);
    } else if (entry.isDirectory()) {
      const inner = foreignInside(join(outDir, name), name, listed);
      if (inner) foreign.push(inner);
    } else foreign.push(`${name} (not a regular file)`);
  }
  return foreign.sort();
}

export type OutDirProblem = { kind: 'usage' | 'output'; message: string };

/**
 * Checks --out before the audit starts, so a bad folder is refused in milliseconds, not after the
 * audit: not the root, not an input or a folder holding one, not a symbolic link, only ixaudit's files
 * in it, and a folder that can be created (probed with a folder made and removed at once).
 * `inputs` are the paths read as submissions, registry, waivers, profile or templates.
 */
export function checkOutDir(
  outDir: string,
  inputs: readonly string[],
  shownAs: string = outDir,
): OutDirProblem | undefined {
  try {
    return outDirProblem(outDir, inputs, shownAs);
  } catch (err) {
    return { kind: 'output', message: describeIoError(err) };
  }
}

function outDirProblem(outDir: string, inputs: readonly string[], shownAs: string): OutDirProblem | undefined {
  const out = resolve(outDir);
  if (parse(out).root === out)
    return { kind: 'usage', message: `--out ${shownAs} is the root of the file system: give a folder for the reports` };
  const { existing, real } = nearestExisting(out);
  for (const input of inputs) {
    let realInput: string;
    try {
      realInput = realpathSync(input);
    } catch {
      continue;
    }
    if (isAtOrBelow(real, realInput)) {
      const what = realInput === real ? 'is the input' : 'contains the input';
      return {
        kind: 'usage',
        message: `--out ${shownAs} ${what} ${input}: each run replaces the whole folder, and its reports would be read back as inputs; choose a folder outside the inputs`,
      };
    }
  }
  const stats = lstatOrUndefined(out);
  if (stats?.isSymbolicLink())
    return {
      kind: 'usage',
      message: `--out ${shownAs} is a symbolic link: ixaudit never writes through links; give the folder itself (${real})`,
    };
  if (stats && !stats.isDirectory()) return { kind: 'usage', message: `--out ${shownAs} exists and is not a folder` };
  if (stats) {
    let foreign: string[];
    try {
      foreign = foreignEntries(out);
    } catch (err) {
      return { kind: 'output', message: describeIoError(err) };
    }
    if (foreign.length > 0) return { kind: 'usage', message: foreignMessage(shownAs, foreign) };
  }
  try {
    const probeIn = stats ? out : existing;
    const probeStats = statSync(probeIn);
    if (!probeStats.isDirectory()) return { kind: 'output', message: `${probeIn} is not a folder` };
    rmdirSync(mkdtempSync(join(probeIn, `${WORK_PREFIX}probe-`)));
  } catch (err) {
    return {
      kind: 'output',
      message: `${stats ? out : existing} does not allow creating folders (${describeIoError(err)})`,
    };
  }
  return undefined;
}

function foreignMessage(shownAs: string, foreign: string[]): string {
  const shown = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? ` and ${foreign.length - 5} more` : '');
  return `--out ${shownAs} holds files that ixaudit did not write: ${shown}. Each run replaces the whole folder with its reports, so move them away or choose an empty folder`;
}

/** A file-system error in a user's words. */
export function describeIoError(err: unknown): string {
  const code = codeOf(err);
  if (code === 'ENOSPC') return 'the disk is full';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'permission denied';
  return (err as Error)?.message ?? String(err);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return codeOf(err) === 'EPERM';
  }
}

/** OUT/.ixaudit-lock: one run publishes into a folder at a time. A lock whose process is gone is taken over. */
function acquireLock(outDir: string): () => void {
  const path = join(outDir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if (codeOf(err) !== 'EEXIST' || attempt > 0) throw err;
      const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
        throw new PublishError(
          `another ixaudit run (process ${pid}) is writing reports there; if none is running, remove ${path}`,
          true,
        );
      }
      rmSync(path, { force: true });
    }
  }
}

function readJournal(path: string): Journal | undefined {
  try {
    const j = JSON.parse(readFileSync(path, 'utf8')) as Journal;
    const names = (v: unknown) =>
      Array.isArray(v) &&
      v.every(
        (n) => typeof n === 'string' && n !== '' && !n.includes('/') && !n.includes(sep) && n !== '.' && n !== '..',
      );
    const work = (v: unknown, prefix: string) =>
      typeof v === 'string' && v.startsWith(prefix) && !v.includes('/') && !v.includes(sep);
    return work(j.staging, STAGING_PREFIX) &&
      work(j.previous, PREVIOUS_PREFIX) &&
      names(j.incoming) &&
      names(j.outgoing)
      ? j
      : undefined;
  } catch {
    return undefined;
  }
}

/** The swap recorded by `journal` reached its commit: the new manifest.json has left staging for OUT. */
function committed(outDir: string, journal: Journal): boolean {
  return (
    lstatOrUndefined(join(outDir, journal.staging, MANIFEST_FILE)) === undefined &&
    lstatOrUndefined(join(outDir, MANIFEST_FILE)) !== undefined
  );
}

/** Undoes a swap that did not commit, from wherever it stopped: each step is one rename, checked before it is undone. */
function rollBack(outDir: string, journal: Journal): void {
  const staging = join(outDir, journal.staging);
  const previous = join(outDir, journal.previous);
  for (const name of [...journal.incoming].reverse()) {
    if (lstatOrUndefined(join(staging, name)) === undefined && lstatOrUndefined(join(outDir, name)) !== undefined)
      renameSync(join(outDir, name), join(staging, name));
  }
  for (const name of journal.outgoing) {
    if (lstatOrUndefined(join(previous, name)) !== undefined) renameSync(join(previous, name), join(outDir, name));
  }
}

/** Removes a swap's working folders and then its journal (last: it is what says how to undo the others). */
function discardSwap(outDir: string, journalName: string, journal: Journal): void {
  rmSync(join(outDir, journal.previous), { recursive: true, force: true });
  rmSync(join(outDir, journal.staging), { recursive: true, force: true });
  rmSync(join(outDir, journalName), { force: true });
}

/**
 * Finishes or undoes what an interrupted run left in --out, then deletes its working folders: a swap with
 * a journal is completed if it had committed and undone otherwise; staging folders without a journal
 * are partial runs and deleted. Run with the lock held.
 */
export function recoverInterrupted(outDir: string): void {
  const names = readdirSync(outDir);
  for (const name of names.filter((n) => n.startsWith(JOURNAL_PREFIX) && n.endsWith('.json'))) {
    const journal = readJournal(join(outDir, name));
    if (journal === undefined) {
      rmSync(join(outDir, name), { force: true });
      continue;
    }
    if (!committed(outDir, journal)) rollBack(outDir, journal);
    discardSwap(outDir, name, journal);
  }
  for (const name of readdirSync(outDir)) {
    if (
      name.startsWith(STAGING_PREFIX) ||
      name.startsWith(PREVIOUS_PREFIX) ||
      name.startsWith(`${WORK_PREFIX}probe-`) ||
      (name.startsWith(JOURNAL_PREFIX) && name.endsWith('.tmp'))
    ) {
      rmSync(join(outDir, name), { recursive: true, force: true });
    }
  }
}

/** Names in the order they move: manifest.json and manifest.sig at `first` or last. */
function ordered(names: string[], manifestFirst: boolean): string[] {
  const rest = names.filter((n) => n !== MANIFEST_FILE && n !== SIGNATURE_FILE).sort();
  const manifest = names.filter((n) => n === MANIFEST_FILE || n === SIGNATURE_FILE).sort(); // manifest.json, manifest.sig
  return manifestFirst ? [...manifest, ...rest] : [...rest, ...manifest.reverse()];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Runs every reporter into a staging folder inside --out and, only when all have succeeded and the
 * manifest is written, swaps the new run in for the previous one (see the top of this file). Returns the
 * published files. Throws PublishError when --out cannot be used or the swap failed; `previousIntact`
 * then says whether the previous run is still there unchanged. A reporter's own error is rethrown as
 * it is, with the previous run untouched.
 */
export async function publishReports(
  reporters: readonly Reporter[],
  report: AuditReport,
  outDir: string,
  options: ReportOptions,
  signingKey?: KeyObject,
  hooks: PublishHooks = {},
): Promise<string[]> {
  const out = resolve(outDir);
  try {
    makeOutDir(out);
  } catch (err) {
    throw new PublishError(describeIoError(err), true, err);
  }
  let releaseLock: () => void;
  try {
    releaseLock = acquireLock(out);
  } catch (err) {
    throw err instanceof PublishError ? err : new PublishError(describeIoError(err), true, err);
  }
  const stopGuard = startGuard(out);
  let staging: string | undefined;
  let swap: { name: string; journal: Journal } | undefined;
  let done = false;
  // Ctrl-C and kill end through process.exit: undo a swap under way and remove the staging folder.
  const abandon = () => {
    try {
      if (swap && !done && !committed(out, swap.journal)) rollBack(out, swap.journal);
      if (swap) discardSwap(out, swap.name, swap.journal);
      else if (staging) rmSync(staging, { recursive: true, force: true });
    } catch {
      // What is left is finished or undone by the next run.
    }
    releaseLock();
  };
  process.once('exit', abandon);
  try {
    try {
      recoverInterrupted(out);
      const foreign = foreignEntries(out);
      if (foreign.length > 0) throw new PublishError(foreignMessage(outDir, foreign), true);
      staging = mkdtempSync(join(out, STAGING_PREFIX));
    } catch (err) {
      throw err instanceof PublishError ? err : new PublishError(describeIoError(err), true, err);
    }
    // The model is built once; each reporter also gets the files the ones before it wrote (index.html links them).
    hooks.onPreparing?.();
    const model = presentationOf(report);
    const written: string[] = [];
    for (const [index, reporter] of reporters.entries()) {
      hooks.onReporter?.(reporter.name, index + 1, reporters.length);
      const onProgress = hooks.onProgress;
      const files = await reporter.write({ ...model, artifacts: [...written] }, staging, {
        ...options,
        publishedDir: out,
        ...(onProgress ? { onProgress: (progress: WriteProgress) => onProgress(reporter.name, progress) } : {}),
      });
      for (const file of files) written.push(outputName(staging, file));
    }
    // Last, so it can hash every other output: the evidence manifest (and its signature).
    writeManifest(report.result, staging, signingKey);
    const published = filesUnder(staging).map((file) => join(out, relative(staging!, file)));

    const id = basename(staging).slice(STAGING_PREFIX.length);
    const journal: Journal = {
      staging: basename(staging),
      previous: `${PREVIOUS_PREFIX}${id}`,
      incoming: ordered(readdirSync(staging), false),
      outgoing: ordered(
        readdirSync(out).filter((n) => !n.startsWith(WORK_PREFIX)),
        true,
      ),
    };
    const journalName = `${JOURNAL_PREFIX}${id}.json`;
    try {
      writeFileSync(join(out, `${JOURNAL_PREFIX}${id}.tmp`), `${JSON.stringify(journal)}\n`, { flag: 'wx' });
      renameSync(join(out, `${JOURNAL_PREFIX}${id}.tmp`), join(out, journalName));
    } catch (err) {
      throw new PublishError(describeIoError(err), true, err);
    }
    swap = { name: journalName, journal };
    try {
      mkdirSync(join(out, journal.previous));
      const move = (from: string, to: string) => {
        hooks.beforeSwapRename?.(from, to);
        renameSync(from, to);
      };
      for (const name of journal.outgoing) move(join(out, name), join(out, journal.previous, name));
      for (const name of journal.incoming) move(join(staging, name), join(out, name));
    } catch (err) {
      try {
        rollBack(out, journal);
      } catch (undo) {
        // The journal stays: the next run (or this process's exit) finishes the undo.
        throw new PublishError(
          `${describeIoError(err)}, and moving the previous reports back failed too (${describeIoError(undo)}); the next ixaudit run into this folder restores them`,
          false,
          err,
        );
      }
      swap = undefined;
      try {
        discardSwap(out, journalName, journal);
      } catch {
        // Working folders only: removed by the next run.
      }
      throw new PublishError(describeIoError(err), true, err);
    }
    done = true;
    try {
      discardSwap(out, journalName, journal);
    } catch {
      // Published; a leftover working folder is removed by the next run.
    }
    return published.sort();
  } finally {
    if (!done && !swap && staging) rmSync(staging, { recursive: true, force: true, maxRetries: 0 });
    process.removeListener('exit', abandon);
    stopGuard();
    releaseLock();
  }
}

const GUARD_SCRIPT = join(packageRoot, 'dist', 'report', 'publish-guard.js');

/**
 * Starts the guard (publish-guard.ts) that cleans up after this process if a signal ends it while it
 * publishes: Ctrl-C and SIGTERM stop ixaudit at once instead of waiting for synchronous work, so the
 * cleanup cannot happen in this process. Detached, so a Ctrl-C sent to the terminal's process group
 * does not end the guard too. Without the compiled guard (tests of the sources) nothing is started.
 */
function startGuard(outDir: string): () => void {
  if (!existsSync(GUARD_SCRIPT)) return () => undefined;
  try {
    const guard = spawn(process.execPath, [GUARD_SCRIPT, String(process.pid), outDir], {
      detached: true,
      stdio: 'ignore',
    });
    guard.on('error', () => undefined);
    guard.unref();
    return () => {
      guard.kill();
    };
  } catch {
    return () => undefined; // no guard: an interrupted run is cleaned up by the next one
  }
}
