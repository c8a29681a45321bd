import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sofficeCsvArgs } from './consumers.mjs';
import { parseCsv } from './csv.js';
import { tempFiles } from './files.js';

/**
 * Every sheet of each workbook as CSV, by workbook name then sheet, via soffice's per-sheet export (token
 * 12 = -1), in its own profile: all of them in ONE run of soffice, since each start costs ~4 s of CPU.
 */
export function libreOfficeSheets(workbooks: Record<string, string>): Record<string, Record<string, string[][]>> {
  const dir = tempFiles({});
  const names = Object.keys(workbooks);
  for (const name of names) copyFileSync(workbooks[name]!, join(dir, `${name}.xlsx`));
  const result = spawnSync('soffice', sofficeCsvArgs(dir, ...names.map((name) => join(dir, `${name}.xlsx`))), {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const files = readdirSync(dir);
  return Object.fromEntries(
    names.map((name) => {
      const sheets = files.filter((f) => f.startsWith(`${name}-`) && f.endsWith('.csv'));
      if (sheets.length === 0)
        throw new Error(
          `soffice wrote no CSV of ${name}: status ${result.status}, ${result.error ?? ''} ${result.stderr}`,
        );
      const sheet = (f: string) => f.slice(`${name}-`.length, -'.csv'.length);
      return [name, Object.fromEntries(sheets.map((f) => [sheet(f), parseCsv(readFileSync(join(dir, f), 'utf8'))]))];
    }),
  );
}
