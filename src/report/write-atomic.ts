import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

/**
 * A fresh temporary sibling of `path`. It is created exclusively (O_CREAT|O_EXCL), which never follows a
 * symbolic link: a link planted under the temporary name makes the write fail instead of going elsewhere.
 */
function tempFor(path: string): string {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  rmSync(temp, { force: true }); // a leftover of a killed run with the same pid (a link is removed, not followed)
  return temp;
}

/**
 * Writes to a temporary sibling and renames it into place, so a crash or Ctrl-C never leaves a
 * half-written report and a previous complete file survives a failed run.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = tempFor(path);
  try {
    writeFileSync(temp, data, { flag: 'wx' });
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}

const BLOCK_BYTES = 1 << 20;

/** writeSync may write less than asked: go on until every byte is out. */
function writeAll(fd: number, bytes: Uint8Array, length: number): void {
  for (let done = 0; done < length; ) done += writeSync(fd, bytes, done, length - done);
}

/**
 * writeFileAtomic for output produced piece by piece (large JSON, CSV): never held whole in memory.
 * `onBytes` hears the bytes written so far after each block (a megabyte) and once at the end.
 */
export function writeChunksAtomic(path: string, chunks: Iterable<string>, onBytes?: (written: number) => void): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = tempFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx');
    // Chunks are encoded into one reused block outside the JS heap: joining them into a string kept
    // megabyte strings alive long enough to be promoted, and a million-route findings.json then spent
    // most of its time in full garbage collections of a multi-gigabyte heap.
    const block = Buffer.allocUnsafe(BLOCK_BYTES);
    let used = 0;
    let written = 0;
    for (const chunk of chunks) {
      // A UTF-16 code unit takes at most 3 bytes in UTF-8.
      if (used + chunk.length * 3 > BLOCK_BYTES) {
        writeAll(fd, block, used);
        written += used;
        used = 0;
        onBytes?.(written);
      }
      if (chunk.length * 3 > BLOCK_BYTES) {
        const bytes = Buffer.from(chunk, 'utf8');
        writeAll(fd, bytes, bytes.length);
        written += bytes.length;
      } else {
        used += block.write(chunk, used);
      }
    }
    writeAll(fd, block, used);
    onBytes?.(written + used);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
}
