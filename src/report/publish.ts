import { mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { AuditReport } from '../model/report.js';
import type { Reporter, ReportOptions } from './types.js';
import type { KeyObject } from 'node:crypto';
import { writeManifest } from './manifest.js';

/**
 * Runs every reporter into a staging folder inside --out, and only when all have succeeded moves
 * their files into place (one rename each). A reporter that fails, a full disk or Ctrl-C therefore
 * leaves the previous complete outputs untouched, and nothing but ixaudit's own files is ever replaced.
 */
export async function publishReports(
  reporters: readonly Reporter[],
  report: AuditReport,
  outDir: string,
  options: ReportOptions,
  signingKey?: KeyObject,
): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const staging = mkdtempSync(join(outDir, '.ixaudit-staging-'));
  const removeStaging = () => rmSync(staging, { recursive: true, force: true });
  process.once('exit', removeStaging);
  try {
    for (const reporter of reporters) await reporter.write(report, staging, options);
    // Last, so it can hash every other output: the evidence manifest (and its signature).
    writeManifest(report.result, staging, signingKey);
    const published: string[] = [];
    for (const file of filesUnder(staging)) {
      const target = join(outDir, relative(staging, file));
      mkdirSync(dirname(target), { recursive: true });
      renameSync(file, target);
      published.push(target);
    }
    return published.sort();
  } finally {
    removeStaging();
    process.removeListener('exit', removeStaging);
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}
