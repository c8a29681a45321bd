import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isCalendarDate } from '../load/schemas.js';
import { loadFiles } from '../load/index.js';
import { parseLimits } from '../load/yaml.js';
import { loadPreviousFindings } from '../load/baseline.js';
import { SEVERITIES, type Diagnostic, type Severity } from '../model/types.js';
import { workerCount } from '../model/workers.js';
import { terminalDiagnostic, terminalText } from '../model/text.js';
import { REPORTERS } from '../report/index.js';
import { checkOutDir, describeIoError, publishReports, PublishError } from '../report/publish.js';
import { generateSigningKeys, readSigningKey, verifyOutputs } from '../report/manifest.js';
import { controlsCommand } from './controls-command.js';
import { registryCommand } from './registry-command.js';
import { startHeartbeat } from './heartbeat.js';
import { jsonSummary, printSummary, progressReporter, style } from './summary.js';
import {
  catalogVersion,
  type FaultInjection,
  loadedText,
  ProfileError,
  toolVersion,
  validateInputs,
} from '../audit/run-audit.js';
import { commandHelp, isCommand, knownLongOptions, overviewHelp, STDOUT_FORMATS, type StdoutFormat } from './help.js';
import { findingsJsonChunks } from '../report/json/index.js';
import { BOM, findingsCsv } from '../report/csv/index.js';
import { sarifJsonChunks } from '../report/sarif/index.js';
import type { AuditReport } from '../model/report.js';
import { TemplateError } from '../report/pdf/templates.js';
import type { AuditResult } from '../model/report.js';
import { runAuditParallel } from '../audit/parallel.js';

/** Exit codes, documented in README.md. */
export const EXIT = { ok: 0, findings: 1, input: 2, internal: 3, output: 4 } as const;

/** What the tests give main() besides the command line: the fault-injection hooks of AuditOptions. */
export interface MainHooks {
  faults?: FaultInjection;
}

export async function main(argv: string[], hooks: MainHooks = {}): Promise<number> {
  // Ctrl-C and kill end through process.exit, so exit handlers (which remove staging folders) still run.
  // No handler for SIGINT or SIGTERM: the default action ends ixaudit at once, even inside long
  // synchronous work (a handler would run only when that work yields: 44 s on a 100,000-route audit).
  // Nothing is lost: reports are published by a journalled swap, and a guard process finishes or undoes
  // an interrupted one and removes the staging folder (src/report/publish-guard.ts).
  let parsed;
  try {
    parsed = parseArgs({ args: withVersionAlias(argv), allowPositionals: true, options: OPTIONS });
  } catch (err) {
    return usageError(optionErrorMessage(err as Error & { code?: string }), commandIn(argv));
  }
  const { values, positionals } = parsed;
  const color = !values['no-color'] && !process.env.NO_COLOR && process.stdout.isTTY === true;
  if (values.version) {
    console.log(`ixaudit ${toolVersion()} (catalog ${catalogVersion()})`);
    return EXIT.ok;
  }
  const [command, ...rest] = positionals;
  // `ixaudit help [command]`, `ixaudit <command> --help` and `ixaudit --help`; bare `ixaudit` shows the overview too, exit 2.
  if (command === 'help' || values.help || command === undefined) {
    const topic = command === 'help' ? rest[0] : command;
    if (topic === undefined) {
      console.log(overviewHelp());
      return command === undefined && !values.help ? EXIT.input : EXIT.ok;
    }
    if (!isCommand(topic)) return usageError(`unknown command "${topic}"`);
    console.log(commandHelp(topic));
    return EXIT.ok;
  }

  const usage = (message: string): number => usageError(message, command);
  if (values.stdout !== undefined && !(STDOUT_FORMATS as readonly string[]).includes(values.stdout)) {
    return usage(
      `--stdout must be one of ${STDOUT_FORMATS.join(', ')}, not "${values.stdout}" (the other formats are files: --format)`,
    );
  }
  if (values.stdout !== undefined && command !== 'audit')
    return usage('--stdout is an audit option: the findings exist only after an audit');
  if (values.stdout !== undefined && values.json)
    return usage(
      '--stdout and --json both write to standard output: use one (--json is the summary, --stdout FORMAT the findings)',
    );
  if (values.verbose && values.quiet) return usage('--verbose and --quiet cannot be used together');

  const failOn = values['fail-on'];
  if (failOn !== undefined && ![...SEVERITIES, 'none'].includes(failOn)) {
    return usage(`--fail-on must be one of ${[...SEVERITIES, 'none'].join(', ')}, not "${failOn}"`);
  }
  if (values.date !== undefined && !isCalendarDate(values.date)) {
    return usage(`--date must be a calendar date written YYYY-MM-DD, not "${values.date}"`);
  }
  const limits = parseLimits(values.limit ?? []);
  if (typeof limits === 'string') return usage(limits);
  const profile = profileSelection(values.profile);
  if ('error' in profile) return usage(profile.error);

  switch (command) {
    case 'audit':
    case 'validate': {
      if (rest.length === 0) return usage(`${command} needs at least one input file or folder`);
      let signingKey;
      if (values.sign !== undefined) {
        try {
          signingKey = readSigningKey(values.sign);
        } catch (err) {
          return usage(`--sign ${values.sign}: ${(err as Error).message}`);
        }
      }
      let baseline;
      if (values.baseline !== undefined) {
        const previous = loadPreviousFindings(values.baseline);
        if ('code' in previous) return usage(terminalDiagnostic(previous));
        baseline = { source: values.baseline, previous };
      }
      for (const [option, paths] of [
        ['--registry', values.registry ?? []],
        ['--waivers', values.waivers ?? []],
      ] as const) {
        const missing = paths.find((p) => !existsSync(p));
        if (missing !== undefined) return usage(`${option} ${missing}: no such file or folder`);
      }
      const auditOptions = {
        paths: rest,
        profileId: profile.id,
        profileFiles: profile.files,
        registryPaths: values.registry,
        waiverPaths: values.waivers,
        date: values.date,
        today: new Date().toISOString().slice(0, 10),
        failOn: failOn as Severity | 'none' | undefined,
        limits,
        baseline,
        listRouteFindingsUpTo: values['list-all'] ? Number.POSITIVE_INFINITY : undefined,
        outDir: command === 'audit' ? resolve(values.out ?? 'out') : undefined,
        ignore: values.ignore ?? [],
        faults: hooks.faults,
      };
      if (command === 'validate') {
        let problems: Diagnostic[];
        let loaded: string | undefined;
        try {
          const checked = validateInputs(auditOptions);
          [problems, loaded] = [checked.diagnostics, loadedText(checked.loaded) + leftOutText(checked.ignored)];
          if (values.verbose) console.error(ignoredText(checked.ignored));
        } catch (err) {
          if (!(err instanceof ProfileError)) throw err;
          problems = err.diagnostics;
        }
        printErrors(problems, color);
        // Say what was read: a file that loads nothing (old-Mac line endings, a wrong folder) must not read "valid".
        if (!values.quiet && loaded !== undefined) console.log(`loaded ${loaded}`);
        if (!values.quiet)
          console.log(
            problems.length === 0 ? `${terminalText(rest.join(' '))}: valid` : `${problems.length} problem(s) found`,
          );
        return problems.length > 0 ? EXIT.input : EXIT.ok;
      }
      const outDir = resolve(values.out ?? 'out');
      if (values['template-dir'] !== undefined && !existsSync(values['template-dir']))
        return usage(`--template-dir ${values['template-dir']}: no such folder`);
      const outShown = values.out ?? 'out';
      // Refused before the audit, in milliseconds: the root, an input folder or one holding an input, a
      // symbolic link, a folder with files ixaudit did not write, a folder that cannot be created (/proc/x).
      const outProblem = checkOutDir(
        outDir,
        [
          ...rest,
          ...(values.registry ?? []),
          ...(values.waivers ?? []),
          ...(profile.files ?? []),
          ...(values['template-dir'] ? [values['template-dir']] : []),
        ],
        outShown,
      );
      if (outProblem?.kind === 'usage') return usage(outProblem.message);
      if (outProblem) {
        console.error(
          `ixaudit: cannot write reports to ${outShown}: ${outProblem.message}. Previous reports there are unchanged.`,
        );
        return EXIT.output;
      }
      const formats = (values.format ?? [])
        .flatMap((f) => f.split(','))
        .map((f) => f.trim())
        .filter(Boolean);
      const unknownFormat = formats.find((f) => !REPORTERS.some((r) => r.name === f));
      if (unknownFormat)
        return usage(`--format ${unknownFormat}: not an output format (${REPORTERS.map((r) => r.name).join(', ')})`);
      const reporters = formats.length === 0 ? REPORTERS : REPORTERS.filter((r) => formats.includes(r.name));
      const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
      if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1))
        return usage(`--jobs must be a whole number of at least 1, not "${values.jobs}"`);

      const progress =
        values.quiet || values.json
          ? undefined
          : progressReporter(process.stderr, color, undefined, () =>
              startHeartbeat(process.stderr.fd, {
                tty: process.stderr.isTTY === true,
                decorate: (text) => style(color, 'dim', text),
              }),
            );
      let report;
      try {
        report = await runAuditParallel(auditOptions, jobs, progress);
      } catch (err) {
        if (!(err instanceof ProfileError)) throw err;
        progress?.({ stage: 'done' });
        printErrors(err.diagnostics, color);
        console.error(`ixaudit: ${err.message}: fix the profile (--profile) and run again.`);
        return EXIT.input;
      }
      progress?.({ stage: 'done' });
      const result = report.result;
      printErrors(result.errors, color);
      if (values.verbose) console.error(verboseText(report));
      if (result.run.auditDateSource === 'profile' && values.date && values.date !== result.run.auditDate) {
        console.error(
          `note: profile ${result.run.profile.id} sets the audit date ${result.run.auditDate}; --date ${values.date} is not used`,
        );
      }
      let written: string[];
      try {
        // The operators' own reports are drawn on worker threads by the audit's rule (workerCount).
        const reportJobs = workerCount(result.summary.operators.length, report.inventory.routes.length, jobs);
        written = await publishReports(
          reporters,
          report,
          outDir,
          { templateDir: values['template-dir'], jobs: reportJobs },
          signingKey,
          {
            onPreparing: () => progress?.({ stage: 'preparing' }),
            onReporter: (format, index, total) => progress?.({ stage: 'writing', format, index, total }),
            onProgress: (format, file) => progress?.({ stage: 'writing-file', format, ...file }),
          },
        );
        progress?.({ stage: 'done' });
      } catch (err) {
        progress?.({ stage: 'done' });
        const e = err as NodeJS.ErrnoException;
        // A template that cannot be rendered is the user's input (--template-dir), located at its line.
        if (err instanceof TemplateError) {
          console.error(`${style(color, 'red', 'error')} ${e.message}`);
          console.error(
            `ixaudit: the reports were not written: fix the template and run again. Previous reports in ${values.out ?? 'out'} are unchanged.`,
          );
          return EXIT.input;
        }
        // A JavaScript engine error (a string too long, a missing property) is a reporter's bug, not the
        // output folder's fault: say so, with exit 3, instead of "cannot write".
        if (err instanceof RangeError || err instanceof TypeError || err instanceof ReferenceError) {
          console.error(
            `ixaudit: internal error while writing reports to ${values.out ?? 'out'}: ${e?.message ?? err}. Previous reports there are unchanged; please report this.`,
          );
          return EXIT.internal;
        }
        // The swap moves every previous file back when it fails; only if that failed too is the folder
        // not as it was (PublishError.previousIntact false), and the message says so.
        const intact = !(err instanceof PublishError) || err.previousIntact;
        const why = err instanceof PublishError ? err.message : describeIoError(err);
        console.error(
          `ixaudit: cannot write reports to ${outShown}: ${why}. ${intact ? 'Previous reports there are unchanged.' : 'The previous reports there are incomplete until the next run restores them.'}`,
        );
        return EXIT.output;
      }
      const code = exitCodeOf(result);
      // --stdout: that format's findings and nothing else on stdout (the exit code gives the result).
      if (values.stdout !== undefined) await writeStdout(stdoutChunks(values.stdout as StdoutFormat, report));
      else if (values.json) console.log(JSON.stringify(jsonSummary(result, written, code), null, 2));
      else if (!values.quiet)
        printSummary(
          result,
          written,
          color,
          report.loaded ? loadedText(report.loaded) + leftOutText(report.ignored ?? []) : undefined,
        );
      return code;
    }
    case 'controls':
      return controlsCommand(rest, profile, color);
    case 'registry':
      return registryCommand(rest, { registry: values.registry ?? [], json: values.json === true });
    case 'keygen':
      if (rest.length > 0) return usage(`keygen takes no arguments (the folder is --out DIR), not "${rest[0]}"`);
      return keygen(values.out ?? '.', values.force);
    case 'verify': {
      if (rest.length !== 1) return usage('verify needs exactly one output folder');
      let trusted: string | undefined;
      if (values.key !== undefined) {
        if (!existsSync(values.key)) return usage(`--key ${values.key}: no such file`);
        trusted = readFileSync(values.key, 'utf8');
      }
      const verification = verifyOutputs(rest[0], trusted, {
        outputsOnly: values['outputs-only'],
        noSignature: values['no-signature'],
      });
      for (const note of verification.notes) console.log(`  ${terminalText(note)}`);
      for (const problem of verification.problems)
        console.error(`${style(color, 'red', 'problem')} ${terminalText(problem)}`);
      console.log(
        verification.ok
          ? style(color, 'green', `${rest[0]}: verified`)
          : style(color, 'red', `${rest[0]}: verification FAILED (${verification.problems.length} problem(s))`),
      );
      return verification.ok ? EXIT.ok : EXIT.findings;
    }
    default:
      return usage(`unknown command "${command}"`);
  }

  function printErrors(errors: Diagnostic[], useColor: boolean): void {
    for (const e of errors) console.error(`${style(useColor, 'red', 'error')} ${terminalDiagnostic(e)}`);
  }
}

/**
 * The exit code of an audit that wrote its reports. A gating failure is never hidden: 1 whenever an
 * operator FAILs, whatever else happened; else 3 when something could not be evaluated (ERROR); else 2
 * when an input could not be loaded (INCOMPLETE); else 0 (PASS, or NOT GATED with --fail-on none).
 */
export function exitCodeOf(result: AuditResult): number {
  const verdicts = new Set(result.summary.operators.map((o) => o.result));
  if (verdicts.has('FAIL') || result.summary.result === 'FAIL') return EXIT.findings;
  if (verdicts.has('ERROR') || result.summary.result === 'ERROR') return EXIT.internal;
  if (result.errors.length > 0 || result.summary.result === 'INCOMPLETE') return EXIT.input;
  return EXIT.ok;
}

/**
 * Writes a new Ed25519 key pair; never overwrites an existing key, and never writes the private key into a
 * git work tree (where `git add .` would commit it) unless --force.
 */
function keygen(dir: string, force: boolean): number {
  const privatePath = join(dir, 'ixaudit-signing-key.pem');
  const publicPath = join(dir, 'ixaudit-signing-key.pub.pem');
  for (const path of [privatePath, publicPath])
    if (existsSync(path)) return usageError(`${path} exists; keygen never overwrites a key`, 'keygen');
  const workTree = gitWorkTree(dir);
  if (workTree !== undefined && !force) {
    return usageError(
      `keygen refuses to write the private key into ${dir}: it is inside the git work tree ${workTree}, where it would be committed with the repository and leak the signing key. Choose a folder outside it (--out ~/.config/ixaudit/keys) or, if it is git-ignored, pass --force`,
      'keygen',
    );
  }
  const { privatePem, publicPem } = generateSigningKeys();
  mkdirSync(dir, { recursive: true });
  writeFileSync(privatePath, privatePem, { mode: 0o600, flag: 'wx' });
  writeFileSync(publicPath, publicPem, { flag: 'wx' });
  console.log(
    `Wrote ${privatePath} (keep it secret; use with --sign) and ${publicPath} (give it to verifiers; use with verify --key).`,
  );
  return EXIT.ok;
}

/** --profile takes an id, or a YAML file holding one AuditProfile. */
function profileSelection(value: string | undefined): { id?: string; files?: string[] } | { error: string } {
  if (value === undefined) return {};
  if (!/\.ya?ml$/i.test(value) && !existsSync(value)) return { id: value };
  if (!existsSync(value)) return { error: `--profile ${value}: no such file` };
  const loaded = loadFiles([value]);
  const profiles = loaded.documents.filter((d) => d.kind === 'AuditProfile');
  if (profiles.length !== 1) {
    const problems = loaded.diagnostics.map(terminalDiagnostic).join('\n  ');
    return {
      error: `--profile ${value}: expected exactly one valid AuditProfile in the file, found ${profiles.length}${problems ? `\n  ${problems}` : ''}`,
    };
  }
  return { id: profiles[0].id, files: [value] };
}

/** The folder holding `.git` (a directory, or a file for a worktree or submodule) at or above dir, if any. */
function gitWorkTree(dir: string): string | undefined {
  let current = resolve(dir);
  for (;;) {
    if (existsSync(join(current, '.git'))) return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** Every option, for every command (each command's help lists the ones it reads). */
const OPTIONS = {
  out: { type: 'string', short: 'o' },
  profile: { type: 'string', short: 'p' },
  registry: { type: 'string', multiple: true },
  waivers: { type: 'string', multiple: true },
  ignore: { type: 'string', multiple: true },
  date: { type: 'string' },
  'fail-on': { type: 'string' },
  'template-dir': { type: 'string' },
  limit: { type: 'string', multiple: true },
  baseline: { type: 'string' },
  jobs: { type: 'string' },
  json: { type: 'boolean', default: false },
  stdout: { type: 'string' },
  verbose: { type: 'boolean', default: false },
  'list-all': { type: 'boolean', default: false },
  format: { type: 'string', short: 'f', multiple: true },
  sign: { type: 'string' },
  key: { type: 'string' },
  'outputs-only': { type: 'boolean', default: false },
  'no-signature': { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
  quiet: { type: 'boolean', short: 'q', default: false },
  'no-color': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'V', default: false },
} as const;

/** `-v` is kept as an alias of `-V` (parseArgs allows one short name per option); options after `--` are left alone. */
function withVersionAlias(argv: string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((arg, i) => (arg === '-v' && (end < 0 || i < end) ? '-V' : arg));
}

/** The command named in argv, if any, so a usage error can point at that command's help. */
function commandIn(argv: string[]): string | undefined {
  return argv.find((arg) => isCommand(arg));
}

/** parseArgs' messages, made shorter: "unknown option --outt (did you mean --out?)". */
function optionErrorMessage(err: Error & { code?: string }): string {
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /'([^']+)'/.exec(err.message)?.[1] ?? '';
    const near = given.startsWith('--') ? knownLongOptions(Object.keys(OPTIONS))(given) : undefined;
    return `unknown option ${given}${near ? ` (did you mean --${near}?)` : ''}`;
  }
  return err.message;
}

/** --verbose: what the audit read and under which profile (on stderr: stdout keeps its format). */
function verboseText(report: AuditReport): string {
  const { run } = report.result;
  const read = run.inputs.filter((i) => !i.builtin);
  const builtin = run.inputs.length - read.length;
  const bytes = read.reduce((sum, i) => sum + i.bytes, 0);
  const inv = report.inventory;
  const lines = [
    `loaded ${read.length} file(s), ${bytes} bytes${builtin > 0 ? ` (and ${builtin} built-in registry and profile file(s))` : ''}:`,
    ...read.map((i) => `  ${terminalText(i.file)} (${i.bytes} bytes)`),
    `inventory: ${inv.operators.length} operator(s), ${inv.routes.length} route(s), ${inv.carriers.length} carrier(s), ${inv.agreements.length} agreement(s)`,
    `profile ${terminalText(run.profile.id)}${run.profile.file ? ` (${terminalText(run.profile.file)})` : ''}; chain ${run.profile.chain.map(terminalText).join(' → ')} (each extends the next)`,
    `  fail on ${run.profile.failOn}; ${run.profile.disabled.length} control(s) disabled; audit date ${run.auditDate} (from ${run.auditDateSource})`,
    `catalog ${run.catalog.version}: ${run.catalog.controls} control(s); ${report.result.findings.length} finding(s) listed${report.result.summarised ? `, ${report.result.summarised.reduce((n, s) => n + s.count, 0)} counted` : ''}`,
    ignoredText(report.ignored ?? []),
  ];
  return lines.filter(Boolean).join('\n');
}

/** "; 2 path(s) left out by --ignore or .ixauditignore" after what was loaded, or nothing. */
function leftOutText(ignored: readonly { path: string }[]): string {
  return ignored.length > 0 ? `; ${ignored.length} path(s) left out by --ignore or .ixauditignore` : '';
}

/** --verbose: each path left out, and the pattern that did it. */
function ignoredText(ignored: readonly { path: string; by: string }[]): string {
  if (ignored.length === 0) return '';
  return [
    `left out ${ignored.length} path(s):`,
    ...ignored.map((i) => `  ${terminalText(i.path)} (${terminalText(i.by)})`),
  ].join('\n');
}

/** One text format's findings, as the reporter writes its file (CSV without the byte-order mark a pipe does not want). */
function* stdoutChunks(format: StdoutFormat, report: AuditReport): Generator<string> {
  if (format === 'json') yield* findingsJsonChunks(report.result);
  else if (format === 'sarif') yield* sarifJsonChunks(report);
  else {
    let first = true;
    for (const chunk of findingsCsv(report)) {
      yield first && chunk.startsWith(BOM) ? chunk.slice(BOM.length) : chunk;
      first = false;
    }
  }
}

/** Writes chunk by chunk, waiting when the pipe is full; a reader that closed early (`| head`) ends it quietly. */
async function writeStdout(chunks: Iterable<string>): Promise<void> {
  const out = process.stdout;
  let closed = false;
  const onError = (): void => void (closed = true);
  out.on('error', onError);
  try {
    for (const chunk of chunks) {
      if (closed) return;
      if (!out.write(chunk)) {
        await new Promise<void>((done) => {
          const finish = (): void => {
            out.off('drain', finish);
            out.off('error', finish);
            done();
          };
          out.once('drain', finish);
          out.once('error', finish);
        });
      }
    }
  } finally {
    out.off('error', onError);
  }
}

function usageError(message: string, command?: string): number {
  const help = isCommand(command) && command !== 'help' ? `ixaudit ${command} --help` : 'ixaudit --help';
  console.error(`ixaudit: ${message}\nRun "${help}" for usage.`);
  return EXIT.input;
}
