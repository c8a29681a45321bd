import { join } from 'node:path';
import type { OperatorSource, OperatorView, Presentation } from '../view/index.js';
import { type OperatorFile, writeOperatorFiles } from '../operator-workers.js';
import { operatorDir } from '../paths.js';
import { fileProgress } from '../progress.js';
import type { ReportOptions, Reporter } from '../types.js';
import { dateCell } from './cells.js';
import { operatorScope, runScope, type WorkbookScope } from './scope.js';
import { SECTOR_WORKBOOK_NAME, sectorWorkbookModel } from './sector.js';
import { summaryBlocks } from './summary.js';
import { workbookTables } from './tables.js';
import { DEFAULT_LIMITS, writeWorkbook, type WorkbookModel, type WriteLimits } from './writer.js';

export const WORKBOOK_NAME = 'findings.xlsx';

/**
 * Everything one workbook holds, in sheet order: Summary, Findings, Occurrences, Controls, Routes, Carriers,
 * Agreements, Waivers, Evidence (Errors). `rowsPerSheet` is the writer's limit (Occurrences links into the
 * part of Findings that holds its finding).
 */
export function workbookModel(
  scope: WorkbookScope,
  rowsPerSheet: number = DEFAULT_LIMITS.maxRowsPerSheet,
): WorkbookModel {
  const day = dateCell(scope.run.auditDate);
  if (!(day instanceof Date)) throw new Error(`audit date ${scope.run.auditDate} is not a calendar date`);
  return { day, summary: summaryBlocks(scope), tables: workbookTables(scope, rowsPerSheet) };
}

/**
 * OUT/findings.xlsx for the whole run, then OUT/<operator>/findings.xlsx for each operator. `limits` is for
 * tests: a small maxRowsPerSheet shows a table continuing on "Occurrences (2)", "Routes (2)", ….
 */
export async function writeWorkbooks(
  presentation: Presentation,
  outDir: string,
  limits: WriteLimits = DEFAULT_LIMITS,
  options: ReportOptions = {},
): Promise<string[]> {
  const written: string[] = [];
  const runPath = join(outDir, WORKBOOK_NAME);
  const model = workbookModel(runScope(presentation), limits.maxRowsPerSheet);
  await writeWorkbook(runPath, model, limits, fileProgress(options, outDir, runPath, 'rows'));
  written.push(runPath);
  const files: WorkbookFile[] = presentation.operators.map((view) => ({
    kind: 'xlsx',
    path: join(operatorDir(outDir, view.id), WORKBOOK_NAME),
    limits,
  }));
  await writeOperatorFiles(
    presentation,
    files,
    options.jobs,
    (view, file, onRows) => writeOperatorWorkbook(presentation, view, file, onRows),
    (file) => fileProgress(options, outDir, file.path, 'rows'),
  );
  written.push(...files.map((f) => f.path));
  return written;
}

/** One operator's OUT/<operator>/findings.xlsx, as a render worker is asked for it. */
export interface WorkbookFile extends OperatorFile {
  kind: 'xlsx';
  limits: WriteLimits;
}

/** Writes one operator's workbook (in this thread or a render worker's). */
export async function writeOperatorWorkbook(
  source: OperatorSource,
  view: OperatorView,
  file: WorkbookFile,
  onRows?: (rows: number) => void,
): Promise<void> {
  const model = workbookModel(operatorScope(source, view), file.limits.maxRowsPerSheet);
  await writeWorkbook(file.path, model, file.limits, onRows);
}

/** OUT/sector.xlsx: every operator side by side, for a regulator (see sector.ts). */
export async function writeSectorWorkbook(
  presentation: Presentation,
  outDir: string,
  limits: WriteLimits = DEFAULT_LIMITS,
  options: ReportOptions = {},
): Promise<string> {
  const path = join(outDir, SECTOR_WORKBOOK_NAME);
  await writeWorkbook(path, sectorWorkbookModel(presentation), limits, fileProgress(options, outDir, path, 'rows'));
  return path;
}

/** The findings workbooks, then the sector workbook. */
export const xlsxReporter: Reporter = {
  name: 'xlsx',
  write: async (presentation, outDir, options) => [
    ...(await writeWorkbooks(presentation, outDir, DEFAULT_LIMITS, options)),
    await writeSectorWorkbook(presentation, outDir, DEFAULT_LIMITS, options),
  ],
};
