import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../paths.js';
import { type OperatorPart, type OperatorView, operatorPart, type Presentation } from './view/index.js';

/*
 * A sector run's reports are mostly its operators' own files: each operator's report.pdf and
 * findings.xlsx take seconds, and 50 of them written one after another in this thread took most of the
 * run. Each file depends only on its operator's part of the run, so with more than one job (--jobs; by
 * default the cores, for runs of 20,000+ routes) they are drawn on worker threads, each sent its
 * operator's part (operatorPart) and writing the file into the staging folder itself. The bytes are the
 * same as drawn here: the same functions draw them from the same data.
 */

/**
 * The switch: off, every operator's file is drawn in this thread whatever the jobs (the plain path).
 * `started` counts the worker threads started so far (tests and the bench read it).
 */
export const operatorWorkers = { enabled: true, started: 0 };

const WORKER_SCRIPT = join(packageRoot, 'dist', 'report', 'render-worker.js');

/** One operator's file: the reporter says what it is (the worker draws it by `kind`) and adds its settings. */
export interface OperatorFile {
  kind: 'pdf' | 'xlsx';
  /** Where the file goes (in the staging folder). */
  path: string;
}

/** What a render worker is sent for one file. */
export interface RenderTask {
  file: OperatorFile;
  part: OperatorPart;
}

/** What it posts back: how far it is (pages, rows), then that the file is written or why not. */
export type RenderMessage =
  | { kind: 'progress'; done: number }
  | { kind: 'done' }
  | { kind: 'failed'; message: string; code?: string; stack?: string };

/** Draws one operator's file in this thread, hearing its progress (the reporter's own path). */
export type DrawFile<F extends OperatorFile> = (
  view: OperatorView,
  file: F,
  onProgress: ((done: number) => void) | undefined,
) => Promise<void>;

/**
 * Writes files[i], the file of presentation.operators[i], for every operator: on min(jobs, operators)
 * worker threads when there are two or more of each and the compiled worker exists, else in this thread
 * with `draw`. The first failure stops the others and is thrown as the reporter's own error would be.
 */
export async function writeOperatorFiles<F extends OperatorFile>(
  presentation: Presentation,
  files: readonly F[],
  jobs: number | undefined,
  draw: DrawFile<F>,
  progressOf: (file: F) => ((done: number) => void) | undefined,
): Promise<void> {
  const views = presentation.operators;
  const threads = Math.min(jobs ?? 1, views.length);
  if (!operatorWorkers.enabled || threads < 2 || !existsSync(WORKER_SCRIPT)) {
    for (const [i, view] of views.entries()) await draw(view, files[i]!, progressOf(files[i]!));
    return;
  }
  const workers: Worker[] = [];
  let next = 0;
  let failure: unknown;
  const drain = async () => {
    const worker = new Worker(WORKER_SCRIPT);
    operatorWorkers.started++;
    workers.push(worker);
    try {
      while (next < views.length && failure === undefined) {
        const i = next++;
        // Made and sent one at a time: the clone of a large operator is held only until it is posted.
        await runOn(worker, { file: files[i]!, part: operatorPart(presentation, views[i]!) }, progressOf(files[i]!));
      }
    } catch (err) {
      if (failure === undefined) {
        failure = err;
        // The others stop too; their own rejections (terminated) are not the cause.
        for (const other of workers) if (other !== worker) void other.terminate();
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: threads }, drain));
  if (failure !== undefined) throw failure;
}

function runOn(worker: Worker, task: RenderTask, onProgress: ((done: number) => void) | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (message: RenderMessage) => {
      if (message.kind === 'progress') return onProgress?.(message.done);
      cleanup();
      if (message.kind === 'done') resolve();
      else reject(rebuiltError(message));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`the worker drawing ${task.file.path} exited with code ${code}`));
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(task);
  });
}

/** The worker's error as this thread's: its message, its code (a full disk reads as one) and its stack. */
function rebuiltError(message: Extract<RenderMessage, { kind: 'failed' }>): Error {
  const err = new Error(message.message) as NodeJS.ErrnoException;
  if (message.code !== undefined) err.code = message.code;
  if (message.stack !== undefined) err.stack = message.stack;
  return err;
}

/** The failure a worker posts for an error thrown while drawing. */
export function failedMessage(err: unknown): RenderMessage {
  const e = err as NodeJS.ErrnoException | undefined;
  return {
    kind: 'failed',
    message: e?.message ?? String(err),
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    ...(typeof e?.stack === 'string' ? { stack: e.stack } : {}),
  };
}
