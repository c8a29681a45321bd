import type { AuditReport } from '../model/report.js';

/** Every output format implements this: the audited run in, files out (like an ESLint formatter). */
export interface Reporter {
  /** Short name shown in logs and used by --format. */
  name: string;
  /** Writes its files under outDir (each atomically) and returns their paths. */
  write(report: AuditReport, outDir: string): Promise<string[]>;
}
