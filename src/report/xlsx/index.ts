import { join } from 'node:path';
import type { Presentation } from '../view/index.js';
import { operatorDir } from '../paths.js';
import type { Reporter } from '../types.js';
import { dateCell } from './cells.js';
import { operatorScopes, runScope, type WorkbookScope } from './scope.js';
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
): Promise<string[]> {
  const written: string[] = [];
  const runPath = join(outDir, WORKBOOK_NAME);
  await writeWorkbook(runPath, workbookModel(runScope(presentation), limits.maxRowsPerSheet), limits);
  written.push(runPath);
  for (const scope of operatorScopes(presentation)) {
    const path = join(operatorDir(outDir, scope.operator!), WORKBOOK_NAME);
    await writeWorkbook(path, workbookModel(scope, limits.maxRowsPerSheet), limits);
    written.push(path);
  }
  return written;
}

/** OUT/sector.xlsx: every operator side by side, for a regulator (see sector.ts). */
export async function writeSectorWorkbook(
  presentation: Presentation,
  outDir: string,
  limits: WriteLimits = DEFAULT_LIMITS,
): Promise<string> {
  const path = join(outDir, SECTOR_WORKBOOK_NAME);
  await writeWorkbook(path, sectorWorkbookModel(presentation), limits);
  return path;
}

/** The findings workbooks, then the sector workbook. */
export const xlsxReporter: Reporter = {
  name: 'xlsx',
  write: async (presentation, outDir) => [
    ...(await writeWorkbooks(presentation, outDir)),
    await writeSectorWorkbook(presentation, outDir),
  ],
};
