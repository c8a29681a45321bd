import { missingNote, missingTools, ON_CI, PACKAGES, type Tool } from './tool-path.js';

/** Vitest global setup: one line at the start of a run naming the programs that are missing. */
export default function setup(): void {
  const missing = missingTools(Object.keys(PACKAGES) as Tool[]);
  if (missing.length === 0) return;
  const what = ON_CI
    ? 'CI=true: the tests that need them will FAIL'
    : 'the checks that need them are skipped (each says so)';
  console.warn(`[ixaudit tests] ${missingNote(missing)}; ${what}.`);
}
