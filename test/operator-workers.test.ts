import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { WriteProgress } from '../src/report/types.js';
import { operatorWorkers } from '../src/report/operator-workers.js';
import { pdfReporter } from '../src/report/pdf/index.js';
import { presentationOf, type Presentation } from '../src/report/view/index.js';
import { xlsxReporter } from '../src/report/xlsx/index.js';
import { auditReport } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { REGULATOR } from './support/run.js';

// A sector run draws its operators' report.pdf and findings.xlsx on worker threads (--jobs; by default
// the cores for 20,000+ routes). The worker is the compiled dist/report/render-worker.js: `npm test`
// compiles before the tests run.

describe('operator files drawn on worker threads', () => {
  let presentation: Presentation;
  beforeAll(() => {
    // Two of the samples' operators: what holds for two holds for fifty, and the suite stays fast.
    presentation = presentationOf(auditReport(['inputs/jp-sakura', 'inputs/kr-hanbit'], REGULATOR));
  });

  it('are byte for byte the files drawn in this thread, with their progress', async () => {
    expect(existsSync('dist/report/render-worker.js')).toBe(true);
    const plain = tempFiles({});
    const threaded = tempFiles({});
    const progress: WriteProgress[] = [];
    const started = operatorWorkers.started;
    for (const reporter of [pdfReporter, xlsxReporter]) {
      await reporter.write(presentation, plain, {});
      await reporter.write(presentation, threaded, { jobs: 2, onProgress: (p) => progress.push(p) });
    }
    // Two workers for the PDFs, two for the workbooks: the threads really drew them.
    expect(operatorWorkers.started - started).toBe(4);
    const ids = presentation.operators.map((o) => o.id);
    expect(ids).toEqual(['jp-sakura', 'kr-hanbit']);
    for (const id of ids) {
      for (const name of ['report.pdf', 'findings.xlsx']) {
        const file = `${id}/${name}`;
        const same = readFileSync(join(threaded, file)).equals(readFileSync(join(plain, file)));
        expect({ file, same }).toEqual({ file, same: true });
        // The terminal hears each file from its worker: pages of a PDF, rows of a workbook.
        const heard = progress.filter((p) => p.file === file);
        expect(heard.length, file).toBeGreaterThan(name === 'report.pdf' ? 10 : 0);
        expect(heard.at(-1)!.done, file).toBeGreaterThan(name === 'report.pdf' ? 10 : 50);
      }
    }
    // The run-level files are still this thread's, and the same.
    for (const file of ['sector.pdf', 'findings.xlsx', 'sector.xlsx'])
      expect(readFileSync(join(threaded, file)).equals(readFileSync(join(plain, file))), file).toBe(true);
  });

  it('a file a worker cannot write fails the reporter as it fails in this thread', async () => {
    // jp-sakura's folder is taken by a file: its workbook cannot be written.
    const errors = [];
    for (const jobs of [1, 2]) {
      const out = tempFiles({ 'jp-sakura': 'a file where the folder goes' });
      const error = await xlsxReporter.write(presentation, out, { jobs }).then(
        () => undefined,
        (err: NodeJS.ErrnoException) => err,
      );
      errors.push({ code: error?.code, message: error?.message.replace(out, 'OUT') });
    }
    expect(errors[0]!.code).toMatch(/^E[A-Z]+$/);
    expect(errors[1]).toEqual(errors[0]);
  });
});
