import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { askWorker } from '../model/workers.js';
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
 * `maxPartItems`: above this many routes and occurrences an operator's files are drawn in this thread,
 * beside the workers, since its part would take longer to copy than to draw. Measured: 78,646 (20,000
 * routes) copy in ~1 s as 23 MB; 784,764 (200,000 routes) took 3.4 s to serialise and 7.1 s to read
 * back as 181 MB, against 5.5 s to draw that operator's PDF, and a national table's part would be held
 * twice. `minSentItems`: below this many routes and occurrences sent in all, every file is drawn in
 * this thread, since starting the workers costs more than they save — each takes ~2 s to start and draws
 * its first PDF ~4 s slower than the next. Measured, workers against this thread: sector-5x4k-heavy (5
 * operators, 80,000 items) report: pdf 10.6 s against 8.6 s; a 200,000-route operator beside a 20,000-route
 * one (78,646 items sent) 8.5 s against 6.4 s; sector-10x20k-heavy (786,000 items) report: xlsx 23.2 s
 * against 33.1 s and report: pdf 25.7 s against 26.5 s; the 50 operators of sector-50x20k-heavy report: pdf
 * 96.8 s (the bench on 488d5f9; 187.1 s in the bench before, without workers). `started` counts the
 * worker threads started so far (tests and the bench read it).
 */
export const operatorWorkers = { enabled: true, minSentItems: 300_000, maxPartItems: 200_000, started: 0 };

const WORKER_SCRIPT = join(packageRoot, 'dist', 'report', 'render-worker.js');

/** What an operator's part holds that grows with its tables: routes and occurrences. */
export function partItems(view: OperatorView): number {
  let items = view.routes.length;
  for (const f of view.findings) items += f.occurrences.length;
  return items;
}

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
 * Writes files[i], the file of presentation.operators[i], for every operator. With two or more jobs and
 * files, at least minSentItems to send and the compiled worker, operators of up to maxPartItems go to
 * min(jobs, their number) worker threads while this thread draws the larger ones with `draw`; otherwise
 * every file is drawn here. The first failure stops the others and is thrown as the reporter's own
 * error would be.
 */
export async function writeOperatorFiles<F extends OperatorFile>(
  presentation: Presentation,
  files: readonly F[],
  jobs: number | undefined,
  draw: DrawFile<F>,
  progressOf: (file: F) => ((done: number) => void) | undefined,
): Promise<void> {
  const views = presentation.operators;
  const items = views.map(partItems);
  const indices = views.map((_, i) => i);
  const sent = indices.filter((i) => items[i]! <= operatorWorkers.maxPartItems);
  const kept = indices.filter((i) => items[i]! > operatorWorkers.maxPartItems);
  const threads = Math.min(jobs ?? 1, sent.length);
  const sentItems = sent.reduce((n, i) => n + items[i]!, 0);
  const drawHere = async (i: number) => draw(views[i]!, files[i]!, progressOf(files[i]!));
  if (
    !operatorWorkers.enabled ||
    (jobs ?? 1) < 2 ||
    views.length < 2 ||
    threads < 1 ||
    sentItems < operatorWorkers.minSentItems ||
    !existsSync(WORKER_SCRIPT)
  ) {
    for (const i of indices) await drawHere(i);
    return;
  }
  const workers: Worker[] = [];
  let next = 0;
  let failure: unknown;
  const stop = (err: unknown, except?: Worker) => {
    if (failure !== undefined) return;
    failure = err;
    // The others stop too; their own rejections (terminated) are not the cause.
    for (const other of workers) if (other !== except) void other.terminate();
  };
  const drain = async () => {
    const worker = new Worker(WORKER_SCRIPT);
    operatorWorkers.started++;
    workers.push(worker);
    try {
      while (next < sent.length && failure === undefined) {
        const i = sent[next++]!;
        // Made and sent one at a time: the clone of a large operator is held only until it is posted.
        await runOn(worker, { file: files[i]!, part: operatorPart(presentation, views[i]!) }, progressOf(files[i]!));
      }
    } catch (err) {
      stop(err, worker);
    } finally {
      await worker.terminate();
    }
  };
  // The workers start on their first files at once; the large operators are drawn here meanwhile.
  const pool = Promise.all(Array.from({ length: threads }, drain));
  try {
    for (const i of kept) if (failure === undefined) await drawHere(i);
  } catch (err) {
    stop(err);
  }
  await pool;
  if (failure !== undefined) throw failure;
}

function runOn(worker: Worker, task: RenderTask, onProgress: ((done: number) => void) | undefined): Promise<void> {
  return askWorker<RenderMessage, void>(
    worker,
    task,
    (message) => {
      if (message.kind === 'done') return { value: undefined };
      if (message.kind === 'failed') return { error: rebuiltError(message) };
      onProgress?.(message.done);
      return undefined;
    },
    (code) => `the worker drawing ${task.file.path} exited with code ${code}`,
  );
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
