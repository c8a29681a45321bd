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
