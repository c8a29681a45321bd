import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isCalendarDate } from '../load/schemas.js';
import { loadFiles } from '../load/index.js';
import { parseLimits } from '../load/yaml.js';
import { loadPreviousFindings } from '../load/baseline.js';
import { SEVERITIES, type Diagnostic, type Severity } from '../model/types.js';
import { terminalDiagnostic, terminalText } from '../model/text.js';
import { REPORTERS } from '../report/index.js';
import { checkOutDir, describeIoError, publishReports, PublishError } from '../report/publish.js';
import { generateSigningKeys, readSigningKey, verifyOutputs } from '../report/manifest.js';
import { controlsCommand } from './controls-command.js';
import { jsonSummary, printSummary, progressReporter, style } from './summary.js';
import { ProfileError, toolVersion, validateOnly } from './run-audit.js';
import { TemplateError } from '../report/pdf/templates.js';
import type { AuditResult } from '../model/report.js';
import { runAuditParallel } from './parallel.js';

/** Exit codes, documented in README.md. */
export const EXIT = { ok: 0, findings: 1, input: 2, internal: 3, output: 4 } as const;

const HELP = `ixaudit — audit mobile interconnect arrangements against a security control catalog

Usage:
  ixaudit audit <file|folder>... --out DIR [options]   audit every operator found in the inputs
  ixaudit validate <file|folder>... [options]           check inputs only: syntax, schema, references
  ixaudit controls list [--profile ID|FILE]             the controls in force, with severity
  ixaudit controls show <ID>                            one control in full
  ixaudit controls docs [FILE] [--profile ID|FILE]      write the catalog's documentation (default docs/controls.md)
  ixaudit keygen [--out DIR]                            make an Ed25519 key pair for --sign
  ixaudit verify <OUT_DIR> [--key PUBLIC_KEY]           re-hash outputs and inputs, check the signature
          [--outputs-only] [--no-signature]             (skip the inputs / accept an unchecked signature)
  ixaudit --version | --help

Options:
  --out DIR             where reports are written; the folder holds only the latest run
                        (audit; default: out)
  --profile ID|FILE     the auditor's AuditProfile, by id or file (default: "default"); a profile
                        inside a submission is an error and is never applied
  --registry FILE|DIR   the auditor's Carrier and Owner documents that replace or add registry
                        entries (repeatable); submissions cannot redefine a registry entry
  --waivers FILE|DIR    the auditor's accepted Waiver documents (repeatable); a waiver inside a
                        submission is only a request unless the profile sets acceptSubmissionWaivers
  --date YYYY-MM-DD     audit date when the profile sets none (default: today, UTC)
  --fail-on SEVERITY    lowest severity whose failure exits 1: critical|high|medium|low|info|none
                        (default: the profile's failOn, else high)
  --sign KEYFILE        sign OUT/manifest.json with an Ed25519 private key (see keygen)
  --baseline DIR        compare with an earlier run's --out folder: each finding is marked
                        new, unchanged, changed or resolved (by control + operator + subject)
  --format NAMES        only these outputs, comma-separated (default: all): ${REPORTERS.map((r) => r.name).join(', ')};
                        manifest.json is always written
  --template-dir DIR    Handlebars templates that override the shipped ones (report wording, branding)
  --limit NAME=N        raise or lower a parser limit (maxFileBytes, maxLineBytes, maxDepth,
                        maxAliasExpansion, maxErrorsPerFile); see docs/security.md
  --jobs N              worker threads for a sector run, at most the cores (default: the
                        cores, for runs of 20,000+ routes)
  --list-all            list every passing route finding (by default an operator with more than
                        2,000 routes has them counted per control; failures are always listed)
  --json                print a machine-readable summary on stdout (no progress, no coloured text)
  --quiet               print only errors
  --no-color            plain output even on a terminal (also NO_COLOR=1)

Positional inputs are the submissions: the audited operators' own documents. Folders are read
recursively for *.yaml, *.yml and *.csv.

Results (per operator and for the run): PASS, FAIL, INCOMPLETE (something submitted could not be
loaded), ERROR (something could not be evaluated), NOT GATED (--fail-on none: no verdict).

Exit codes (a gating failure is never hidden by another problem):
  0  PASS, or NOT GATED: no failed finding at or above the fail-on severity, nothing missing
  1  FAIL: at least one finding at or above the fail-on severity failed (input errors, if any,
     are printed and in the summary)
  2  no gating failure, but an input, profile, template or usage error (file:line:column):
     INCOMPLETE; everything else was still audited
  3  ERROR: a control or an operator's audit could not be evaluated (please report it)
  4  reports could not be written (unwritable --out, disk full); previous reports are left intact
`;

export async function main(argv: string[]): Promise<number> {
  // Ctrl-C and kill end through process.exit, so exit handlers (which remove staging folders) still run.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        profile: { type: 'string' },
        registry: { type: 'string', multiple: true },
        waivers: { type: 'string', multiple: true },
        date: { type: 'string' },
        'fail-on': { type: 'string' },
        'template-dir': { type: 'string' },
        limit: { type: 'string', multiple: true },
        baseline: { type: 'string' },
        jobs: { type: 'string' },
        json: { type: 'boolean', default: false },
        'list-all': { type: 'boolean', default: false },
        format: { type: 'string', multiple: true },
        sign: { type: 'string' },
        key: { type: 'string' },
        'outputs-only': { type: 'boolean', default: false },
        'no-signature': { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        'no-color': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (err) {
    return usageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const color = !values['no-color'] && !process.env.NO_COLOR && process.stdout.isTTY === true;
  if (values.version) {
    console.log(toolVersion());
    return EXIT.ok;
  }
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    console.log(HELP);
    return command === undefined && !values.help ? EXIT.input : EXIT.ok;
  }

  const failOn = values['fail-on'];
  if (failOn !== undefined && ![...SEVERITIES, 'none'].includes(failOn)) {
    return usageError(`--fail-on must be one of ${[...SEVERITIES, 'none'].join(', ')}, not "${failOn}"`);
  }
  if (values.date !== undefined && !isCalendarDate(values.date)) {
    return usageError(`--date must be a calendar date written YYYY-MM-DD, not "${values.date}"`);
  }
  const limits = parseLimits(values.limit ?? []);
  if (typeof limits === 'string') return usageError(limits);
  const profile = profileSelection(values.profile);
  if ('error' in profile) return usageError(profile.error);

  switch (command) {
    case 'audit':
    case 'validate': {
      if (rest.length === 0) return usageError(`${command} needs at least one input file or folder`);
      let signingKey;
      if (values.sign !== undefined) {
        try {
          signingKey = readSigningKey(values.sign);
        } catch (err) {
          return usageError(`--sign ${values.sign}: ${(err as Error).message}`);
        }
      }
      let baseline;
      if (values.baseline !== undefined) {
        const previous = loadPreviousFindings(values.baseline);
        if ('code' in previous) return usageError(terminalDiagnostic(previous));
        baseline = { source: values.baseline, previous };
      }
      for (const [option, paths] of [['--registry', values.registry ?? []], ['--waivers', values.waivers ?? []]] as const) {
        const missing = paths.find((p) => !existsSync(p));
        if (missing !== undefined) return usageError(`${option} ${missing}: no such file or folder`);
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
      };
      if (command === 'validate') {
        let problems: Diagnostic[];
        try {
          problems = validateOnly(auditOptions);
        } catch (err) {
          if (!(err instanceof ProfileError)) throw err;
          problems = err.diagnostics;
        }
        printErrors(problems, color);
        if (!values.quiet) console.log(problems.length === 0 ? `${rest.join(' ')}: valid` : `${problems.length} problem(s) found`);
        return problems.length > 0 ? EXIT.input : EXIT.ok;
      }
      const outDir = resolve(values.out ?? 'out');
      if (values['template-dir'] !== undefined && !existsSync(values['template-dir'])) return usageError(`--template-dir ${values['template-dir']}: no such folder`);
      const outShown = values.out ?? 'out';
      // Refused before the audit, in milliseconds: the root, an input folder or one holding an input, a
      // symbolic link, a folder with files ixaudit did not write, a folder that cannot be created (/proc/x).
      const outProblem = checkOutDir(outDir, [...rest, ...(values.registry ?? []), ...(values.waivers ?? []), ...(profile.files ?? []), ...(values['template-dir'] ? [values['template-dir']] : [])], outShown);
      if (outProblem?.kind === 'usage') return usageError(outProblem.message);
      if (outProblem) {
        console.error(`ixaudit: cannot write reports to ${outShown}: ${outProblem.message}. Previous reports there are unchanged.`);
        return EXIT.output;
      }
      const formats = (values.format ?? []).flatMap((f) => f.split(',')).map((f) => f.trim()).filter(Boolean);
      const unknownFormat = formats.find((f) => !REPORTERS.some((r) => r.name === f));
      if (unknownFormat) return usageError(`--format ${unknownFormat}: not an output format (${REPORTERS.map((r) => r.name).join(', ')})`);
      const reporters = formats.length === 0 ? REPORTERS : REPORTERS.filter((r) => formats.includes(r.name));
      const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
      if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) return usageError(`--jobs must be a whole number of at least 1, not "${values.jobs}"`);

      const progress = values.quiet || values.json ? undefined : progressReporter(process.stderr, color);
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
      if (result.run.auditDateSource === 'profile' && values.date && values.date !== result.run.auditDate) {
        console.error(`note: profile ${result.run.profile.id} sets the audit date ${result.run.auditDate}; --date ${values.date} is not used`);
      }
      let written: string[];
      try {
        written = await publishReports(reporters, report, outDir, { templateDir: values['template-dir'] }, signingKey);
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        // A template that cannot be rendered is the user's input (--template-dir), located at its line.
        if (err instanceof TemplateError) {
          console.error(`${style(color, 'red', 'error')} ${e.message}`);
          console.error(`ixaudit: the reports were not written: fix the template and run again. Previous reports in ${values.out ?? 'out'} are unchanged.`);
          return EXIT.input;
        }
        // A JavaScript engine error (a string too long, a missing property) is a reporter's bug, not the
        // output folder's fault: say so, with exit 3, instead of "cannot write".
        if (err instanceof RangeError || err instanceof TypeError || err instanceof ReferenceError) {
          console.error(`ixaudit: internal error while writing reports to ${values.out ?? 'out'}: ${e?.message ?? err}. Previous reports there are unchanged; please report this.`);
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
      if (values.json) console.log(JSON.stringify(jsonSummary(result, written, code), null, 2));
      else if (!values.quiet) printSummary(result, written, color);
      return code;
    }
    case 'controls':
      return controlsCommand(rest, profile, color);
    case 'keygen':
      return keygen(values.out ?? '.');
    case 'verify': {
      if (rest.length !== 1) return usageError('verify needs exactly one output folder');
      let trusted: string | undefined;
      if (values.key !== undefined) {
        if (!existsSync(values.key)) return usageError(`--key ${values.key}: no such file`);
        trusted = readFileSync(values.key, 'utf8');
      }
      const verification = verifyOutputs(rest[0], trusted, { outputsOnly: values['outputs-only'], noSignature: values['no-signature'] });
      for (const note of verification.notes) console.log(`  ${terminalText(note)}`);
      for (const problem of verification.problems) console.error(`${style(color, 'red', 'problem')} ${terminalText(problem)}`);
      console.log(verification.ok ? style(color, 'green', `${rest[0]}: verified`) : style(color, 'red', `${rest[0]}: verification FAILED (${verification.problems.length} problem(s))`));
      return verification.ok ? EXIT.ok : EXIT.findings;
    }
    default:
      return usageError(`unknown command "${command}"`);
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

/** Writes a new Ed25519 key pair; never overwrites an existing key. */
function keygen(dir: string): number {
  const privatePath = join(dir, 'ixaudit-signing-key.pem');
  const publicPath = join(dir, 'ixaudit-signing-key.pub.pem');
  for (const path of [privatePath, publicPath]) if (existsSync(path)) return usageError(`${path} exists; keygen never overwrites a key`);
  const { privatePem, publicPem } = generateSigningKeys();
  mkdirSync(dir, { recursive: true });
  writeFileSync(privatePath, privatePem, { mode: 0o600, flag: 'wx' });
  writeFileSync(publicPath, publicPem, { flag: 'wx' });
  console.log(`Wrote ${privatePath} (keep it secret; use with --sign) and ${publicPath} (give it to verifiers; use with verify --key).`);
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
    return { error: `--profile ${value}: expected exactly one valid AuditProfile in the file, found ${profiles.length}${problems ? `\n  ${problems}` : ''}` };
  }
  return { id: profiles[0].id, files: [value] };
}

function usageError(message: string): number {
  console.error(`ixaudit: ${message}\nRun "ixaudit --help" for usage.`);
  return EXIT.input;
}
