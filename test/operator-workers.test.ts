import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { operatorWorkers, partItems } from '../src/report/operator-workers.js';
import { pdfReporter } from '../src/report/pdf/index.js';
import { presentationOf } from '../src/report/view/index.js';
import { xlsxReporter } from '../src/report/xlsx/index.js';
import { auditReport } from './support/audit.js';
import { tempFiles } from './support/files.js';
import { REGULATOR, REGULATOR_OPTIONS, run } from './support/run.js';
import { requireTools } from './support/tools.js';
import { withWorkerLimits } from './support/workers.js';

// A sector run draws its operators' report.pdf and findings.xlsx on worker threads (--jobs; by default
// the cores for 20,000+ routes), from the compiled dist/report/render-worker.js (`npm test` compiles
// first). That they are the same bytes as drawn in the main thread is held by report-pdf.test.ts and
// report-xlsx.test.ts; this is how the command line asks for them and what happens when a worker fails.

describe('operator files drawn on worker threads', () => {
  it('ixaudit audit --jobs 2 draws the operators’ workbooks on two worker threads', async () => {
    const out = tempFiles({});
    const started = operatorWorkers.started;
    const args = ['inputs/jp-sakura', 'inputs/kr-hanbit', ...REGULATOR_OPTIONS, '--out', out, '--jobs', '2'];
    const { code } = await withWorkerLimits({ minSentItems: 0 }, () =>
      run('audit', ...args, '--quiet', '--format', 'xlsx'),
    );
    expect(code).toBe(1); // the samples fail controls
    expect(operatorWorkers.started - started).toBe(2);
    for (const id of ['jp-sakura', 'kr-hanbit'])
      expect(
        readFileSync(join(out, id, 'findings.xlsx'))
          .subarray(0, 2)
          .toString(),
        id,
      ).toBe('PK');
  });

  it('a run too small to pay for workers draws every file in this thread, whatever --jobs says', async () => {
    const presentation = presentationOf(auditReport(['inputs/jp-sakura', 'inputs/kr-hanbit'], REGULATOR));
    const total = presentation.operators.reduce((n, o) => n + partItems(o), 0);
    expect(total).toBeLessThan(operatorWorkers.minSentItems);
    const started = operatorWorkers.started;
    await xlsxReporter.write(presentation, tempFiles({}), { jobs: 2 });
    expect(operatorWorkers.started - started).toBe(0);
  });

  it('a large operator is drawn in this thread beside the workers, the same bytes', async () => {
    const presentation = presentationOf(auditReport(['inputs/jp-sakura', 'inputs/kr-hanbit'], REGULATOR));
    const [small, large] = [...presentation.operators].sort((a, b) => partItems(a) - partItems(b));
    expect(partItems(small!)).toBeLessThan(partItems(large!));
    const plain = tempFiles({});
    const split = tempFiles({});
    await xlsxReporter.write(presentation, plain, {});
    const started = operatorWorkers.started;
    // The larger one stays here.
    await withWorkerLimits({ minSentItems: 0, maxPartItems: partItems(small!) }, () =>
      xlsxReporter.write(presentation, split, { jobs: 2 }),
    );
    // One worker for the one operator sent; the other drawn in this thread meanwhile.
    expect(operatorWorkers.started - started).toBe(1);
    for (const view of [small!, large!]) {
      const file = `${view.id}/findings.xlsx`;
      expect(readFileSync(join(split, file)).equals(readFileSync(join(plain, file))), file).toBe(true);
    }
  });

  it('--template-dir reaches the workers: each operator’s PDF has the overriding cover', async (context) => {
    requireTools(context, ['pdftotext']);
    const presentation = presentationOf(auditReport(['inputs/jp-sakura', 'inputs/kr-hanbit'], REGULATOR));
    const templates = tempFiles({ 'pdf/cover.hbs': '# Review by Acme Telecom Advisory\n## {{operator.name}}\n' });
    const out = tempFiles({});
    const started = operatorWorkers.started;
    await withWorkerLimits({ minSentItems: 0 }, () =>
      pdfReporter.write(presentation, out, { templateDir: templates, jobs: 2 }),
    );
    expect(operatorWorkers.started - started).toBe(2);
    for (const view of presentation.operators) {
      const cover = execFileSync('pdftotext', ['-f', '1', '-l', '1', join(out, view.id, 'report.pdf'), '-'], {
        encoding: 'utf8',
      });
      expect(cover.replace(/\s+/g, ' '), view.id).toContain(`Review by Acme Telecom Advisory ${view.operator.name}`);
    }
  });

  it('a file a worker cannot write fails the reporter as it fails in this thread', async () => {
    const presentation = presentationOf(auditReport(['inputs/jp-sakura', 'inputs/kr-hanbit'], REGULATOR));
    // jp-sakura's folder is taken by a file: its workbook cannot be written.
    const errors = [];
    for (const jobs of [1, 2]) {
      const out = tempFiles({ 'jp-sakura': 'a file where the folder goes' });
      const error = await withWorkerLimits({ minSentItems: 0 }, () =>
        xlsxReporter.write(presentation, out, { jobs }),
      ).then(
        () => undefined,
        (err: NodeJS.ErrnoException) => err,
      );
      errors.push({ code: error?.code, message: error?.message.replace(out, 'OUT') });
    }
    expect(errors[0]!.code).toMatch(/^E[A-Z]+$/);
    expect(errors[1]).toEqual(errors[0]);
  });
});
