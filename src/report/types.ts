import type { AuditResult } from '../model/report.js';

/** Every output format implements this: the audited run in, files out (like an ESLint formatter). */
export interface Reporter {
  /** Short name shown in logs and used by --format. */
  name: string;
  /** Writes its files under outDir (atomically) and returns their paths. */
  write(result: AuditResult, outDir: string): Promise<string[]>;
}
