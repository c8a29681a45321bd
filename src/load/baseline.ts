import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PreviousFindings } from '../engine/baseline.js';
import type { Diagnostic } from '../model/types.js';
import { schemaValidator } from './schemas.js';

/** Reads a previous run's findings.json (from its --out folder) for --baseline, checking it is one. */
export function loadPreviousFindings(dir: string): PreviousFindings | Diagnostic {
  const file = join(dir, 'findings.json');
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no findings.json there: give the --out folder of an earlier ixaudit run' : `not readable JSON (${(err as Error).message})`;
    return { file, line: 0, column: 0, code: 'usage', message: `--baseline: ${reason}` };
  }
  const validate = schemaValidator('findings');
  if (!validate(data)) {
    const first = validate.errors?.[0];
    return { file, line: 0, column: 0, code: 'usage', message: `--baseline: not an ixaudit findings.json (${first?.instancePath || '/'} ${first?.message ?? ''})` };
  }
  const run = data as { run: { auditDate: string }; findings: PreviousFindings['findings'] };
  return { auditDate: run.run.auditDate, findings: run.findings };
}
