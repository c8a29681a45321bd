import { outputName } from './paths.js';
import type { ReportOptions, WriteProgress } from './types.js';

/**
 * The progress callback of one file a reporter writes under `outDir`, or undefined when nobody listens
 * (tests, the library): reporters call it with how much is done.
 */
export function fileProgress(
  options: ReportOptions,
  outDir: string,
  path: string,
  unit: WriteProgress['unit'],
): ((done: number) => void) | undefined {
  const listener = options.onProgress;
  if (!listener) return undefined;
  const file = outputName(outDir, path);
  return (done) => listener({ file, done, unit });
}
