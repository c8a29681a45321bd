import { DEFAULT_YAML_LIMITS } from '../load/yaml.js';
import { REPORTERS } from '../report/index.js';
import { nearestName } from '../model/nearest.js';
import { REGISTRY_HELP } from './registry-command.js';

// The command line's help texts: `ixaudit --help` (the overview) and `ixaudit <command> --help` /
// `ixaudit help <command>` (one command: its usage, its options only, examples, exit codes).

/** The commands, in the order the overview lists them. */
export const COMMANDS = ['audit', 'validate', 'controls', 'registry', 'keygen', 'verify', 'help'] as const;
export type CommandName = (typeof COMMANDS)[number];

export function isCommand(name: string | undefined): name is CommandName {
  return name !== undefined && (COMMANDS as readonly string[]).includes(name);
}

/** The formats `--stdout` can write to standard output (the text ones: a PDF or workbook is not for a pipe). */
export const STDOUT_FORMATS = ['json', 'csv', 'sarif'] as const;
export type StdoutFormat = (typeof STDOUT_FORMATS)[number];

/** Every `--limit` name, from the parser's own defaults (a limit added there is listed here). */
export function limitNames(): string[] {
  return Object.keys(DEFAULT_YAML_LIMITS);
}

function wrap(words: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((l, i) => (i === 0 ? l : `${indent}${l}`));
}

/** Each option's lines, as every command's help shows them (the name column is 22 characters wide). */
function optionText(): Record<string, string> {
  const pad = ' '.repeat(24);
  const limits = wrap(`${limitNames().join(', ')}; see docs/security.md`, 70, pad).join('\n');
  const formats = REPORTERS.map((r) => r.name).join(', ');
  return {
    out: `  -o, --out DIR         where reports are written; the folder holds only the latest run
                        (default: out)`,
    'keygen-out': `  -o, --out DIR         the folder for the key pair (default: the current folder)`,
    profile: `  -p, --profile ID|FILE
                        the auditor's AuditProfile, by id or file (default: "default"); a
                        profile inside a submission is an error and is never applied`,
    registry: `  --registry FILE|DIR   the auditor's Carrier and Owner documents that replace or add registry
                        entries (repeatable); submissions cannot redefine a registry entry`,
    waivers: `  --waivers FILE|DIR    the auditor's accepted Waiver documents (repeatable); a waiver inside a
                        submission is only a request unless the profile sets acceptSubmissionWaivers`,
    date: `  --date YYYY-MM-DD     audit date when the profile sets none (default: today, UTC)`,
    'fail-on': `  --fail-on SEVERITY    lowest severity whose failure exits 1: critical|high|medium|low|info|none
                        (default: the profile's failOn, else high)`,
    sign: `  --sign KEYFILE        sign OUT/manifest.json with an Ed25519 private key (see ixaudit keygen)`,
    baseline: `  --baseline DIR        compare with an earlier run's --out folder: each finding is marked
                        new, regressed, improved, changed, unchanged or resolved (by control +
                        operator + subject)`,
    format: `  -f, --format NAMES    only these outputs, comma-separated (default: all):
                        ${formats}; manifest.json is always written`,
    stdout: `  --stdout FORMAT       also write one format's findings to standard output, for a pipe:
                        ${STDOUT_FORMATS.join('|')} (findings.json, findings.csv without its byte-order
                        mark, findings.sarif); nothing else is printed on stdout, the exit code
                        gives the result; not with --json`,
    'template-dir': `  --template-dir DIR    Handlebars templates that override the shipped ones (report wording, branding)`,
    limit: `  --limit NAME=N        raise or lower a parser limit (repeatable); NAME is one of
                        ${limits}`,
    jobs: `  --jobs N              worker threads for a sector run (auditing the operators, then drawing
                        their PDFs and workbooks), at most the cores (default: the cores, for
                        runs of 20,000+ routes); with 2 or more (the default on 2+ cores) a
                        large table is also parsed on a helper thread; --jobs 1: one thread`,
    'list-all': `  --list-all            list every passing route finding (by default an operator with more than
                        2,000 routes has them counted per control; failures are always listed)`,
    json: `  --json                print a machine-readable summary on stdout (no progress, no coloured text)`,
    verbose: `  --verbose             also print, on stderr, what was loaded (files, operators, routes,
                        carriers, agreements) and the profile chain`,
    quiet: `  -q, --quiet           print only errors`,
    ignore: `  --ignore GLOB         leave out paths below the input folders that match (repeatable;
                        .gitignore's syntax: "docker-compose.yml", "archive/", "**/drafts/*.csv")`,
    'no-color': `  --no-color            plain output even on a terminal (also NO_COLOR=1)`,
    key: `  --key PUBLIC_KEY      the trusted public key (ixaudit-signing-key.pub.pem) to check manifest.sig`,
    'outputs-only': `  --outputs-only        check the outputs only, not the inputs the manifest lists`,
    'no-signature': `  --no-signature        accept a manifest.sig that is not checked (no --key)`,
    force: `  --force               write the private key even inside a git work tree`,
    help: `  -h, --help            this help`,
  };
}

const EXIT_AUDIT = `Exit codes (a gating failure is never hidden by another problem):
  0  PASS, or NOT GATED: no failed finding at or above the fail-on severity, nothing missing
  1  FAIL: at least one finding at or above the fail-on severity failed (input errors, if any,
     are printed and in the summary)
  2  no gating failure, but an input, profile, template or usage error (file:line:column):
     INCOMPLETE; everything else was still audited
  3  ERROR: a control or an operator's audit could not be evaluated (please report it)
  4  reports could not be written (unwritable --out, disk full); previous reports are left intact
  130, 143  interrupted by Ctrl-C (SIGINT) or SIGTERM: the previous reports are left intact`;

const RESULTS = `Results (per operator and for the run): PASS, FAIL, INCOMPLETE (something submitted could not be
loaded), ERROR (something could not be evaluated), NOT GATED (--fail-on none: no verdict).`;

const INPUTS = `Positional inputs are the submissions: the audited operators' own documents. Folders are read
recursively for *.yaml, *.yml and *.csv, except hidden folders, the paths --ignore names and those an
.ixauditignore file in a folder names (.gitignore's syntax); a file named on the command line is read.`;

interface CommandHelp {
  usage: string[];
  summary: string;
  options: string[];
  examples: string[];
  after?: string[];
}

const COMMAND_HELP: Record<Exclude<CommandName, 'registry'>, CommandHelp> = {
  audit: {
    usage: ['ixaudit audit <file|folder>... [-o DIR] [options]'],
    summary: 'Audit every operator found in the inputs and write the reports to --out.',
    options: [
      'out',
      'profile',
      'registry',
      'waivers',
      'date',
      'fail-on',
      'format',
      'stdout',
      'sign',
      'baseline',
      'template-dir',
      'ignore',
      'limit',
      'jobs',
      'list-all',
      'json',
      'verbose',
      'quiet',
      'no-color',
      'help',
    ],
    examples: [
      'ixaudit audit inputs -o out',
      'ixaudit audit inputs -p regulator/profile.yaml --registry regulator/registry --waivers regulator/waivers -o out',
      'ixaudit audit inputs -o out -f json,pdf --fail-on critical',
      'ixaudit audit inputs -o out --stdout sarif > findings.sarif',
      'ixaudit audit inputs -o out --stdout json -q | jq \'.findings[] | select(.status == "fail")\'',
      'ixaudit audit inputs -o out --baseline previous-out --sign keys/ixaudit-signing-key.pem',
    ],
    after: [INPUTS, RESULTS, EXIT_AUDIT],
  },
  validate: {
    usage: ['ixaudit validate <file|folder>... [options]'],
    summary: 'Check the inputs only (syntax, schema, references), without auditing or writing anything.',
    options: ['profile', 'registry', 'waivers', 'date', 'ignore', 'limit', 'quiet', 'no-color', 'help'],
    examples: [
      'ixaudit validate inputs',
      'ixaudit validate inputs/jp-sakura -p regulator/profile.yaml --registry regulator/registry',
    ],
    after: [
      INPUTS,
      `Exit codes:
  0  the inputs are valid
  2  a problem was found (each printed as file:line:column: message), or a usage error`,
    ],
  },
  controls: {
    usage: [
      'ixaudit controls list [-p ID|FILE]',
      'ixaudit controls show <ID> [-p ID|FILE]',
      'ixaudit controls docs [FILE] [-p ID|FILE]',
    ],
    summary: `The control catalog as a profile tailors it: list the controls in force with their severity,
show one control in full, or write the catalog's documentation as Markdown to FILE (default:
controls.md in the current folder; the package's own docs are made with
"ixaudit controls docs docs/controls.md").`,
    options: ['profile', 'no-color', 'help'],
    examples: [
      'ixaudit controls list -p strict',
      'ixaudit controls show ICX-RT-01',
      'ixaudit controls docs catalog.md -p regulator/profile.yaml',
    ],
    after: [
      `Exit codes:
  0  done
  2  an unknown control, a profile error or a usage error`,
    ],
  },
  keygen: {
    usage: ['ixaudit keygen [-o DIR] [--force]'],
    summary: `Make an Ed25519 key pair for audit --sign: DIR/ixaudit-signing-key.pem (private, mode 600) and
DIR/ixaudit-signing-key.pub.pem (public, for verify --key). An existing key is never overwritten, and
a private key is not written inside a git work tree (it would be committed) unless --force.`,
    options: ['keygen-out', 'force', 'help'],
    examples: ['ixaudit keygen -o ~/.config/ixaudit/keys'],
    after: [
      `Exit codes:
  0  the keys were written
  2  a key exists there, the folder is in a git work tree (without --force), or a usage error`,
    ],
  },
  verify: {
    usage: ['ixaudit verify <OUT_DIR> [--key PUBLIC_KEY] [--outputs-only] [--no-signature]'],
    summary: `Re-hash the outputs and inputs an audit's manifest.json lists, and check manifest.sig with --key.`,
    options: ['key', 'outputs-only', 'no-signature', 'no-color', 'help'],
    examples: [
      'ixaudit verify out --key keys/ixaudit-signing-key.pub.pem',
      'ixaudit verify out --outputs-only --no-signature',
    ],
    after: [
      `Exit codes:
  0  verified: every file matches, and the signature (if present) is checked and valid
  1  verification failed: the problems are named (a changed, missing or extra file, a bad signature)
  2  a usage error (no such --key file, not exactly one folder)`,
    ],
  },
  help: {
    usage: ['ixaudit help [<command>]', 'ixaudit <command> --help'],
    summary: "Print the overview, or one command's usage, options, examples and exit codes.",
    options: [],
    examples: ['ixaudit help audit', 'ixaudit verify --help'],
  },
};

/** One command's help: usage, what it does, its options only, examples and (for most) exit codes. */
export function commandHelp(command: CommandName): string {
  if (command === 'registry') return REGISTRY_HELP;
  const help = COMMAND_HELP[command];
  const options = optionText();
  const parts = [
    `Usage:\n${help.usage.map((u) => `  ${u}`).join('\n')}`,
    help.summary,
    ...(help.options.length > 0 ? [`Options:\n${help.options.map((o) => options[o]).join('\n')}`] : []),
    `Examples:\n${help.examples.map((e) => `  ${e}`).join('\n')}`,
    ...(help.after ?? []),
  ];
  return `${parts.join('\n\n')}\n`;
}

/** `ixaudit --help`: every command in one line, the options every command shares, the exit codes. */
export function overviewHelp(): string {
  const options = optionText();
  return `ixaudit — audit mobile interconnect arrangements against a security control catalog

Usage:
  ixaudit audit <file|folder>... [--out DIR] [options] audit every operator found in the inputs
  ixaudit validate <file|folder>... [options]           check inputs only: syntax, schema, references
  ixaudit controls list [--profile ID|FILE]             the controls in force, with severity
  ixaudit controls show <ID>                            one control in full
  ixaudit controls docs [FILE] [--profile ID|FILE]      write the catalog's documentation (default controls.md)
  ixaudit registry list | show <ID> | diff --registry F  the carrier registry's facts, sources and dates
  ixaudit keygen [--out DIR] [--force]                  make an Ed25519 key pair for --sign
  ixaudit verify <OUT_DIR> [--key PUBLIC_KEY]           re-hash outputs and inputs, check the signature
          [--outputs-only] [--no-signature]             (skip the inputs / accept an unchecked signature)
  ixaudit help <command> | ixaudit <command> --help     one command's options, examples and exit codes
  ixaudit --version | --help

Common options:
${options.profile}
${options.quiet}
${options['no-color']}
${options.help}
  -V, --version         the tool and catalog versions (also -v)

Run "ixaudit help audit" for the audit options (--out, --format, --stdout, --fail-on, --limit, ...).

${INPUTS}

${RESULTS}

${EXIT_AUDIT}
`;
}

/** The option names a command accepts, for the "did you mean" of an unknown option. */
export function knownLongOptions(names: readonly string[]): (given: string) => string | undefined {
  return (given) => nearestName(given.replace(/^-+/, '').replace(/=.*$/, ''), names);
}
