import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The guard of one publishing run, started by publishReports as a detached process: `node
 * publish-guard.js <pid> <outDir>`. Ctrl-C and SIGTERM end ixaudit at once, without waiting for the
 * synchronous work of an audit or a reporter to yield, so nothing in that process can clean up. When
 * the run's process is gone and it still held the folder's lock, the guard finishes or undoes what it
 * left (recoverInterrupted: the swap journal, the staging folder) and releases the lock. A run that
 * completes stops its guard first.
 */
// Kept in step with publish.ts, which is loaded only when there is something to recover (a cheap start).
const LOCK_FILE = '.ixaudit-lock';
const [pidText, outDir] = process.argv.slice(2);
const pid = Number(pidText);

function alive(id: number): boolean {
  try {
    process.kill(id, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function heldByRun(): boolean {
  try {
    return Number.parseInt(readFileSync(join(outDir, LOCK_FILE), 'utf8'), 10) === pid;
  } catch {
    return false;
  }
}

if (Number.isInteger(pid) && pid > 0 && outDir) {
  const timer = setInterval(() => {
    if (alive(pid)) return;
    clearInterval(timer);
    if (!heldByRun()) return;
    import('./publish.js')
      .then(({ recoverInterrupted }) => recoverInterrupted(outDir))
      .catch(() => undefined) // what is left is finished or undone by the next run
      .finally(() => rmSync(join(outDir, LOCK_FILE), { force: true }));
  }, 100);
}
