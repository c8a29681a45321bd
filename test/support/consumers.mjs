// How the real consumers of ixaudit's outputs are called, shared by the tests (TypeScript) and by
// bench/consumers.mjs (plain JavaScript, which cannot import the TypeScript test support).
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** RFC 3339 date-time with a zone, as JSON Schema's "date-time" format means; the calendar date must exist. */
export function isDateTime(text) {
  const match =
    /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/i.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * soffice's arguments to open each file headless and write every sheet as a CSV into `dir` (filter token
 * 12 = -1: one file per sheet, <name>-<sheet>.csv), in a user profile of its own there, so that runs in
 * parallel do not collide.
 */
export function sofficeCsvArgs(dir, ...files) {
  return [
    `-env:UserInstallation=file://${dir}/profile`,
    '--headless',
    '--convert-to',
    'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1',
    '--outdir',
    dir,
    ...files,
  ];
}

/**
 * Microsoft's SARIF multitool (npm @microsoft/sarif-multitool, whose Linux binary needs no .NET; a
 * devDependency, so npm ci installs it): IXAUDIT_SARIF_MULTITOOL, else the project's; undefined when
 * neither can be run (another platform).
 */
export function multitoolBinary() {
  const candidates = [process.env.IXAUDIT_SARIF_MULTITOOL];
  try {
    const dir = dirname(createRequire(import.meta.url).resolve('@microsoft/sarif-multitool-linux/package.json'));
    candidates.push(join(dir, 'Sarif.Multitool'));
  } catch {
    // not installed
  }
  return candidates.find((path) => {
    if (!path) return false;
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * The environment the multitool runs in. Given rules with a helpUri, `validate` tries to fetch them, and
 * offline (CI, this machine) each log then waits out its HTTP client's timeout for the same verdict: the
 * samples' log took 6.7 s, 5.2 s of it waiting. A proxy on a closed local port makes each fetch fail at
 * once (1.5 s, the same results, rule by rule), and the verdict no longer depends on the network.
 */
export function multitoolEnv() {
  const closed = 'http://127.0.0.1:9';
  return {
    ...process.env,
    HTTPS_PROXY: closed,
    HTTP_PROXY: closed,
    https_proxy: closed,
    http_proxy: closed,
    NO_PROXY: '',
    no_proxy: '',
  };
}

/** Where `bash scripts/hdf-tools.sh` installs MITRE's SAF CLI: tools/hdf (its own package.json and lock). */
export const HDF_TOOLS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tools', 'hdf');

/**
 * MITRE's SAF CLI (@mitre/saf 1.5.3, some 650 packages: not a dependency of ixaudit): from IXAUDIT_HDF_TOOLS
 * (a folder whose node_modules has it), else tools/hdf, where `bash scripts/hdf-tools.sh` installs it (.ci/run
 * and the bench do); undefined when neither has it.
 */
export function safBinary() {
  return [process.env.IXAUDIT_HDF_TOOLS, HDF_TOOLS_DIR]
    .filter(Boolean)
    .map((root) => join(root, 'node_modules', '.bin', 'saf'))
    .find((path) => {
      try {
        accessSync(path, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** What to do when the SAF CLI is missing, for skip notes and reports. */
export const SAF_INSTALL_HINT =
  'bash scripts/hdf-tools.sh installs it in tools/hdf; IXAUDIT_HDF_TOOLS names another folder';
