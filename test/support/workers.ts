import { operatorWorkers } from '../../src/report/operator-workers.js';

type Limits = Partial<Pick<typeof operatorWorkers, 'minSentItems' | 'maxPartItems'>>;

/**
 * Runs `fn` with the render workers' size limits changed and then restored: the samples are far below
 * the sizes at which workers pay (minSentItems), so a test that wants them drawn there lowers it.
 */
export async function withWorkerLimits<T>(limits: Limits, fn: () => Promise<T>): Promise<T> {
  const saved = { minSentItems: operatorWorkers.minSentItems, maxPartItems: operatorWorkers.maxPartItems };
  Object.assign(operatorWorkers, limits);
  try {
    return await fn();
  } finally {
    Object.assign(operatorWorkers, saved);
  }
}
