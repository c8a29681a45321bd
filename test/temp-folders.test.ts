import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { tempDir, tempFiles } from './support/files.js';

// A run of the suite used to leave some 500 folders in the system's temp folder (ixaudit-test-…,
// ixaudit-trust-…); a machine that had run it 40 times held 20,000. Every test's folder is now made inside
// one folder for the run (test/support/global-setup.ts), which is removed when the run ends.
describe("the tests' temporary folders", () => {
  it('are made inside the run’s own folder, which lies in the system’s temp folder', () => {
    const root = inject('tempRoot');
    expect(dirname(root)).toBe(tmpdir());
    expect(statSync(root).isDirectory()).toBe(true);
    const files = tempFiles({ 'a/b.yaml': 'x: 1\n' });
    expect(dirname(files)).toBe(root);
    expect(existsSync(join(files, 'a/b.yaml'))).toBe(true);
    expect(dirname(tempDir('ixaudit-named-'))).toBe(root);
  });
});
