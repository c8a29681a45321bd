import { join, relative, resolve, sep } from 'node:path';

/** A file's name inside an output folder, with / separators: as artifacts, progress and the manifest give it. */
export function outputName(outDir: string, path: string): string {
  return relative(outDir, path).split(sep).join('/');
}

/** The json reporter's file: every finding with its occurrences (OSCAL hashes it for its UUIDs). */
export const FINDINGS_JSON_NAME = 'findings.json';

/** The csv reporter's record-per-subject files, which the workbooks point to past their row limits. */
export const OCCURRENCES_CSV_NAME = 'occurrences.csv';
export const ROUTES_CSV_NAME = 'routes.csv';

/**
 * Names a run writes at the top of --out. An operator's folder never takes one of them (an operator
 * `index.html` would otherwise block the index page), and publish uses them to recognise ixaudit's own files.
 * test/publish.test.ts checks that a full run writes nothing else at the top.
 */
export const RUN_LEVEL_NAMES: ReadonlySet<string> = new Set([
  FINDINGS_JSON_NAME,
  'findings.csv',
  OCCURRENCES_CSV_NAME,
  ROUTES_CSV_NAME,
  'findings.xlsx',
  'findings.sarif',
  'assessment-results.json',
  'assessment-plan.json',
  'hdf.json',
  'index.html',
  'sector.pdf',
  'sector.xlsx',
  'manifest.json',
  'manifest.sig',
]);

/** Names Windows cannot create (any extension): an operator called `con` must still get a folder. */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/;

/** An id kept as it is: lower-case letters, digits, `_` and `-`, in dot-separated non-empty parts. */
const PLAIN = /^[a-z0-9][a-z0-9_-]*(\.[a-z0-9_-]+)*$/;

/**
 * The folder name of an operator's reports, one-to-one: distinct ids always get distinct names.
 * An ordinary id (`jp-sakura`, `op.v2`) is kept as it is. Any other id — with `..`, a trailing dot, a
 * character outside [a-z0-9._-], or equal to a run-level name such as `index.html` — is written as `~`
 * followed by the id with every character other than [a-z0-9_-] replaced by `~` and two hex digits per
 * UTF-8 byte (`a..b` → `~a~2e~2eb`, `index.html` → `~index~2ehtml`). Kept names never contain `~`, and
 * the escaping is decodable, so no two ids share a folder. `~` needs no escaping in a URL, so index.html
 * links are simply `encodeURIComponent(operatorFolderName(id)) + '/report.pdf'`.
 */
export function operatorFolderName(operatorId: string): string {
  if (PLAIN.test(operatorId) && !RUN_LEVEL_NAMES.has(operatorId) && !WINDOWS_DEVICE.test(operatorId)) return operatorId;
  let escaped = '~';
  for (const char of operatorId) {
    if (/^[a-z0-9_-]$/.test(char)) escaped += char;
    else for (const byte of Buffer.from(char, 'utf8')) escaped += `~${byte.toString(16).padStart(2, '0')}`;
  }
  return escaped;
}

/** The folder for one operator's reports, OUT/<operatorFolderName(id)>: always a direct child of --out. */
export function operatorDir(outDir: string, operatorId: string): string {
  const dir = resolve(join(outDir, operatorFolderName(operatorId)));
  if (!dir.startsWith(resolve(outDir) + sep) || dir.slice(resolve(outDir).length + 1).includes(sep))
    throw new Error(`refusing to write outside ${outDir}: ${operatorId}`);
  return dir;
}
