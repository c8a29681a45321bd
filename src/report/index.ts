import { csvReporter } from './csv/index.js';
import { hdfReporter } from './hdf/index.js';
import { htmlIndexReporter } from './html/index.js';
import { jsonReporter } from './json/index.js';
import { oscalReporter } from './oscal/index.js';
import { pdfReporter } from './pdf/index.js';
import { sarifReporter } from './sarif/index.js';
import type { Reporter } from './types.js';
import { xlsxReporter } from './xlsx/index.js';

/** Every output format, in the order they run. A new format is one folder and one line here. */
export const REPORTERS: readonly Reporter[] = [
  jsonReporter,
  pdfReporter,
  // Before the workbooks: a workbook leaves a very long Occurrences table to occurrences.csv when it exists.
  csvReporter,
  xlsxReporter,
  sarifReporter,
  oscalReporter,
  hdfReporter,
  htmlIndexReporter,
];
