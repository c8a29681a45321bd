import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';

/** Routes in a run above which worker threads pay for their start-up (measured: ~150 ms per worker). */
export const PARALLEL_THRESHOLD_ROUTES = 20_000;

/**
 * How many worker threads a run uses, both to audit its operators and to draw each operator's own
 * reports: `requested` (--jobs), or by default the cores when the run is large enough to gain from them.
 * Never more than the cores or the operators: `--jobs 1000` on 104 operators starts one per core.
 */
export function workerCount(
  operators: number,
  routes: number,
  requested: number | undefined,
  cores: number = availableParallelism(),
): number {
  if (requested !== undefined) return Math.max(1, Math.min(requested, operators, cores));
  return routes >= PARALLEL_THRESHOLD_ROUTES ? Math.max(1, Math.min(cores, operators)) : 1;
}

/** How a worker's message ends a wait: with a value, with an error, or not yet (undefined: progress). */
export type WorkerAnswer<T> = { value: T } | { error: Error } | undefined;

/**
 * Posts one task to a worker thread and waits for its answer. `onMessage` hears each message the worker
 * posts and says whether it ends the wait; the worker's own error, or its exit before it answered (in
 * the words of `exited`), rejects. The listeners are removed once the wait is over, so the next task
 * can be posted to the same worker.
 */
export function askWorker<M, T>(
  worker: Worker,
  task: unknown,
  onMessage: (message: M) => WorkerAnswer<T>,
  exited: (code: number) => string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      worker.off('message', heard);
      worker.off('error', failed);
      worker.off('exit', ended);
    };
    const heard = (message: M) => {
      const answer = onMessage(message);
      if (answer === undefined) return;
      cleanup();
      if ('error' in answer) reject(answer.error);
      else resolve(answer.value);
    };
    const failed = (err: Error) => {
      cleanup();
      reject(err);
    };
    const ended = (code: number) => {
      cleanup();
      reject(new Error(exited(code)));
    };
    worker.on('message', heard);
    worker.on('error', failed);
    worker.on('exit', ended);
    worker.postMessage(task);
  });
}
