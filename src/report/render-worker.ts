import { parentPort } from 'node:worker_threads';
import { failedMessage, type RenderMessage, type RenderTask } from './operator-workers.js';
import type { OperatorPdfFile } from './pdf/index.js';
import type { TemplateSet } from './pdf/templates.js';
import { operatorSource } from './view/index.js';
import type { WorkbookFile } from './xlsx/index.js';

/*
 * A render worker (operator-workers.ts): draws the operator files it is sent, one at a time, with the
 * reporters' own functions, and writes each where it is told. The main thread loaded and checked the
 * templates before sending any; they are loaded again here once per folder. Each reporter's module is
 * imported on its first file (a worker drawing PDFs does not load exceljs: ~0.4 s of its start).
 */

const templatesByDir = new Map<string, TemplateSet>();

async function templatesFor(templateDir: string | undefined): Promise<TemplateSet> {
  const key = templateDir ?? '';
  let templates = templatesByDir.get(key);
  if (!templates) {
    const { loadTemplates } = await import('./pdf/templates.js');
    templatesByDir.set(key, (templates = loadTemplates(templateDir)));
  }
  return templates;
}

async function draw(task: RenderTask, onProgress: (done: number) => void): Promise<void> {
  const source = operatorSource(task.part);
  const view = source.operators[0]!;
  const file = task.file as OperatorPdfFile | WorkbookFile;
  if (file.kind === 'pdf') {
    const { writeOperatorPdf } = await import('./pdf/index.js');
    await writeOperatorPdf(source, view, await templatesFor(file.templateDir), file, onProgress);
  } else {
    const { writeOperatorWorkbook } = await import('./xlsx/index.js');
    await writeOperatorWorkbook(source, view, file, onProgress);
  }
}

if (parentPort) {
  const port = parentPort;
  const post = (message: RenderMessage) => port.postMessage(message);
  port.on('message', (task: RenderTask) => {
    draw(task, (done) => post({ kind: 'progress', done })).then(
      () => post({ kind: 'done' }),
      (err: unknown) => post(failedMessage(err)),
    );
  });
}
