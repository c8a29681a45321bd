import { availableParallelism } from 'node:os';

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
