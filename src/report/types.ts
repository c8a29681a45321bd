import type { AuditReport } from '../model/report.js';

/** Options a user passes to reporters from the command line. */
export interface ReportOptions {
  /** --template-dir: a folder whose Handlebars templates override the shipped ones in templates/. */
  templateDir?: string;
  /**
   * The folder the files end up in when `outDir` is not it: publishReports has reporters write into a
   * staging folder inside OUT and then moves the files into OUT; links between files are made from here.
   */
  publishedDir?: string;
}

/** Every output format implements this: the audited run in, files out (like an ESLint formatter). */
export interface Reporter {
  /** Short name shown in logs. */
  name: string;
  /** Writes its files under outDir (each atomically) and returns their paths. */
  write(report: AuditReport, outDir: string, options: ReportOptions): Promise<string[]>;
}
