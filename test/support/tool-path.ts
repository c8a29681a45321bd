import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

// Some report tests check the outputs with the programs a reader's machine has: poppler-utils
// (pdftotext, pdfinfo, pdffonts, pdfdetach, pdfimages), qpdf, LibreOffice (soffice) and Chromium.
// Where one is not installed, the checks that need it are skipped and say why; everything else in the
// test still runs. On CI (CI=true) a missing program fails instead: .ci/run installs them all, so a
// green CI run means every check ran.

/** The Debian package that provides each program the tests call. */
export const PACKAGES = {
  pdftotext: 'poppler-utils',
  pdfinfo: 'poppler-utils',
  pdffonts: 'poppler-utils',
  pdfdetach: 'poppler-utils',
  pdfimages: 'poppler-utils',
  pdftoppm: 'poppler-utils',
  qpdf: 'qpdf',
  soffice: 'libreoffice-calc',
  chromium: 'chromium',
} as const;

export type Tool = keyof typeof PACKAGES;

/** CI=true (or any value but 0/false), as CI services set it. */
export const ON_CI = ((value) => value !== '' && value !== '0' && value !== 'false')(
  (process.env.CI ?? '').toLowerCase(),
);

/**
 * Programs to treat as absent although installed, comma-separated: IXAUDIT_SKIP_TOOLS=soffice,chromium
 * (IXAUDIT_SKIP_LIBREOFFICE=1 still means soffice). Ignored on CI, where nothing may be skipped.
 */
const declined = new Set(
  ON_CI
    ? []
    : [
        ...(process.env.IXAUDIT_SKIP_TOOLS ?? '').split(','),
        ...(process.env.IXAUDIT_SKIP_LIBREOFFICE === '1' ? ['soffice'] : []),
      ]
        .map((t) => t.trim())
        .filter(Boolean),
);

const found = new Map<string, boolean>();

/** Whether `name` is an executable on PATH (what spawnSync would run). */
export function hasTool(name: Tool): boolean {
  if (declined.has(name)) return false;
  let known = found.get(name);
  if (known === undefined) {
    known = (process.env.PATH ?? '').split(delimiter).some((dir) => {
      if (dir === '') return false;
      try {
        accessSync(join(dir, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
    found.set(name, known);
  }
  return known;
}

/** The tools of the list that are not installed. */
export function missingTools(tools: readonly Tool[]): Tool[] {
  return [...new Set(tools)].filter((t) => !hasTool(t));
}

/** "pdftotext, qpdf not installed (apt-get install poppler-utils qpdf)". */
export function missingNote(missing: readonly Tool[]): string {
  const skipped = missing.filter((t) => declined.has(t));
  const absent = missing.filter((t) => !declined.has(t));
  const packages = [...new Set(absent.map((t) => PACKAGES[t]))];
  return [
    absent.length > 0 ? `${absent.join(', ')} not installed (apt-get install ${packages.join(' ')})` : '',
    skipped.length > 0 ? `${skipped.join(', ')} skipped by IXAUDIT_SKIP_TOOLS` : '',
  ]
    .filter(Boolean)
    .join('; ');
}
