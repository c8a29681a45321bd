import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inject } from 'vitest';

/**
 * A fresh temporary folder named `prefix…`, inside the run's folder (test/support/global-setup.ts), which
 * is removed with everything in it when the run ends. Outside a vitest run, in the system's temp folder.
 */
export function tempDir(prefix = 'ixaudit-test-'): string {
  return mkdtempSync(join(inject('tempRoot') ?? tmpdir(), prefix));
}

/** Writes the given files into a fresh temporary folder and returns its path. */
export function tempFiles(files: Record<string, string | Buffer>): string {
  const dir = tempDir();
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}
