import type { Presentation } from './view/index.js';

/** Options a user passes to reporters from the command line. */
export interface ReportOptions {
  /** --template-dir: a folder whose Handlebars templates override the shipped ones in templates/. */
  templateDir?: string;
  /**
   * The folder the files end up in when `outDir` is not it: publishReports has reporters write into a
   * staging folder inside OUT and then moves the files into OUT; links between files are made from here.
   */
  publishedDir?: string;
  /** Called as a long file is written, so the terminal can say how far it is (see WriteProgress). */
  onProgress?: (progress: WriteProgress) => void;
  /**
   * Worker threads for the operators' own files (report.pdf, findings.xlsx; see operator-workers.ts): the
   * audit's number (workerCount). Absent or 1: every file is drawn in this thread.
   */
  jobs?: number;
}

/**
 * How far a reporter is with one file: a national table's CSV or findings.json takes tens of seconds,
 * and the terminal must not go quiet meanwhile. Reported about every megabyte, every few hundred rows or
 * every page, and once when the file is complete.
 */
export interface WriteProgress {
  /** The file, relative to the output folder, with / separators. */
  file: string;
  /**
   * How much of it is written so far, in `unit`s. `occurrences` comes before a route table is written:
   * how many failing occurrences are matched to their routes so far, for its Failed controls column.
   */
  done: number;
  unit: 'bytes' | 'rows' | 'pages' | 'occurrences';
}

/**
 * Every output format implements this: the presentation model in, files out (like an ESLint formatter).
 * A reporter renders the model's figures and views; it never re-derives a count or a fact another
 * reporter also shows.
 */
export interface Reporter {
  /** Short name shown in logs. */
  name: string;
  /** Writes its files under outDir (each atomically) and returns their paths. */
  write(view: Presentation, outDir: string, options: ReportOptions): Promise<string[]>;
}
