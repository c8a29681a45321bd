import { join } from 'node:path';
import type { AuditResult } from '../../model/report.js';
import type { Reporter } from '../types.js';
import { writeFileAtomic } from '../write-atomic.js';

/** Serialises the run as findings.json. Key order follows the model, lists are sorted upstream: same input, same bytes. */
export function findingsJson(result: AuditResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

export const jsonReporter: Reporter = {
  name: 'json',
  async write(report, outDir) {
    const path = join(outDir, 'findings.json');
    writeFileAtomic(path, findingsJson(report.result));
    return [path];
  },
};
