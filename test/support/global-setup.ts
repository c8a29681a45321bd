import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { missingNote, missingTools, ON_CI, PACKAGES, type Tool } from './tool-path.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder every test's temporary files go in (test/support/files.ts), removed when the run ends. */
    tempRoot: string;
  }
}

/**
 * Vitest global setup: one line at the start of a run naming the programs that are missing, and one
 * temporary folder for the whole run. Tests make theirs inside it (tempDir), and it is removed when the
 * run ends: a run used to leave some 500 folders in /tmp, and a machine that ran the suite often had tens
 * of thousands.
 */
export default function setup(project: TestProject): () => void {
  const missing = missingTools(Object.keys(PACKAGES) as Tool[]);
  if (missing.length > 0) {
    const what = ON_CI
      ? 'CI=true: the tests that need them will FAIL'
      : 'the checks that need them are skipped (each says so)';
    console.warn(`[ixaudit tests] ${missingNote(missing)}; ${what}.`);
  }
  const root = mkdtempSync(join(tmpdir(), 'ixaudit-tests-'));
  // Readable by others, as the system's temp folder is: a test walks a folder in it as an unprivileged
  // user (test/load-hostile.test.ts), and each test's own folder is still made private by mkdtemp.
  chmodSync(root, 0o755);
  project.provide('tempRoot', root);
  return () => rmSync(root, { recursive: true, force: true });
}
